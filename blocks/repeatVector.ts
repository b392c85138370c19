import { defineBlock } from '../src/core/spec';
import { requireRank } from '../src/core/shapes';
import { assign, py } from '../src/pytorch/emit';

export default defineBlock({
  type: 'RepeatVector',
  category: 'reshape',
  label: 'Repeat Vector',
  docs:
    'Repeats a feature vector n times to make a sequence: [features] → [n, features]. The classic use is a sequence-to-sequence model whose encoder summary is fed to every step of a recurrent decoder.',
  params: {
    n: { kind: 'int', default: 2, min: 1, doc: 'Number of repetitions (the output sequence length).', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    const s = requireRank(x, 2, 'RepeatVector');
    return [[null, p.n, s[1]!]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [ctx.register(ctx.tf.layers.repeatVector({ n: p.n, name: ctx.name })).apply(x!) as never],
  toOnnx(ctx, { inputs, params }) {
    // [b, f] → [b, 1, f] → tiled n times along the new axis.
    const u = ctx.node('Unsqueeze', [inputs[0]!, ctx.constInt64('axes', [1])])[0]!;
    return ctx.node('Tile', [u, ctx.constInt64('repeats', [1, params.n, 1])]);
  },
  toPytorch: (a) => assign(a, `${a.inputs[0]}.unsqueeze(1).expand(-1, ${py(a.params.n)}, -1)`),
  fixtures: [
    { params: {}, inputs: [[null, 8]] },
    { params: { n: 1 }, inputs: [[null, 3]] },
    { params: { n: 7 }, inputs: [[null, 5]] },
  ],
});
