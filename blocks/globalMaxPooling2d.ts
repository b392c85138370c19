import { defineBlock } from '../src/core/spec';
import { globalPoolingBlock } from './pooling';

export default defineBlock(
  globalPoolingBlock({
    type: 'GlobalMaxPooling2D',
    label: 'Global Max Pool 2D',
    docs: 'Keeps the largest value of each channel over the whole image (height × width × channels → channels). Use it before a classifier when a feature anywhere in the image should count, regardless of its position.',
    rank: 2,
    mode: 'max',
  }),
);
