import { defineBlock } from '../src/core/spec';
import { poolingBlock } from './pooling';

export default defineBlock(
  poolingBlock({
    type: 'MaxPooling1D',
    label: 'Max Pool 1D',
    docs: 'Keeps the largest value in each window along a sequence, per channel. Use it between Conv1D layers to shorten the sequence and keep the strongest local responses. With strides unset the windows do not overlap.',
    rank: 1,
    mode: 'max',
  }),
);
