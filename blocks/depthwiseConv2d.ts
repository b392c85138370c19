import { defineBlock, type TorchTensor } from '../src/core/spec';
import { ACTIVATIONS, convOutputLength, lastDim, prod, requirePositive, requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { CONV_ND_PY, emitConv } from './convCommon';
import { asIs, callMember, perm, pick, py } from '../src/pytorch/emit';
import '../src/core/layers/activations'; // registers hardSwish, hardSigmoidTorch, geluTanh with tfjs

export default defineBlock({
  type: 'DepthwiseConv2D',
  category: 'conv',
  label: 'Depthwise Conv 2D',
  docs:
    'Convolves each input channel with its own filters (depthMultiplier of them) and never mixes channels, so it costs a fraction of a full Conv2D. It is the spatial half of MobileNet-style blocks: follow it with a 1×1 Conv2D to mix channels. tfjs does not apply a dilation rate here, so the block has none.',
  params: {
    kernelSize: { kind: 'ints', length: 2, default: [3, 3], doc: 'Height and width of the filter window.', key: true },
    strides: { kind: 'ints', length: 2, default: [1, 1], doc: 'Step of the window along height and width.' },
    padding: { kind: 'enum', options: ['valid', 'same'], default: 'valid', doc: '"valid": no padding; "same": pad so the output is ceil(input / stride).' },
    depthMultiplier: { kind: 'int', default: 1, min: 1, doc: 'Filters per input channel; the output has channels × depthMultiplier channels.', key: true },
    activation: { kind: 'enum', options: ACTIVATIONS, default: 'linear', doc: 'Activation applied to the output.', key: true },
    useBias: { kind: 'bool', default: true, doc: 'Add a learned bias per output channel.' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    const s = requireRank(x, 4, 'DepthwiseConv2D');
    const c = lastDim(s, 'DepthwiseConv2D');
    const h = convOutputLength(s[1]!, p.kernelSize[0]!, p.padding, p.strides[0]!);
    const w = convOutputLength(s[2]!, p.kernelSize[1]!, p.padding, p.strides[1]!);
    return [requirePositive([null, h, w, c * p.depthMultiplier], 'DepthwiseConv2D', 'kernelSize')];
  },
  paramCount([x], p) {
    const out = lastDim(x!, 'DepthwiseConv2D') * p.depthMultiplier;
    return { trainable: prod(p.kernelSize) * out + (p.useBias ? out : 0), nonTrainable: 0 };
  },
  // groups = channels: each output channel sees kernel area × 1 input channel.
  macs: ([x], p, [y]) => prod(y!.slice(1, 3)) * prod(p.kernelSize) * lastDim(x!, 'DepthwiseConv2D') * p.depthMultiplier,
  toTfjs: ([x], p, ctx) => [
    ctx.register(
      ctx.tf.layers.depthwiseConv2d({
        kernelSize: p.kernelSize as [number, number],
        strides: p.strides as [number, number],
        padding: p.padding as 'valid' | 'same',
        depthMultiplier: p.depthMultiplier,
        activation: p.activation as never,
        useBias: p.useBias,
        depthwiseInitializer: ctx.kernelInitializer as never,
        name: ctx.name,
      }),
    ).apply(x!) as never,
  ],
  toOnnx: (ctx, { params: p, nodeId, inputs: [x], inputShapes: [xs], weights }) => [
    emitConv(ctx, { nodeId, x: x!, xShape: xs!, weights, kernelSize: p.kernelSize, strides: p.strides, dilationRate: [1, 1], padding: p.padding, activation: p.activation, depthwise: true }),
  ],
  outputActivation: (p) => p.activation,
  pytorchPrelude: [CONV_ND_PY],
  toPytorch(a) {
    const p = a.params;
    const k = pick(a.weights, 'depthwise_kernel', a.nodeId);
    const [kh, kw, cin, m] = k.shape as [number, number, number, number];
    const w: Record<string, TorchTensor> = { weight: { shape: [cin * m, 1, kh, kw], data: perm(k, [2, 3, 0, 1]).data } };
    if (p.useBias) w.bias = asIs(pick(a.weights, 'bias', a.nodeId));
    return callMember(a, `ConvNd(2, ${cin}, ${cin * m}, kernel=${py(p.kernelSize)}, strides=${py(p.strides)}, dilation=[1, 1], padding=${py(p.padding)}, groups=${cin}, bias=${py(p.useBias)}, activation=${py(p.activation)})`, w);
  },
  fixtures: [
    ...grid(
      { kernelSize: [1, 3, [2, 5]], strides: [1, 2, [3, 1]], padding: ['valid', 'same'] },
      (params) => ({ params: { ...params }, inputs: [[null, 11, 9, 3]] }),
    ),
    ...grid({ depthMultiplier: [2, 3], padding: ['valid', 'same'] }, (params) => ({
      params: { kernelSize: [3, 2], strides: 2, ...params },
      inputs: [[null, 7, 8, 2]],
    })),
    { params: { kernelSize: 3, activation: 'relu6', useBias: false }, inputs: [[null, 6, 6, 4]] },
  ],
});
