import { defineBlock, type TorchTensor, type PytorchSnippet } from '../src/core/spec';
import { ACTIVATIONS, convOutputLength, lastDim, prod, requirePositive, requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { CONV_ND_PY, checkStridesDilation, convWindow } from './convCommon';
import { depthwiseKernelToOnnx, emitActivation, findWeight, floatInit, kernelToOnnx, toChannelsFirst, toChannelsLast, weightInit } from '../src/onnx/ops';
import { asIs, callMember, perm, pick, py } from '../src/pytorch/emit';
import '../src/core/layers/activations'; // registers hardSwish, hardSigmoidTorch, geluTanh with tfjs

/** model.py's SeparableConv2d: depthwise ConvNd then a 1×1 pointwise conv. */
const SEPARABLE_PY: PytorchSnippet = {
  name: 'SeparableConv2d',
  requires: [CONV_ND_PY],
  source: String.raw`class SeparableConv2d(nn.Module):
    """Keras SeparableConv2D: depthwise (with the depth multiplier) then a 1×1 pointwise conv."""

    def __init__(self, cin, cout, kernel, strides, dilation, padding, multiplier, bias=True, activation="linear"):
        super().__init__()
        self.depthwise = ConvNd(2, cin, cin * multiplier, kernel, strides, dilation, padding, groups=cin, bias=False)
        self.pointwise = nn.Parameter(torch.zeros(cout, cin * multiplier, 1, 1))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.activation = activation

    def forward(self, x):
        y = F.conv2d(to_cf(self.depthwise(x)), self.pointwise, self.bias)
        return ACTIVATIONS[self.activation](to_cl(y))
`,
};

export default defineBlock({
  type: 'SeparableConv2D',
  category: 'conv',
  label: 'Separable Conv 2D',
  docs:
    'A depthwise convolution (each channel filtered on its own) followed by a 1×1 pointwise convolution that mixes channels into `filters` outputs. It approximates a Conv2D with far fewer parameters and multiply–accumulates, which is why Xception and MobileNets are built from it.',
  params: {
    filters: { kind: 'int', default: 32, min: 1, doc: 'Number of output channels of the pointwise step.', key: true },
    kernelSize: { kind: 'ints', length: 2, default: [3, 3], doc: 'Height and width of the depthwise filter window.', key: true },
    strides: { kind: 'ints', length: 2, default: [1, 1], doc: 'Step of the depthwise window along height and width.' },
    padding: { kind: 'enum', options: ['valid', 'same'], default: 'valid', doc: '"valid": no padding; "same": pad so the output is ceil(input / stride).' },
    dilationRate: { kind: 'ints', length: 2, default: [1, 1], doc: 'Spacing between depthwise kernel taps.' },
    depthMultiplier: { kind: 'int', default: 1, min: 1, doc: 'Depthwise filters per input channel (the pointwise step sees channels × depthMultiplier).' },
    activation: { kind: 'enum', options: ACTIVATIONS, default: 'linear', doc: 'Activation applied to the output.', key: true },
    useBias: { kind: 'bool', default: true, doc: 'Add a learned bias per output filter.' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  checkParams(p) {
    checkStridesDilation(p.strides, p.dilationRate);
  },
  inferShape([x], p) {
    const s = requireRank(x, 4, 'SeparableConv2D');
    lastDim(s, 'SeparableConv2D');
    const h = convOutputLength(s[1]!, p.kernelSize[0]!, p.padding, p.strides[0]!, p.dilationRate[0]!);
    const w = convOutputLength(s[2]!, p.kernelSize[1]!, p.padding, p.strides[1]!, p.dilationRate[1]!);
    return [requirePositive([null, h, w, p.filters], 'SeparableConv2D', 'kernelSize')];
  },
  paramCount([x], p) {
    const mid = lastDim(x!, 'SeparableConv2D') * p.depthMultiplier;
    return { trainable: prod(p.kernelSize) * mid + mid * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  // Depthwise (groups = channels) plus pointwise (1×1, channels × depthMultiplier → filters).
  macs: ([x], p, [y]) => {
    const positions = prod(y!.slice(1, 3));
    const mid = lastDim(x!, 'SeparableConv2D') * p.depthMultiplier;
    return positions * prod(p.kernelSize) * mid + positions * mid * p.filters;
  },
  toTfjs: ([x], p, ctx) => [
    ctx.register(
      ctx.tf.layers.separableConv2d({
        filters: p.filters,
        kernelSize: p.kernelSize,
        strides: p.strides,
        padding: p.padding as 'valid' | 'same',
        dilationRate: p.dilationRate as [number, number],
        depthMultiplier: p.depthMultiplier,
        activation: p.activation as never,
        useBias: p.useBias,
        // tfjs rejects kernelInitializer here; its pointwise kernel also takes the depthwise one.
        depthwiseInitializer: ctx.kernelInitializer as never,
        pointwiseInitializer: ctx.kernelInitializer as never,
        name: ctx.name,
      }),
    ).apply(x!) as never,
  ],
  // Two ONNX Convs between one pair of Transposes: the depthwise one (group = channels, no bias)
  // and the 1×1 pointwise one carrying the bias, as tfjs' separableConv2d + biasAdd.
  toOnnx(ctx, { params: p, nodeId, inputs: [x], inputShapes: [xs], weights }) {
    const dw = findWeight(weights, 'depthwise_kernel', nodeId);
    const pw = findWeight(weights, 'pointwise_kernel', nodeId);
    const bias = weights.find((w) => w.name === 'bias' || w.name.endsWith('/bias'));
    const win = convWindow(ctx, toChannelsFirst(ctx, x!, 4), xs!.slice(1, -1), p.kernelSize, p.strides, p.dilationRate, p.padding);
    const mid = ctx.node('Conv', [win.x, floatInit(ctx, 'depthwise_kernel', depthwiseKernelToOnnx(dw))], {
      kernel_shape: { ints: p.kernelSize },
      strides: { ints: p.strides },
      dilations: { ints: p.dilationRate },
      group: { i: dw.shape[2]! },
      ...win.attrs,
    })[0]!;
    const pwIns = [mid, floatInit(ctx, 'pointwise_kernel', kernelToOnnx(pw))];
    if (bias) pwIns.push(weightInit(ctx, 'bias', bias));
    const y = ctx.node('Conv', pwIns, { kernel_shape: { ints: [1, 1] } })[0]!;
    return [emitActivation(ctx, p.activation, toChannelsLast(ctx, y, 4))];
  },
  outputActivation: (p) => p.activation,
  pytorchPrelude: [SEPARABLE_PY],
  toPytorch(a) {
    const p = a.params;
    const k = pick(a.weights, 'depthwise_kernel', a.nodeId);
    const pw = pick(a.weights, 'pointwise_kernel', a.nodeId);
    const [kh, kw, cin, m] = k.shape as [number, number, number, number];
    const w: Record<string, TorchTensor> = {
      'depthwise.weight': { shape: [cin * m, 1, kh, kw], data: perm(k, [2, 3, 0, 1]).data },
      pointwise: perm(pw, [3, 2, 0, 1]),
    };
    if (p.useBias) w.bias = asIs(pick(a.weights, 'bias', a.nodeId));
    return callMember(a, `SeparableConv2d(${cin}, ${pw.shape[3]}, kernel=${py(p.kernelSize)}, strides=${py(p.strides)}, dilation=${py(p.dilationRate)}, padding=${py(p.padding)}, multiplier=${m}, bias=${py(p.useBias)}, activation=${py(p.activation)})`, w);
  },
  fixtures: [
    ...grid(
      { kernelSize: [1, 3, [2, 5]], strides: [1, 2, [3, 1]], padding: ['valid', 'same'] },
      (params) => ({ params: { filters: 4, ...params }, inputs: [[null, 11, 9, 3]] }),
    ),
    ...grid({ depthMultiplier: [1, 2], dilationRate: [2, [1, 3]], padding: ['valid', 'same'] }, (params) => ({
      params: { filters: 5, kernelSize: [3, 2], ...params },
      inputs: [[null, 12, 13, 2]],
    })),
    { params: { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', useBias: false }, inputs: [[null, 7, 7, 4]] },
  ],
});
