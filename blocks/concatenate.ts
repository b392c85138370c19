import { BlockError, defineBlock, type Dim, type Shape } from '../src/core/spec';
import { fmtShape } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { assign, axisOf } from '../src/pytorch/emit';

/** The axis as a positive index for inputs of `rank` (batch included); throws when out of range. */
function resolveAxis(axis: number, rank: number, shape: Shape): number {
  const a = axis < 0 ? rank + axis : axis;
  if (a < 1 || a >= rank)
    throw new BlockError(`axis ${axis} does not fit inputs like ${fmtShape(shape)}: use 1…${rank - 1} or -1…-${rank - 1} (axis 0 is the batch)`, { param: 'axis' });
  return a;
}

export default defineBlock({
  type: 'Concatenate',
  category: 'merge',
  label: 'Concatenate',
  docs:
    'Joins its inputs along one axis, by default the last (channels or features): [8, 8, 16] and [8, 8, 32] give [8, 8, 48]. All other dimensions must agree. Use it for Inception-style branches, U-Net skip connections and for combining feature sets.',
  params: {
    axis: { kind: 'int', default: -1, doc: 'Axis to join along (-1: the last; 0 is the batch and not allowed).', key: true },
  },
  inputs: () => ({ variadic: true, prefix: 'in', min: 2 }),
  outputs: () => ['out'],
  inferShape(inputs, p) {
    const missing = inputs.findIndex((s) => !s);
    if (inputs.length < 2 || missing >= 0)
      throw new BlockError(`Concatenate needs at least 2 inputs on in0, in1…, got ${inputs.filter(Boolean).length}`, { port: `in${missing >= 0 ? missing : inputs.length}` });
    const shapes = inputs as Shape[];
    const first = shapes[0]!;
    const rank = first.length;
    shapes.forEach((s, k) => {
      if (s.length !== rank)
        throw new BlockError(`Concatenate needs inputs of the same rank, got ${fmtShape(first)} on in0 and ${fmtShape(s)} on in${k} — add a Reshape or Flatten to one branch`, { port: `in${k}` });
    });
    const a = resolveAxis(p.axis, rank, first);
    // As tfjs: every dimension off the concat axis must be equal (an unknown only matches unknown).
    shapes.forEach((s, k) => {
      for (let i = 1; i < rank; i++) {
        if (i !== a && s[i] !== first[i])
          throw new BlockError(
            `Concatenate on axis ${p.axis} needs the inputs to agree on every other axis, but in0 ${fmtShape(first)} and in${k} ${fmtShape(s)} differ on axis ${i} (${first[i] ?? 'null'} vs ${s[i] ?? 'null'}) — resize one branch, or concatenate on axis ${i}`,
            { port: `in${k}` },
          );
      }
    });
    const out: Dim[] = first.slice();
    out[a] = shapes.some((s) => s[a] === null) ? null : shapes.reduce((n, s) => n + s[a]!, 0);
    return [out];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs(xs, p, ctx) {
    // tfjs' shape inference handles a negative axis, but its run-time concat (K.concatenate)
    // treats every negative axis as the last one; so tfjs gets the axis as a positive index.
    const axis = resolveAxis(p.axis, xs[0]!.shape.length, xs[0]!.shape);
    return [ctx.register(ctx.tf.layers.concatenate({ axis, name: ctx.name })).apply(xs as never) as never];
  },
  toOnnx: (ctx, { inputs, params, inputShapes }) =>
    ctx.node('Concat', inputs as string[], { axis: { i: resolveAxis(params.axis, inputShapes[0]!.length, inputShapes[0]!) } }),
  toPytorch: (a) => assign(a, `torch.cat([${a.inputs.join(', ')}], dim=${axisOf(a.params.axis, a.inputShapes[0]!.length)})`),
  fixtures: [
    ...grid({ axis: [-1, 1, 2, 3, -3] }, ({ axis }) => ({ params: { axis }, inputs: [[null, 4, 5, 3], [null, 4, 5, 3]] })),
    { params: {}, inputs: [[null, 8, 8, 16], [null, 8, 8, 32]] },
    { params: { axis: 1 }, inputs: [[null, 2, 6, 3], [null, 5, 6, 3], [null, 1, 6, 3]], note: 'three inputs' },
    { params: {}, inputs: [[null, 4], [null, 7]] },
    { params: { axis: 1 }, inputs: [[null, 3, 5], [null, 4, 5]] },
    { params: { axis: 2 }, inputs: [[null, 6, 2], [null, 6, 3]] },
    { params: {}, inputs: [[null, null, 2], [null, null, 3]], note: 'variable length' },
  ],
});
