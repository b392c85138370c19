import { defineBlock } from '../src/core/spec';
import { mergeBlock } from '../src/core/merge';

export default defineBlock(
  mergeBlock({
    type: 'Maximum',
    label: 'Maximum',
    docs: 'Takes the element-wise maximum of its inputs, which must have the same shape. It merges parallel branches by keeping the strongest response at each position (as in maxout units).',
    layer: (tf, name) => tf.layers.maximum({ name }),
    onnxOp: 'Max',
    torch: (xs) => xs.slice(1).reduce((a, b) => `torch.maximum(${a}, ${b})`, xs[0]!),
  }),
);
