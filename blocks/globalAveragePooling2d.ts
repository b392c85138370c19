import { defineBlock } from '../src/core/spec';
import { globalPoolingBlock } from './pooling';

export default defineBlock(
  globalPoolingBlock({
    type: 'GlobalAveragePooling2D',
    label: 'Global Average Pool 2D',
    docs: 'Averages each channel over the whole image (height × width × channels → channels). ResNets and MobileNets use it instead of Flatten before the classifier: it has no weights and works for any image size.',
    rank: 2,
    mode: 'avg',
  }),
);
