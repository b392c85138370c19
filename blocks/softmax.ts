import { BlockError, defineBlock, type Shape } from '../src/core/spec';
import { fmtShape } from '../src/core/shapes';
import { assign, axisOf } from '../src/pytorch/emit';

/** The axis as a positive index into a shape of `rank` (batch included); throws when out of range. */
function resolveAxis(axis: number, x: Shape): number {
  const rank = x.length;
  const a = axis < 0 ? rank + axis : axis;
  if (a < 1 || a >= rank)
    throw new BlockError(
      `axis ${axis} does not fit input ${fmtShape(x)}: use 1…${rank - 1} or -1…-${rank - 1} (axis 0 is the batch)`,
      { param: 'axis' },
    );
  return a;
}

/** Moves axis `a` to the end: the permutation (1-based, without batch) as tfjs' Permute wants it. */
function toLastDims(a: number, rank: number): number[] {
  const dims = Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((d) => d !== a);
  return [...dims, a];
}

/** The inverse of toLastDims: puts the last axis back at `a`. */
function fromLastDims(a: number, rank: number): number[] {
  const fwd = toLastDims(a, rank);
  const inv = new Array<number>(rank - 1);
  fwd.forEach((src, i) => (inv[src - 1] = i + 1));
  return inv;
}

export default defineBlock({
  type: 'Softmax',
  category: 'activation',
  label: 'Softmax',
  docs:
    'Turns scores into probabilities along one axis: exponentiates and divides by the sum, so the values along that axis are positive and add up to 1. Put it last in a classifier (or use a Dense with activation "softmax"); set axis to normalise along another axis, e.g. over time steps.',
  params: {
    // tfjs' Softmax layer documents -1 but its constructor falls back to 1; we pass the axis
    // explicitly, so the graph's default is the documented (and Keras') last axis.
    axis: { kind: 'int', default: -1, doc: 'Axis to normalise along (-1: the last; 0 is the batch and not allowed).', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
    resolveAxis(p.axis, x);
    return [x.slice()];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs([x], p, ctx) {
    const rank = x!.shape.length;
    const a = resolveAxis(p.axis, x!.shape);
    if (a === rank - 1) return [ctx.register(ctx.tf.layers.softmax({ axis: -1, name: ctx.name })).apply(x!) as never];
    // tfjs-core computes softmax only along the last axis (other axes throw at run time), so a
    // non-last axis is moved to the end and back with two weightless Permute layers.
    const there = ctx.register(ctx.tf.layers.permute({ dims: toLastDims(a, rank), name: `${ctx.name}_to_last` })).apply(x!) as never;
    const y = ctx.register(ctx.tf.layers.softmax({ axis: -1, name: ctx.name })).apply(there) as never;
    return [ctx.register(ctx.tf.layers.permute({ dims: fromLastDims(a, rank), name: `${ctx.name}_back` })).apply(y) as never];
  },
  // Opset 13+ Softmax normalises along `axis` alone (not the flattened tail), as tfjs does.
  toOnnx: (ctx, { inputs, params, inputShapes }) => ctx.node('Softmax', [inputs[0]!], { axis: { i: resolveAxis(params.axis, inputShapes[0]!) } }),
  outputActivation: () => 'softmax',
  toPytorch: (a) => assign(a, `F.softmax(${a.inputs[0]}, dim=${axisOf(a.params.axis, a.inputShapes[0]!.length)})`),
  fixtures: [
    { params: {}, inputs: [[null, 10]] },
    { params: {}, inputs: [[null, 7, 5]] },
    { params: { axis: 1 }, inputs: [[null, 7, 5]], note: 'over time' },
    { params: { axis: 2 }, inputs: [[null, 3, 4, 5]] },
    { params: { axis: -3 }, inputs: [[null, 3, 4, 5]] },
    { params: { axis: 3 }, inputs: [[null, 3, 4, 5]] },
    { params: {}, inputs: [[null, null, 6]], note: 'variable length' },
  ],
});
