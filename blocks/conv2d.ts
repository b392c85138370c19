import { BlockError, defineBlock } from '../src/core/spec';
import { ACTIVATIONS, convOutputLength, prod, requirePositive, requireRank, lastDim } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { GroupedConv } from '../src/core/layers/groupedConv';
import { CONV_ND_PY, GROUPS_PARAM, channelsPerGroup, convToPytorch, emitConv, groupedConvTfjs } from './convCommon';
import '../src/core/layers/activations'; // registers hardSwish, hardSigmoidTorch, geluTanh with tfjs

export default defineBlock({
  type: 'Conv2D',
  category: 'conv',
  label: 'Conv 2D',
  docs:
    'Slides learned filters over an image (height × width × channels) and outputs one feature map per filter. Stacks of small 3×3 convolutions with pooling in between are the backbone of image networks from LeNet to ResNet. Padding "same" keeps the spatial size (at stride 1); "valid" shrinks it by kernel − 1.',
  params: {
    filters: { kind: 'int', default: 32, min: 1, doc: 'Number of output channels (filters).', key: true },
    kernelSize: { kind: 'ints', length: 2, default: [3, 3], doc: 'Height and width of the filter window.', key: true },
    strides: { kind: 'ints', length: 2, default: [1, 1], doc: 'Step of the window along height and width.' },
    padding: { kind: 'enum', options: ['valid', 'same'], default: 'valid', doc: '"valid": no padding; "same": pad so the output is ceil(input / stride).' },
    dilationRate: { kind: 'ints', length: 2, default: [1, 1], doc: 'Spacing between kernel taps (atrous convolution).' },
    activation: { kind: 'enum', options: ACTIVATIONS, default: 'linear', doc: 'Activation applied to the output.', key: true },
    useBias: { kind: 'bool', default: true, doc: 'Add a learned bias per filter. Turn off before BatchNormalization.' },
    groups: GROUPS_PARAM,
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  checkParams(p) {
    // tfjs' conv kernels cannot do both at once.
    if (p.strides.some((s) => s > 1) && p.dilationRate.some((d) => d > 1))
      throw new BlockError(`strides ${JSON.stringify(p.strides)} and dilationRate ${JSON.stringify(p.dilationRate)} cannot both be > 1: set one of them to 1`, { param: 'dilationRate' });
  },
  inferShape([x], p) {
    const s = requireRank(x, 4, 'Conv2D');
    channelsPerGroup(lastDim(s, 'Conv2D'), p.filters, p.groups, 'Conv2D');
    const h = convOutputLength(s[1]!, p.kernelSize[0]!, p.padding, p.strides[0]!, p.dilationRate[0]!);
    const w = convOutputLength(s[2]!, p.kernelSize[1]!, p.padding, p.strides[1]!, p.dilationRate[1]!);
    return [requirePositive([null, h, w, p.filters], 'Conv2D', 'kernelSize')];
  },
  paramCount([x], p) {
    const cin = channelsPerGroup(lastDim(x!, 'Conv2D'), p.filters, p.groups, 'Conv2D');
    return { trainable: prod(p.kernelSize) * cin * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  macs: ([x], p, [y]) => prod(y!.slice(1, 3)) * prod(p.kernelSize) * (lastDim(x!, 'Conv2D') / p.groups) * p.filters,
  tfjsLayers: [GroupedConv],
  toTfjs([x], p, ctx) {
    if (p.groups > 1) return [groupedConvTfjs(x!, p, 2, ctx)];
    const conv = ctx.tf.layers.conv2d({
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding as 'valid' | 'same',
      dilationRate: p.dilationRate as [number, number],
      activation: p.activation as never,
      useBias: p.useBias,
      kernelInitializer: ctx.kernelInitializer as never,
      name: ctx.name,
    });
    return [ctx.register(conv).apply(x!) as never];
  },
  toOnnx: (ctx, { params: p, nodeId, inputs: [x], inputShapes: [xs], weights }) => [
    emitConv(ctx, { nodeId, x: x!, xShape: xs!, weights, kernelSize: p.kernelSize, strides: p.strides, dilationRate: p.dilationRate, padding: p.padding, activation: p.activation, groups: p.groups }),
  ],
  probe: 'activations',
  outputActivation: (p) => p.activation,
  pytorchPrelude: [CONV_ND_PY],
  toPytorch: (a) => convToPytorch(a, 2),
  fixtures: [
    ...grid(
      { kernelSize: [1, 3, [2, 5]], strides: [1, 2, [3, 1]], padding: ['valid', 'same'] },
      (params) => ({ params: { filters: 4, ...params }, inputs: [[null, 11, 9, 3]] }),
    ),
    { params: { filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' }, inputs: [[null, 10, 10, 2]] },
    { params: { filters: 2, kernelSize: 3, dilationRate: [2, 3], padding: 'valid', useBias: false }, inputs: [[null, 13, 12, 1]] },
    { params: { filters: 6, kernelSize: 5, activation: 'relu' }, inputs: [[null, 28, 28, 1]] },
    // Grouped (ResNeXt) and depthwise (groups = channels, with and without a channel multiplier).
    ...grid({ groups: [2, 4], strides: [1, 2], padding: ['valid', 'same'] }, (params) => ({ params: { filters: 8, kernelSize: 3, ...params }, inputs: [[null, 9, 7, 8]] })),
    { params: { filters: 6, kernelSize: 3, groups: 6, padding: 'same' }, inputs: [[null, 8, 8, 6]], note: 'depthwise' },
    { params: { filters: 12, kernelSize: [3, 5], groups: 6, strides: 2, activation: 'relu6', useBias: false }, inputs: [[null, 11, 12, 6]], note: 'depthwise ×2' },
    { params: { filters: 4, kernelSize: 3, groups: 2, dilationRate: 2, activation: 'hardSwish' }, inputs: [[null, 9, 9, 6]], note: 'grouped dilated' },
    { params: { filters: 4, kernelSize: 3, activation: 'hardSwish' }, inputs: [[null, 6, 6, 2]] },
    { params: { filters: 3, kernelSize: 1, activation: 'hardSigmoidTorch' }, inputs: [[null, 5, 5, 4]] },
  ],
});
