import { defineBlock } from '../src/core/spec';
import { mergeBlock } from '../src/core/merge';

export default defineBlock(
  mergeBlock({
    type: 'Add',
    label: 'Add',
    docs: 'Adds its inputs element-wise. This is the residual connection of ResNets and transformers: feed the block input and the branch output, which must have the same shape (an axis of size 1 broadcasts: [N,1,1,C] adds a per-channel value to [N,H,W,C]).',
    layer: (tf, name) => tf.layers.add({ name }),
    onnxOp: 'Add',
    torch: (xs) => xs.join(' + '),
  }),
);
