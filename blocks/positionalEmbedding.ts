import { defineBlock } from '../src/core/spec';
import { positionalShape } from '../src/core/layers/shapes';
import { PositionalEmbedding } from '../src/core/layers/positional';
import { positionalEmbeddingOnnx } from '../src/core/layers/onnx';
import { pick, asIs, callMember } from '../src/pytorch/emit';

export default defineBlock({
  type: 'PositionalEmbedding',
  category: 'attention',
  label: 'Positional embedding',
  docs:
    'Adds a learned vector for each position to a sequence of feature vectors [batch, steps, features], so attention layers (which ignore order) can tell positions apart. Put it after an Embedding and before the first attention block. Unlike Keras-hub\'s PositionEmbedding, which returns the position vectors alone, this block returns input + positions; sequences longer than maxLength are rejected.',
  params: {
    maxLength: { kind: 'int', default: 128, min: 1, doc: 'Longest sequence it accepts (rows of the learned table).', key: true },
    outputDim: { kind: 'int', default: null, min: 1, nullable: true, doc: 'Size of each position vector; must equal the input\'s last dimension (unset: taken from the input).' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape: ([x], p) => [positionalShape(x, 'PositionalEmbedding', p.maxLength, p.outputDim)],
  paramCount: ([x], p) => ({ trainable: p.maxLength * x![2]!, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [
    ctx.register(new PositionalEmbedding({ name: ctx.name, maxLength: p.maxLength, outputDim: p.outputDim, embeddingsInitializer: ctx.kernelInitializer })).apply(x!) as never,
  ],
  toOnnx: (ctx, args) => positionalEmbeddingOnnx(ctx, args),
  toPytorch(a) {
    const e = pick(a.weights, 'embeddings', a.nodeId);
    return callMember(a, `PositionalEmbedding(${e.shape[0]}, ${e.shape[1]})`, { embeddings: asIs(e) });
  },
  fixtures: [
    { params: { maxLength: 10 }, inputs: [[null, 10, 4]] },
    { params: { maxLength: 20, outputDim: 6 }, inputs: [[null, 7, 6]] },
    { params: { maxLength: 16 }, inputs: [[null, null, 3]], note: 'variable length' },
  ],
});
