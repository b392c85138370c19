import { BlockError, defineBlock } from '../src/core/spec';
import { fmtShape, requireRank } from '../src/core/shapes';
import { assign } from '../src/pytorch/emit';

export default defineBlock({
  type: 'Cropping2D',
  category: 'reshape',
  label: 'Cropping 2D',
  docs:
    'Removes rows and columns from the edges of an image. U-Net uses it to trim encoder feature maps to the decoder\'s size before concatenating; it also undoes a ZeroPadding2D.',
  params: {
    cropping: {
      kind: 'padding2d',
      default: [
        [0, 0],
        [0, 0],
      ],
      doc: 'Rows and columns to remove: one number for all sides, [rows, columns], or [[top, bottom], [left, right]].',
      key: true,
    },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    const s = requireRank(x, 4, 'Cropping2D');
    const [[t, b], [l, r]] = p.cropping;
    const crop = (d: number | null, a: number, z: number, axis: string) => {
      if (d === null) return null;
      if (d - a - z <= 0)
        throw new BlockError(
          `cropping ${JSON.stringify(p.cropping)} removes ${a + z} ${axis} of an input with ${d} (input ${fmtShape(s)}), leaving nothing — crop fewer than ${d} ${axis} in total`,
          { param: 'cropping' },
        );
      return d - a - z;
    };
    return [[null, crop(s[1]!, t, b, 'rows'), crop(s[2]!, l, r, 'columns'), s[3]!]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs([x], p, ctx) {
    const layer = ctx.register(ctx.tf.layers.cropping2D({ cropping: p.cropping, name: ctx.name }));
    const [[t, b], [l, r]] = p.cropping;
    // tfjs 4.22 computes an unknown size minus the crop as null − t − b = a negative number, and
    // at run time slices with size d − t − b, where a negative size means "to the end". So the
    // symbolic shape keeps unknown sizes unknown, and too small an input is an error, not a
    // silently wrong slice.
    const crop = (d: number | null, a: number, z: number) => (d === null ? null : d - a - z);
    layer.computeOutputShape = (s) => {
      const q = s as (number | null)[];
      return [q[0] ?? null, crop(q[1] ?? null, t, b), crop(q[2] ?? null, l, r), q[3] ?? null] as never;
    };
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => {
      const shape = (Array.isArray(inputs) ? inputs[0]! : inputs).shape;
      if (shape[1]! - t - b <= 0 || shape[2]! - l - r <= 0)
        throw new Error(`Cropping2D "${ctx.name}": cropping ${JSON.stringify(p.cropping)} leaves nothing of an input of ${shape[1]}×${shape[2]} — feed a larger image`);
      return call(inputs, kwargs);
    };
    return [layer.apply(x!) as never];
  },
  toOnnx(ctx, { params: p, inputs: [x], inputShapes: [xs] }) {
    const [[t, b], [l, r]] = p.cropping;
    // Ends from the known size; for an unknown size count from the end (or to the end when 0).
    const BIG = 2 ** 31 - 1;
    const end = (d: number | null, z: number) => (d !== null ? d - z : z > 0 ? -z : BIG);
    const starts = ctx.constInt64('starts', [t, l], [2]);
    const ends = ctx.constInt64('ends', [end(xs![1]!, b), end(xs![2]!, r)], [2]);
    const axes = ctx.constInt64('axes', [1, 2], [2]);
    return ctx.node('Slice', [x!, starts, ends, axes]);
  },
  toPytorch(a) {
    const [[tp, bt], [l, r]] = a.params.cropping;
    const end = (n: number) => (n ? String(-n) : '');
    return assign(a, `${a.inputs[0]}[:, ${tp}:${end(bt)}, ${l}:${end(r)}]`);
  },
  fixtures: [
    { params: {}, inputs: [[null, 5, 7, 3]], note: 'no-op' },
    { params: { cropping: 1 }, inputs: [[null, 5, 7, 3]] },
    { params: { cropping: [2, 0] }, inputs: [[null, 6, 5, 2]] },
    { params: { cropping: [[0, 3], [1, 2]] }, inputs: [[null, 9, 8, 1]] },
    { params: { cropping: [[2, 1], [0, 0]] }, inputs: [[null, 4, 3, 2]] },
  ],
});
