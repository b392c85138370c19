// The block registry: every block type the app knows, one line each. Adding a block is one
// module in blocks/ plus one line here: its custom tfjs layers (registered below) and its model.py
// snippets come with its BlockSpec. The contract test (blocks/contract.test.ts) loops over this
// list and checks each block against real tfjs and onnxruntime.
import type { AnyBlockSpec } from '../src/core/spec';
import { registerBlockLayers } from '../src/core/layers/register';
import input from './input';
import dense from './dense';
import conv2d from './conv2d';
import add from './add';
import embedding from './embedding';
import simpleRNN from './simpleRNN';
import lstm from './lstm';
import gru from './gru';
import bidirectional from './bidirectional';
import activation from './activation';
import leakyReLU from './leakyReLU';
import softmax from './softmax';
import dropout from './dropout';
import spatialDropout from './spatialDropout';
import gaussianNoise from './gaussianNoise';
import flatten from './flatten';
import reshape from './reshape';
import permute from './permute';
import repeatVector from './repeatVector';
import subtract from './subtract';
import multiply from './multiply';
import average from './average';
import maximum from './maximum';
import concatenate from './concatenate';
import batchNormalization from './batchNormalization';
import layerNormalization from './layerNormalization';
import conv1d from './conv1d';
import conv2dTranspose from './conv2dTranspose';
import depthwiseConv2d from './depthwiseConv2d';
import separableConv2d from './separableConv2d';
import maxPooling1d from './maxPooling1d';
import maxPooling2d from './maxPooling2d';
import averagePooling1d from './averagePooling1d';
import averagePooling2d from './averagePooling2d';
import globalAveragePooling1d from './globalAveragePooling1d';
import globalMaxPooling1d from './globalMaxPooling1d';
import globalAveragePooling2d from './globalAveragePooling2d';
import globalMaxPooling2d from './globalMaxPooling2d';
import upSampling2d from './upSampling2d';
import zeroPadding2d from './zeroPadding2d';
import cropping2d from './cropping2d';
import attention from './attention';
import additiveAttention from './additiveAttention';
import multiHeadAttention from './multiHeadAttention';
import positionalEmbedding from './positionalEmbedding';
import sinePositionEncoding from './sinePositionEncoding';
import sampling from './sampling';
import channelSplit from './channelSplit';
import channelShuffle from './channelShuffle';
import adaptiveAveragePooling2d from './adaptiveAveragePooling2d';
import stochasticDepth from './stochasticDepth';
import layerScale from './layerScale';
import classToken from './classToken';
import groupNormalization from './groupNormalization';
import shiftedWindowAttention from './shiftedWindowAttention';
import patchMerging from './patchMerging';
// @registry-imports (keep this line: helpers add imports above it)

export const BLOCKS: readonly AnyBlockSpec[] = [
  input,
  dense,
  conv2d,
  add,
  embedding,
  simpleRNN,
  lstm,
  gru,
  bidirectional,
  activation,
  leakyReLU,
  softmax,
  dropout,
  spatialDropout,
  gaussianNoise,
  flatten,
  reshape,
  permute,
  repeatVector,
  subtract,
  multiply,
  average,
  maximum,
  concatenate,
  batchNormalization,
  layerNormalization,
  conv1d,
  conv2dTranspose,
  depthwiseConv2d,
  separableConv2d,
  maxPooling1d,
  maxPooling2d,
  averagePooling1d,
  averagePooling2d,
  globalAveragePooling1d,
  globalMaxPooling1d,
  globalAveragePooling2d,
  globalMaxPooling2d,
  upSampling2d,
  zeroPadding2d,
  cropping2d,
  attention,
  additiveAttention,
  multiHeadAttention,
  positionalEmbedding,
  sinePositionEncoding,
  sampling,
  channelSplit,
  channelShuffle,
  adaptiveAveragePooling2d,
  stochasticDepth,
  layerScale,
  classToken,
  groupNormalization,
  shiftedWindowAttention,
  patchMerging,
  // @registry-entries (keep this line: helpers add entries above it)
];

/** The blocks' custom tfjs layer classes by className, registered with tf.serialization here. */
export const TFJS_LAYERS = registerBlockLayers(BLOCKS);

const BY_TYPE = new Map(BLOCKS.map((b) => [b.type, b] as const));

export function getBlock(type: string): AnyBlockSpec | undefined {
  return BY_TYPE.get(type);
}

export function blockTypes(): string[] {
  return BLOCKS.map((b) => b.type);
}
