import { defineBlock } from '../src/core/spec';
import { mergeBlock } from '../src/core/merge';

export default defineBlock(
  mergeBlock({
    type: 'Add',
    label: 'Add',
    docs: 'Adds its inputs element-wise. This is the residual connection of ResNets and transformers: feed the block input and the branch output, which must have the same shape.',
    layer: (tf, name) => tf.layers.add({ name }),
    onnxOp: 'Add',
    torch: (xs) => xs.join(' + '),
  }),
);
