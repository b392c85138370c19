import { BlockError, defineBlock, MAX_RANK } from '../src/core/spec';

export default defineBlock({
  type: 'Input',
  category: 'io',
  label: 'Input',
  docs:
    'Where data enters the network. Set the shape of one example without the batch dimension: [28, 28, 1] for a grey 28×28 image, [20] for 20 features, [30] with dtype int32 for 30 token ids. Every graph needs at least one.',
  params: {
    shape: { kind: 'intList', default: null, required: true, allowNull: true, minLength: 1, doc: 'Shape of one example, without the batch dimension (null for a variable length).', key: true },
    dtype: { kind: 'enum', options: ['float32', 'int32'], default: 'float32', doc: 'float32 for features and images; int32 for token ids fed to an Embedding.' },
  },
  inputs: () => [],
  outputs: () => ['out'],
  checkParams(p) {
    if (p.shape.length === 0) throw new BlockError('param "shape" must have at least one dimension', { param: 'shape' });
    if (p.shape.length > MAX_RANK - 1)
      throw new BlockError(
        `param "shape" ${JSON.stringify(p.shape)} has ${p.shape.length} dimensions: tfjs runs tensors of rank ${MAX_RANK} at most (the batch and ${MAX_RANK - 1} more) — merge some dimensions`,
        { param: 'shape' },
      );
  },
  inferShape: (_inputs, p) => [[null, ...p.shape]],
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  outputDtypes: (p) => [p.dtype],
  toTfjs: (_inputs, p, ctx) => [ctx.tf.input({ shape: p.shape, dtype: p.dtype as 'float32' | 'int32', name: ctx.name })],
  // The exporter declares one graph input per Input node, named after the node id.
  toOnnx: (_ctx, { nodeId }) => [nodeId],
  fixtures: [
    { params: { shape: [28, 28, 1] }, inputs: [] },
    { params: { shape: [7], dtype: 'int32' }, inputs: [] },
  ],
});
