import { defineBlock } from '../src/core/spec';
import { poolingBlock } from './pooling';

export default defineBlock(
  poolingBlock({
    type: 'AveragePooling1D',
    label: 'Average Pool 1D',
    docs: 'Averages each window along a sequence, per channel. It shortens a sequence while smoothing it, keeping more of the overall signal than max pooling. With strides unset the windows do not overlap.',
    rank: 1,
    mode: 'avg',
  }),
);
