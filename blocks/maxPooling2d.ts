import { defineBlock } from '../src/core/spec';
import { poolingBlock } from './pooling';

export default defineBlock(
  poolingBlock({
    type: 'MaxPooling2D',
    label: 'Max Pool 2D',
    docs: 'Keeps the largest value in each window of an image, per channel. The classic way to halve the height and width between convolution stages (poolSize 2), making features more tolerant of small shifts. With strides unset the windows do not overlap.',
    rank: 2,
    mode: 'max',
  }),
);
