import { defineBlock } from '../src/core/spec';
import { mergeBlock } from '../src/core/merge';

export default defineBlock(
  mergeBlock({
    type: 'Average',
    label: 'Average',
    docs: 'Averages its inputs element-wise; all must have the same shape. Use it to ensemble parallel branches, e.g. the predictions of several heads, without adding parameters.',
    layer: (tf, name) => tf.layers.average({ name }),
    onnxOp: 'Mean',
    torch: (xs) => `(${xs.join(' + ')}) / ${xs.length}`,
  }),
);
