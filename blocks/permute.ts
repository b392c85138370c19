import { BlockError, defineBlock } from '../src/core/spec';
import { fmtShape } from '../src/core/shapes';
import { assign } from '../src/pytorch/emit';

export default defineBlock({
  type: 'Permute',
  category: 'reshape',
  label: 'Permute',
  docs:
    'Reorders the axes of each example; the batch stays first. dims lists, 1-based as in tfjs and Keras, which input axis goes to each output position: [2, 1] swaps steps and features of a sequence, [3, 1, 2] turns [h, w, c] into [c, h, w].',
  params: {
    dims: { kind: 'intList', default: [2, 1], min: 1, minLength: 1, doc: 'A permutation of 1…n (n = dimensions per example): output axis i takes input axis dims[i].', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
    const n = x.length - 1;
    const dims = p.dims as number[];
    const sorted = dims.slice().sort((a, b) => a - b);
    if (dims.length !== n || sorted.some((d, i) => d !== i + 1))
      throw new BlockError(
        `dims ${JSON.stringify(dims)} must be a permutation of 1…${n} for an input with ${n} dimensions per example (${fmtShape(x)}), e.g. ${JSON.stringify(Array.from({ length: n }, (_, i) => n - i))}`,
        { param: 'dims' },
      );
    return [[null, ...dims.map((d) => x[d]!)]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [ctx.register(ctx.tf.layers.permute({ dims: p.dims as number[], name: ctx.name })).apply(x!) as never],
  toOnnx: (ctx, { inputs, params }) => ctx.node('Transpose', [inputs[0]!], { perm: { ints: [0, ...(params.dims as number[])] } }),
  toPytorch: (a) => assign(a, `${a.inputs[0]}.permute(0, ${(a.params.dims as number[]).join(', ')})`),
  fixtures: [
    { params: {}, inputs: [[null, 7, 3]] },
    { params: { dims: [1] }, inputs: [[null, 5]] },
    { params: { dims: [3, 1, 2] }, inputs: [[null, 4, 5, 2]] },
    { params: { dims: [2, 3, 1] }, inputs: [[null, 4, 5, 2]] },
    { params: { dims: [1, 3, 2] }, inputs: [[null, 3, 4, 6]] },
    { params: { dims: [4, 2, 1, 3] }, inputs: [[null, 2, 3, 4, 5]] },
    { params: {}, inputs: [[null, null, 8]], note: 'variable length' },
  ],
});
