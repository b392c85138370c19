import { defineBlock } from '../src/core/spec';
import { poolingBlock } from './pooling';

export default defineBlock(
  poolingBlock({
    type: 'AveragePooling2D',
    label: 'Average Pool 2D',
    docs: 'Averages each window of an image, per channel. LeNet-5 used it to subsample; today it appears in DenseNet transition layers. With padding "same" the border windows average only the real pixels.',
    rank: 2,
    mode: 'avg',
  }),
);
