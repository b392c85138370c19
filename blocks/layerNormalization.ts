import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type Shape, type PytorchSnippet } from '../src/core/spec';
import { fmtShape, prod, requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { findWeight, weightInit } from '../src/onnx/ops';
import { affine, axisOf, callMember, py } from '../src/pytorch/emit';

/** The normalised axis as a positive index, with its (known) size; throws naming the fix. */
function normAxis(x: Shape | undefined, axis: number): { a: number; size: number } {
  // tfjs normalises through its batchNormalization kernels, which exist for ranks 2–4 only.
  requireRank(x, [2, 3, 4], 'LayerNormalization');
  x = x!;
  const a = axis < 0 ? x.length + axis : axis;
  if (a < 1 || a >= x.length)
    throw new BlockError(`axis ${axis} does not fit input ${fmtShape(x)}: use 1…${x.length - 1} or -1…-${x.length - 1} (axis 0 is the batch)`, { param: 'axis' });
  const size = x[a];
  if (size === null || size === undefined)
    throw new BlockError(`axis ${axis} of input ${fmtShape(x)} has an unknown size; LayerNormalization learns one scale and shift per entry of that axis, so it must be known — normalise a known axis (usually the last, features)`, { param: 'axis' });
  return { a, size };
}

// tfjs' own LayerNormalization class (the registry is the public way to reach it).
const TfjsLayerNormalization = tf.serialization.SerializationMap.getMap().classNameMap['LayerNormalization']![0] as unknown as typeof tf.layers.Layer;

interface LayerNormInternals {
  center: boolean;
  scale: boolean;
  epsilon: number;
  /** Resolved to non-negative axes by build(). */
  axis: number[];
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
}

/**
 * tfjs' LayerNormalization with its call() replaced by the same normalisation in plain
 * broadcasting ops (moments over the axis, (x − mean)·rsqrt(var + ε), then gamma and beta where
 * present). Two reasons: tfjs 4.22 passes a null scale or offset to tfjs-core's batchNorm, whose
 * gradient then throws ("Cannot read properties of undefined"); and its call() broadcasts with
 * tf.tile, whose gradient is a slice + add per tiled row — 8,192 tiny kernels per training step of
 * the transformer templates (85% of a step on the WASM backend). Weights and config are tfjs' own;
 * it serialises as LayerNormalization.
 */
export class LayerNormalizationFixed extends TfjsLayerNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as LayerNormInternals;
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const { mean, variance } = tf.moments(x, self.axis, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, self.epsilon)));
      const broadcast = x.shape.map((d, i) => (self.axis.includes(i) ? d : 1));
      if (self.gamma) y = tf.mul(y, tf.reshape(self.gamma.read(), broadcast));
      if (self.beta) y = tf.add(y, tf.reshape(self.beta.read(), broadcast));
      return y;
    });
  }
}

/** model.py's LayerNorm: Keras LayerNormalization over one axis. */
const LAYER_NORM_PY: PytorchSnippet = {
  name: 'LayerNorm',
  source: String.raw`class LayerNorm(nn.Module):
    """Keras LayerNormalization over one axis (eps as in tfjs)."""

    def __init__(self, size, axis, eps, center, scale):
        super().__init__()
        self.axis, self.eps, self.size = axis, eps, size
        self.weight = nn.Parameter(torch.ones(size)) if scale else None
        self.bias = nn.Parameter(torch.zeros(size)) if center else None

    def forward(self, x):
        y = x.movedim(self.axis, -1)
        y = F.layer_norm(y, (self.size,), self.weight, self.bias, self.eps)
        return y.movedim(-1, self.axis)
`,
};

export default defineBlock({
  type: 'LayerNormalization',
  category: 'norm',
  label: 'Layer Normalization',
  docs:
    'Normalises each example on its own over the feature axis (by default the last): subtracts the mean, divides by the standard deviation, then applies a learned scale (gamma) and shift (beta). Unlike BatchNormalization it does not depend on the batch, so it behaves the same in training and inference; transformers put it around every attention and feed-forward sub-block.',
  params: {
    axis: { kind: 'int', default: -1, doc: 'The axis to normalise over (-1: the last, i.e. features).' },
    epsilon: { kind: 'float', default: 0.001, min: 0, exclusiveMin: true, doc: 'Added to the variance before the square root, for stability.' },
    center: { kind: 'bool', default: true, doc: 'Learn a shift beta.' },
    scale: { kind: 'bool', default: true, doc: 'Learn a scale gamma.' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    normAxis(x, p.axis);
    return [x!.slice()];
  },
  paramCount([x], p) {
    const { size } = normAxis(x, p.axis);
    return { trainable: (p.scale ? size : 0) + (p.center ? size : 0), nonTrainable: 0 };
  },
  // Per element: accumulate the mean and the variance, then one multiply-add.
  macs: ([x]) => 3 * prod(x!.slice(1)),
  toTfjs: ([x], p, ctx) => [
    ctx.register(
      new LayerNormalizationFixed({ axis: p.axis, epsilon: p.epsilon, center: p.center, scale: p.scale, name: ctx.name } as ConstructorParameters<typeof tf.layers.Layer>[0]),
    ).apply(x!) as never,
  ],
  toOnnx(ctx, { inputs, params, inputShapes, weights, nodeId }) {
    const x = inputs[0]!;
    const shape = inputShapes[0]!;
    const rank = shape.length;
    const { a, size } = normAxis(shape, params.axis);
    // ONNX LayerNormalization normalises the axes from `axis` to the end, so the one axis tfjs
    // normalises must be last; the epsilon is tfjs' value, absent gamma/beta are ones/zeros.
    const fill = (hint: string, v: number) => ctx.constFloat(hint, new Float32Array(size).fill(v), [size]);
    const gamma = params.scale ? weightInit(ctx, `${nodeId}_gamma`, findWeight(weights, 'gamma', nodeId)) : fill(`${nodeId}_gamma`, 1);
    const beta = params.center ? weightInit(ctx, `${nodeId}_beta`, findWeight(weights, 'beta', nodeId)) : fill(`${nodeId}_beta`, 0);
    const ln = (v: string) => ctx.node('LayerNormalization', [v, gamma, beta], { axis: { i: -1 }, epsilon: { f: params.epsilon } })[0]!;
    if (a === rank - 1) return [ln(x)];
    const perm = [...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== a), a];
    const inv = new Array<number>(rank);
    perm.forEach((src, i) => (inv[src] = i));
    const moved = ctx.node('Transpose', [x], { perm: { ints: perm } })[0]!;
    return ctx.node('Transpose', [ln(moved)], { perm: { ints: inv } });
  },
  pytorchPrelude: [LAYER_NORM_PY],
  toPytorch(a) {
    const p = a.params;
    const ax = axisOf(p.axis, a.inputShapes[0]!.length);
    const w = affine(a);
    return callMember(a, `LayerNorm(${a.inputShapes[0]![ax]}, axis=${ax}, eps=${py(p.epsilon)}, center=${py(p.center)}, scale=${py(p.scale)})`, w);
  },
  fixtures: [
    ...grid({ center: [true, false], scale: [true, false] }, (flags) => ({ params: flags, inputs: [[null, 6, 8]] })),
    { params: {}, inputs: [[null, 10]] },
    { params: { epsilon: 1e-6 }, inputs: [[null, 4, 5, 3]] },
    // Over the channels of an NHWC image: ConvNeXt's LayerNorm2d (torch normalises dim 1 of NCHW).
    { params: { epsilon: 1e-6 }, inputs: [[null, 3, 4, 8]], note: 'over channels (ConvNeXt)' },
    { params: { axis: 1 }, inputs: [[null, 4, 5, 3]] },
    { params: { axis: -2 }, inputs: [[null, 7, 3]] },
    { params: {}, inputs: [[null, null, 16]], note: 'variable length' },
  ],
});
