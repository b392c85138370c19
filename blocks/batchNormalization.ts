import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type Shape, type PytorchSnippet } from '../src/core/spec';
import { fmtShape, prod, requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { findWeight, weightInit } from '../src/onnx/ops';
import { affine, pick, asIs, axisOf, callMember, py } from '../src/pytorch/emit';

/** The normalised axis as a positive index, with its (known) size; throws naming the fix. */
function featureAxis(x: Shape | undefined, axis: number): { a: number; size: number } {
  // tfjs' batchNormalization kernels exist for ranks 2–4 only (rank 5 throws NotImplemented).
  requireRank(x, [2, 3, 4], 'BatchNormalization');
  x = x!;
  const a = axis < 0 ? x.length + axis : axis;
  if (a < 1 || a >= x.length)
    throw new BlockError(`axis ${axis} does not fit input ${fmtShape(x)}: use 1…${x.length - 1} or -1…-${x.length - 1} (axis 0 is the batch)`, { param: 'axis' });
  const size = x[a];
  if (size === null || size === undefined)
    throw new BlockError(`axis ${axis} of input ${fmtShape(x)} has an unknown size; BatchNormalization learns one scale and shift per entry of that axis, so it must be known — normalise a known axis (usually the last, channels)`, { param: 'axis' });
  return { a, size };
}

// tfjs' own BatchNormalization class (the registry is the public way to reach it).
const TfjsBatchNormalization = tf.serialization.SerializationMap.getMap().classNameMap['BatchNormalization']![0] as unknown as typeof tf.layers.Layer;

interface BatchNormInternals {
  center: boolean;
  scale: boolean;
  epsilon: number;
  momentum: number;
  gamma?: tf.LayerVariable;
  beta?: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/**
 * tfjs' BatchNormalization on the last axis, fixed for training without gamma or beta: tfjs 4.22
 * reads both unconditionally in its training branch and throws ("Cannot read properties of
 * undefined") when center or scale is false. The training step here does what tfjs does (batch
 * moments over every axis but the last, moving averages updated with the biased variance), minus
 * the missing weights. Inference and the weights are tfjs' own; it serialises as
 * BatchNormalization.
 */
export class BatchNormalizationLastAxis extends TfjsBatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormInternals;
    if (!kwargs.training || (self.center && self.scale)) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, self.epsilon)));
      if (self.scale) y = tf.mul(y, self.gamma!.read());
      if (self.center) y = tf.add(y, self.beta!.read());
      const decay = 1 - self.momentum;
      for (const [v, batch] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
        const old = v.read();
        v.write(tf.sub(old, tf.mul(tf.sub(old, batch), decay)));
      }
      return y;
    });
  }
}

/** Moves axis `a` (of `rank`, batch included) to the end: tfjs Permute dims (1-based). */
function toLastDims(a: number, rank: number): number[] {
  return [...Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((d) => d !== a), a];
}
/** The inverse of toLastDims. */
function fromLastDims(a: number, rank: number): number[] {
  const inv = new Array<number>(rank - 1);
  toLastDims(a, rank).forEach((src, i) => (inv[src - 1] = i + 1));
  return inv;
}

/** model.py's BatchNorm: Keras BatchNormalization on any one axis. */
const BATCH_NORM_PY: PytorchSnippet = {
  name: 'BatchNorm',
  source: String.raw`class BatchNorm(nn.Module):
    """Keras BatchNormalization on one axis (eps as in tfjs; torch momentum = 1 − Keras momentum)."""

    def __init__(self, size, axis, eps, momentum, center, scale):
        super().__init__()
        self.axis, self.eps, self.momentum = axis, eps, momentum
        self.weight = nn.Parameter(torch.ones(size)) if scale else None
        self.bias = nn.Parameter(torch.zeros(size)) if center else None
        self.register_buffer("running_mean", torch.zeros(size))
        self.register_buffer("running_var", torch.ones(size))

    def forward(self, x):
        y = x.movedim(self.axis, 1)
        shape = y.shape
        y = F.batch_norm(y.reshape(shape[0], shape[1], -1), self.running_mean, self.running_var, self.weight, self.bias,
                         self.training, self.momentum, self.eps)
        return y.reshape(shape).movedim(1, self.axis)
`,
};

export default defineBlock({
  type: 'BatchNormalization',
  category: 'norm',
  label: 'Batch Normalization',
  docs:
    'Normalises each channel (the axis, by default the last) with the mean and variance of the current batch while training, and with their moving averages at inference, then applies a learned scale (gamma) and shift (beta). It lets deep CNNs train faster and more stably; put it after a Conv2D (with useBias off) and before the activation.',
  params: {
    axis: { kind: 'int', default: -1, doc: 'The feature axis with one statistic each (-1: the last, i.e. channels).' },
    momentum: { kind: 'float', default: 0.99, min: 0, max: 1, doc: 'Momentum of the moving mean and variance (closer to 1: slower, smoother).' },
    epsilon: { kind: 'float', default: 0.001, min: 0, exclusiveMin: true, doc: 'Added to the variance before the square root, for stability.' },
    center: { kind: 'bool', default: true, doc: 'Learn a shift beta (trainable).' },
    scale: { kind: 'bool', default: true, doc: 'Learn a scale gamma (trainable). Off when a linear layer (or relu) follows.' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    featureAxis(x, p.axis);
    return [x!.slice()];
  },
  // As tfjs (and torchvision): gamma and beta train, the moving mean and variance do not.
  paramCount([x], p) {
    const { size } = featureAxis(x, p.axis);
    return { trainable: (p.scale ? size : 0) + (p.center ? size : 0), nonTrainable: 2 * size };
  },
  // Inference folds into one multiply-add per element.
  macs: ([x]) => prod(x!.slice(1)),
  toTfjs([x], p, ctx) {
    const rank = x!.shape.length;
    const { a } = featureAxis(x!.shape, p.axis);
    const bn = (v: tf.SymbolicTensor) =>
      ctx.register(new BatchNormalizationLastAxis({ axis: -1, momentum: p.momentum, epsilon: p.epsilon, center: p.center, scale: p.scale, name: ctx.name } as ConstructorParameters<typeof tf.layers.Layer>[0])).apply(v) as tf.SymbolicTensor;
    if (a === rank - 1) return [bn(x!)];
    // tfjs-core's CPU batchNorm kernel indexes mean/variance/gamma/beta by flat position modulo
    // their length, ignoring their broadcast shape, so tfjs normalises a non-last axis wrongly.
    // The feature axis is moved to the end (and back) with weightless Permute layers instead.
    const there = ctx.register(ctx.tf.layers.permute({ dims: toLastDims(a, rank), name: `${ctx.name}_to_last` })).apply(x!) as tf.SymbolicTensor;
    return [ctx.register(ctx.tf.layers.permute({ dims: fromLastDims(a, rank), name: `${ctx.name}_back` })).apply(bn(there)) as tf.SymbolicTensor];
  },
  toOnnx(ctx, { inputs, params, inputShapes, weights, nodeId }) {
    const x = inputs[0]!;
    const shape = inputShapes[0]!;
    const rank = shape.length;
    const { a, size } = featureAxis(shape, params.axis);
    // ONNX BatchNormalization (inference form: training_mode 0) normalises axis 1 with the
    // moving statistics; absent gamma/beta are ones/zeros, and epsilon is tfjs' value.
    const fill = (hint: string, v: number) => ctx.constFloat(hint, new Float32Array(size).fill(v), [size]);
    const gamma = params.scale ? weightInit(ctx, `${nodeId}_gamma`, findWeight(weights, 'gamma', nodeId)) : fill(`${nodeId}_gamma`, 1);
    const beta = params.center ? weightInit(ctx, `${nodeId}_beta`, findWeight(weights, 'beta', nodeId)) : fill(`${nodeId}_beta`, 0);
    const mean = weightInit(ctx, `${nodeId}_moving_mean`, findWeight(weights, 'moving_mean', nodeId));
    const variance = weightInit(ctx, `${nodeId}_moving_variance`, findWeight(weights, 'moving_variance', nodeId));
    const bn = (v: string) => ctx.node('BatchNormalization', [v, gamma, beta, mean, variance], { epsilon: { f: params.epsilon }, momentum: { f: params.momentum } })[0]!;
    if (a === 1) return [bn(x)];
    // The feature axis is elsewhere (channels-last): move it to 1 and back.
    const perm = [0, a, ...Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((i) => i !== a)];
    const inv = new Array<number>(rank);
    perm.forEach((src, i) => (inv[src] = i));
    const moved = ctx.node('Transpose', [x], { perm: { ints: perm } })[0]!;
    return ctx.node('Transpose', [bn(moved)], { perm: { ints: inv } });
  },
  pytorchPrelude: [BATCH_NORM_PY],
  toPytorch(a) {
    const p = a.params;
    const ax = axisOf(p.axis, a.inputShapes[0]!.length);
    const w = affine(a);
    w.running_mean = asIs(pick(a.weights, 'moving_mean', a.nodeId));
    w.running_var = asIs(pick(a.weights, 'moving_variance', a.nodeId));
    const momentum = 1 - p.momentum;
    return callMember(a, `BatchNorm(${a.inputShapes[0]![ax]}, axis=${ax}, eps=${py(p.epsilon)}, momentum=${Number(momentum.toPrecision(12))}, center=${py(p.center)}, scale=${py(p.scale)})`, w);
  },
  fixtures: [
    ...grid({ center: [true, false], scale: [true, false] }, (flags) => ({ params: flags, inputs: [[null, 6, 5, 4]] })),
    { params: {}, inputs: [[null, 10]] },
    { params: { momentum: 0.9, epsilon: 1e-5 }, inputs: [[null, 7, 3]] },
    { params: { axis: 1 }, inputs: [[null, 4, 5, 3]], note: 'channels-first' },
    { params: { axis: 2 }, inputs: [[null, 4, 5, 3]] },
    { params: { axis: -2 }, inputs: [[null, 6, 5]] },
    { params: {}, inputs: [[null, null, 8]], note: 'variable length' },
    { params: { epsilon: 0.1, axis: 1 }, inputs: [[null, 3, 7]] },
  ],
});
