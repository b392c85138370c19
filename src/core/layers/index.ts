// The custom tfjs pieces shared by several blocks or by the compiler. A layer only one block uses
// lives in that block's module (blocks/), listed in its BlockSpec.tfjsLayers; the registry
// (blocks/index.ts) registers every block's layers with tf.serialization. Activations and
// initializers here register themselves (any layer's config may name them).
export { BaseAttention, type AttentionArgs } from './attention';
export { MASK_VALUE, causalMaskData, dedupeInputs } from './common';
export { GRUResetAfter, GRUResetAfterCell, GRU_RESET_AFTER_CLASSES, type GRUResetAfterArgs } from './gruResetAfter';
export { HardSwish, HardSigmoidTorch, GeluTanh } from './activations';
export { GroupedConv, type GroupedConvArgs } from './groupedConv';
export { PaddedPool, ceilPoolLength, poolPads, type PaddedPoolArgs } from './pooling';
export { TensorCopy } from './tensorCopy';
export { registerBlockLayers, tfjsLayerOwners } from './register';
