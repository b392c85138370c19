import { defineBlock } from '../src/core/spec';
import { positionalShape } from '../src/core/layers/shapes';
import { SinePositionEncoding } from '../src/core/layers/positional';
import { sineOnnx } from '../src/core/layers/onnx';
import { callMember, py } from '../src/pytorch/emit';

export default defineBlock({
  type: 'SinePositionEncoding',
  category: 'attention',
  label: 'Sine position encoding',
  docs:
    'Adds the fixed sinusoidal position encoding of "Attention Is All You Need" to a sequence [batch, steps, features]: even features get sin(pos / maxWavelength^(2i/D)), odd ones the cosine. It has no weights and works for any length. Keras-hub\'s layer returns the encoding alone; this block returns input + encoding, so it sits directly between an Embedding and the attention blocks.',
  params: {
    maxWavelength: { kind: 'float', default: 10000, min: 0, exclusiveMin: true, doc: 'Longest wavelength of the sinusoids (10000 in the transformer paper).' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape: ([x]) => [positionalShape(x, 'SinePositionEncoding')],
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [ctx.register(new SinePositionEncoding({ name: ctx.name, maxWavelength: p.maxWavelength })).apply(x!) as never],
  toOnnx: (ctx, args) => sineOnnx(ctx, args),
  toPytorch: (a) => callMember(a, `SinePositionEncoding(${py(a.params.maxWavelength)})`),
  fixtures: [
    { params: {}, inputs: [[null, 12, 8]] },
    { params: { maxWavelength: 100 }, inputs: [[null, 5, 7]], note: 'odd features' },
    { params: {}, inputs: [[null, null, 6]], note: 'variable length' },
  ],
});
