import { defineBlock } from '../src/core/spec';
import { globalPoolingBlock } from './pooling';

export default defineBlock(
  globalPoolingBlock({
    type: 'GlobalMaxPooling1D',
    label: 'Global Max Pool 1D',
    docs: 'Keeps the largest value of each channel over the whole sequence (steps × channels → channels). Common in text CNNs: it detects whether a feature fired anywhere in the sequence, wherever that was.',
    rank: 1,
    mode: 'max',
  }),
);
