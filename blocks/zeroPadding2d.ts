import { defineBlock } from '../src/core/spec';
import { requireRank } from '../src/core/shapes';
import { assign } from '../src/pytorch/emit';

const add = (d: number | null, a: number, b: number) => (d === null ? null : d + a + b);

export default defineBlock({
  type: 'ZeroPadding2D',
  category: 'reshape',
  label: 'Zero Padding 2D',
  docs:
    'Adds rows and columns of zeros around an image. Use it to control a following convolution\'s border exactly (e.g. ResNet\'s stem pads by 3 before a 7×7 stride-2 "valid" Conv2D) or to make sizes line up before a merge.',
  params: {
    padding: {
      kind: 'padding2d',
      default: [
        [1, 1],
        [1, 1],
      ],
      doc: 'Zeros to add: one number for all sides, [rows, columns], or [[top, bottom], [left, right]].',
      key: true,
    },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    const s = requireRank(x, 4, 'ZeroPadding2D');
    const [[t, b], [l, r]] = p.padding;
    return [[null, add(s[1]!, t, b), add(s[2]!, l, r), s[3]!]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [ctx.register(ctx.tf.layers.zeroPadding2d({ padding: p.padding, name: ctx.name })).apply(x!) as never],
  toOnnx(ctx, { params: p, inputs: [x] }) {
    // Pad works on NHWC directly: [begin N, H, W, C, end N, H, W, C].
    const [[t, b], [l, r]] = p.padding;
    // No padding is the input itself: a no-op Pad is never emitted (see guardPadFusion in src/onnx/export.ts).
    if (t === 0 && b === 0 && l === 0 && r === 0) return [x!];
    const pads = ctx.constInt64('pads', [0, t, l, 0, 0, b, r, 0], [8]);
    return ctx.node('Pad', [x!, pads], { mode: { s: 'constant' } });
  },
  toPytorch(a) {
    const [[tp, bt], [l, r]] = a.params.padding;
    return assign(a, `F.pad(${a.inputs[0]}, [0, 0, ${l}, ${r}, ${tp}, ${bt}])`);
  },
  fixtures: [
    { params: {}, inputs: [[null, 5, 7, 3]] },
    { params: { padding: 2 }, inputs: [[null, 4, 4, 1]] },
    { params: { padding: [1, 3] }, inputs: [[null, 5, 6, 2]] },
    { params: { padding: [[0, 2], [3, 1]] }, inputs: [[null, 7, 5, 3]] },
    { params: { padding: [[3, 3], [0, 0]] }, inputs: [[null, 1, 9, 2]] },
    { params: { padding: 0 }, inputs: [[null, 3, 3, 2]], note: 'no-op' },
  ],
});
