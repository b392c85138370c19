import { BlockError, defineBlock } from '../src/core/spec';
import { callMember, py } from '../src/pytorch/emit';

export default defineBlock({
  type: 'Dropout',
  category: 'regularization',
  label: 'Dropout',
  docs:
    'During training, zeroes each element with probability rate and scales the rest by 1 / (1 − rate), so the expected value is unchanged; at inference it passes the input through. It keeps a network from relying on single units. Typical rates are 0.1–0.5, before or between Dense layers.',
  params: {
    rate: { kind: 'float', default: 0.5, min: 0, max: 1, exclusiveMax: true, doc: 'Fraction of elements to drop while training (0 ≤ rate < 1).', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x]) {
    if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
    return [x.slice()];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [ctx.register(ctx.tf.layers.dropout({ rate: p.rate, name: ctx.name })).apply(x!) as never],
  // Inference: the identity.
  toOnnx: (ctx, { inputs }) => ctx.node('Identity', [inputs[0]!]),
  toPytorch: (a) => callMember(a, `nn.Dropout(${py(a.params.rate)})`),
  fixtures: [
    { params: {}, inputs: [[null, 12]] },
    { params: { rate: 0.1 }, inputs: [[null, 5, 6]] },
    { params: { rate: 0 }, inputs: [[null, 4, 4, 3]] },
    { params: { rate: 0.9 }, inputs: [[null, null, 8]], note: 'variable length' },
  ],
});
