import { defineBlock } from '../src/core/spec';
import { globalPoolingBlock } from './pooling';

export default defineBlock(
  globalPoolingBlock({
    type: 'GlobalAveragePooling1D',
    label: 'Global Average Pool 1D',
    docs: 'Averages over the whole sequence, leaving one value per channel (steps × channels → channels). A simple way to turn a variable-length sequence of features into a fixed-size vector for a classifier head.',
    rank: 1,
    mode: 'avg',
  }),
);
