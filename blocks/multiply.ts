import { defineBlock } from '../src/core/spec';
import { mergeBlock } from '../src/core/merge';

export default defineBlock(
  mergeBlock({
    type: 'Multiply',
    label: 'Multiply',
    docs: 'Multiplies its inputs element-wise. Use it for gating: multiply features by a sigmoid mask of the same shape, as in squeeze-and-excitation blocks or hand-built gated units.',
    layer: (tf, name) => tf.layers.multiply({ name }),
    onnxOp: 'Mul',
    torch: (xs) => xs.join(' * '),
  }),
);
