import * as tf from '@tensorflow/tfjs';
import { defineBlock } from '../src/core/spec';
import { ACTIVATIONS, convOutputLength, lastDim, prod, requirePositive, requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { GroupedConv } from '../src/core/layers/groupedConv';
import { CONV_ND_PY, GROUPS_PARAM, channelsPerGroup, checkStridesDilation, convToPytorch, emitConv, groupedConvTfjs } from './convCommon';
import '../src/core/layers/activations'; // registers hardSwish, hardSigmoidTorch, geluTanh with tfjs

/**
 * Left zero-padding along the time axis. tfjs-layers accepts padding "causal" in Conv1D's
 * constructor and shape code but throws NotImplementedError in the forward pass, so a causal
 * Conv1D is built as this layer followed by a "valid" Conv1D (the same thing Keras computes).
 */
export class CausalPadding1D extends tf.layers.Layer {
  static className = 'CausalPadding1D';
  readonly left: number;
  constructor(args: { left: number; name?: string }) {
    super({ name: args.name });
    this.left = args.left;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
    return [shape[0]!, shape[1] == null ? null : shape[1] + this.left, shape[2]!];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.pad(x, [
      [0, 0],
      [this.left, 0],
      [0, 0],
    ]);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), left: this.left };
  }
}

export default defineBlock({
  type: 'Conv1D',
  category: 'conv',
  label: 'Conv 1D',
  docs:
    'Slides learned filters along a sequence (steps × channels) and outputs one feature per filter at each step. Use it for audio, sensor signals and text features; padding "causal" only looks at the current and earlier steps, as in WaveNet and temporal convolutional networks, and combines with dilationRate to see far back cheaply.',
  params: {
    filters: { kind: 'int', default: 32, min: 1, doc: 'Number of output channels (filters).', key: true },
    kernelSize: { kind: 'ints', length: 1, default: [3], doc: 'Length of the filter window.', key: true },
    strides: { kind: 'ints', length: 1, default: [1], doc: 'Step of the window along the sequence.' },
    padding: {
      kind: 'enum',
      options: ['valid', 'same', 'causal'],
      default: 'valid',
      doc: '"valid": no padding; "same": pad both ends so the output is ceil(length / stride); "causal": pad only the start, so step t sees steps ≤ t.',
    },
    dilationRate: { kind: 'ints', length: 1, default: [1], doc: 'Spacing between kernel taps (dilated convolution).' },
    activation: { kind: 'enum', options: ACTIVATIONS, default: 'linear', doc: 'Activation applied to the output.', key: true },
    useBias: { kind: 'bool', default: true, doc: 'Add a learned bias per filter. Turn off before BatchNormalization.' },
    groups: GROUPS_PARAM,
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  checkParams(p) {
    checkStridesDilation(p.strides, p.dilationRate);
  },
  inferShape([x], p) {
    const s = requireRank(x, 3, 'Conv1D');
    channelsPerGroup(lastDim(s, 'Conv1D'), p.filters, p.groups, 'Conv1D');
    const len = convOutputLength(s[1]!, p.kernelSize[0]!, p.padding, p.strides[0]!, p.dilationRate[0]!);
    return [requirePositive([null, len, p.filters], 'Conv1D', 'kernelSize')];
  },
  paramCount([x], p) {
    const cin = channelsPerGroup(lastDim(x!, 'Conv1D'), p.filters, p.groups, 'Conv1D');
    return { trainable: p.kernelSize[0]! * cin * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  macs: ([x], p, [y]) => prod(y!.slice(1, 2)) * p.kernelSize[0]! * (lastDim(x!, 'Conv1D') / p.groups) * p.filters,
  tfjsLayers: [CausalPadding1D, GroupedConv],
  toTfjs([x], p, ctx) {
    let input = x!;
    if (p.padding === 'causal') {
      const left = (p.kernelSize[0]! - 1) * p.dilationRate[0]!;
      input = ctx.register(new CausalPadding1D({ left, name: `${ctx.name}_causal_pad` })).apply(input) as tf.SymbolicTensor;
    }
    if (p.groups > 1) return [groupedConvTfjs(input, p, 1, ctx)];
    const conv = ctx.register(
      ctx.tf.layers.conv1d({
        filters: p.filters,
        kernelSize: p.kernelSize[0]!,
        strides: p.strides[0]!,
        padding: p.padding === 'same' ? 'same' : 'valid',
        dilationRate: p.dilationRate[0]!,
        activation: p.activation as never,
        useBias: p.useBias,
        kernelInitializer: ctx.kernelInitializer as never,
        name: ctx.name,
      }),
    );
    return [conv.apply(input) as tf.SymbolicTensor];
  },
  // The causal pad layer has no weights, so the kernel and bias are the Conv1D's; "causal" becomes
  // explicit left pads on the ONNX Conv.
  toOnnx: (ctx, { params: p, nodeId, inputs: [x], inputShapes: [xs], weights }) => [
    emitConv(ctx, { nodeId, x: x!, xShape: xs!, weights, kernelSize: p.kernelSize, strides: p.strides, dilationRate: p.dilationRate, padding: p.padding, activation: p.activation, groups: p.groups }),
  ],
  outputActivation: (p) => p.activation,
  pytorchPrelude: [CONV_ND_PY],
  toPytorch: (a) => convToPytorch(a, 1),
  fixtures: [
    ...grid(
      { kernelSize: [1, 3, 4], strides: [1, 2, 3], padding: ['valid', 'same', 'causal'] },
      (params) => ({ params: { filters: 4, ...params }, inputs: [[null, 11, 3]] }),
    ),
    ...grid({ dilationRate: [2, 3], padding: ['valid', 'same', 'causal'] }, (params) => ({
      params: { filters: 3, kernelSize: 3, ...params },
      inputs: [[null, 13, 2]],
    })),
    { params: { filters: 2, kernelSize: 2, padding: 'causal', activation: 'relu', useBias: false }, inputs: [[null, null, 4]], note: 'variable length' },
    // Unknown length under "same", stride 1: the pads are (k − 1)·d whatever the length, so they stay explicit.
    { params: { filters: 2, kernelSize: 4, padding: 'same' }, inputs: [[null, null, 3]], note: 'variable length' },
    { params: { filters: 5, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }, inputs: [[null, 7, 1]] },
    ...grid({ groups: [2, 4], padding: ['valid', 'same', 'causal'] }, (params) => ({ params: { filters: 8, kernelSize: 3, ...params }, inputs: [[null, 10, 4]] })),
    { params: { filters: 6, kernelSize: 3, groups: 3, strides: 2, activation: 'hardSigmoidTorch' }, inputs: [[null, 11, 3]], note: 'depthwise ×2' },
    { params: { filters: 4, kernelSize: 2, groups: 2, dilationRate: 2, padding: 'causal' }, inputs: [[null, null, 6]], note: 'grouped, variable length' },
  ],
});
