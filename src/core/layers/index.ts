// The custom tfjs layers tfjs 4.22 lacks. Importing this module registers them with
// tf.serialization, so models that use them reload with tf.models.modelFromJSON /
// tf.loadLayersModel.
export { Attention, AdditiveAttention, type AttentionArgs, type AdditiveAttentionArgs } from './attention';
export { MultiHeadAttention, type MultiHeadAttentionArgs } from './multiHeadAttention';
export { PositionalEmbedding, SinePositionEncoding, type PositionalEmbeddingArgs, type SinePositionEncodingArgs } from './positional';
export { Sampling, klDivergence, samplingLosses, type SamplingArgs } from './sampling';
export { MASK_VALUE, causalMaskData, dedupeInputs } from './common';
export { GRUResetAfter, GRUResetAfterCell, type GRUResetAfterArgs } from './gruResetAfter';
export { HardSwish, HardSigmoidTorch, GeluTanh } from './activations';
export { GroupedConv, type GroupedConvArgs } from './groupedConv';
export { ChannelShuffle, ChannelSlice, type ChannelShuffleArgs, type ChannelSliceArgs } from './channels';
export { AdaptiveAveragePooling2D, PaddedPool, adaptiveMatrix, ceilPoolLength, poolPads, type AdaptivePoolArgs, type PaddedPoolArgs } from './pooling';
export { ClassToken, LayerScale, StochasticDepth } from './residual';
export { TensorCopy } from './tensorCopy';
