// Pooling variants tfjs 4.22 lacks, on channels-last tensors:
//   PaddedPool: Max/AveragePooling1D/2D with PyTorch's ceil_mode (on "valid" pooling: a last,
//     partial window whenever it starts inside the input) and count_include_pad (on "same"
//     pooling: the padded zeros count in the average, i.e. divide by the full window). Built as
//     an explicit pad and a "valid" pool; an average divides pooled sums of the input by pooled
//     sums of a mask that is 1 where an element counts, so partial windows average only what
//     they cover (as PyTorch).
// The pooling blocks' tfjsLayers register PaddedPool with tf.serialization (blocks/index.ts).
import * as tf from '@tensorflow/tfjs';
import type { LayerArgs } from './common';

/** PyTorch's pooled length with ceil_mode and no padding; the last window must start inside the input. */
export function ceilPoolLength(input: number, k: number, s: number): number {
  let out = Math.ceil((input - k) / s) + 1;
  if ((out - 1) * s >= input) out--;
  return out;
}

/** Per spatial axis [before, after]: TF "same" pads, or for "valid" + ceilMode the overhang of the last window. */
export function poolPads(spatial: number[], pool: number[], strides: number[], padding: string, ceilMode: boolean): [number, number][] {
  return spatial.map((len, i) => {
    const k = pool[i]!;
    const s = strides[i]!;
    if (padding === 'same') {
      const total = Math.max((Math.ceil(len / s) - 1) * s + k - len, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    }
    if (!ceilMode) return [0, 0];
    return [0, Math.max((ceilPoolLength(len, k, s) - 1) * s + k - len, 0)];
  });
}

export interface PaddedPoolArgs extends LayerArgs {
  mode: 'max' | 'avg';
  poolSize: number[];
  strides: number[];
  padding: 'valid' | 'same';
  ceilMode: boolean;
  countIncludePad: boolean;
}

export class PaddedPool extends tf.layers.Layer {
  static className = 'PaddedPool';
  readonly cfg: Omit<PaddedPoolArgs, keyof LayerArgs>;
  constructor(args: PaddedPoolArgs) {
    super(args);
    const { mode, poolSize, strides, padding, ceilMode, countIncludePad } = args;
    this.cfg = { mode, poolSize, strides, padding, ceilMode, countIncludePad };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const { poolSize, strides, padding, ceilMode } = this.cfg;
    const spatial = s.slice(1, -1).map((len, i) => {
      if (len == null) return null;
      if (padding === 'same') return Math.ceil(len / strides[i]!);
      return ceilMode ? ceilPoolLength(len, poolSize[i]!, strides[i]!) : Math.floor((len - poolSize[i]!) / strides[i]!) + 1;
    });
    return [s[0] ?? null, ...spatial, s[s.length - 1] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const { mode, poolSize, strides, padding, ceilMode, countIncludePad } = this.cfg;
      let x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor;
      const oneD = x.rank === 3;
      if (oneD) x = tf.expandDims(x, 1);
      const pool = (oneD ? [1, poolSize[0]!] : poolSize) as [number, number];
      const st = (oneD ? [1, strides[0]!] : strides) as [number, number];
      const pads = poolPads(x.shape.slice(1, 3) as number[], pool, st, padding, ceilMode);
      const full: [number, number][] = [[0, 0], ...pads, [0, 0]];
      let y: tf.Tensor;
      if (mode === 'max') y = tf.maxPool(tf.pad(x, full, -Infinity) as tf.Tensor4D, pool, st, 'valid');
      else {
        // The mask is 1 on the input and, with countIncludePad, on the "same" pads; 0 on the rest.
        const [h, w] = [x.shape[1]!, x.shape[2]!];
        const ones = tf.ones([1, h, w, 1]);
        const mask = padding === 'same' && countIncludePad ? tf.pad(ones, full, 1) : tf.pad(ones, full, 0);
        const sums = tf.avgPool(tf.pad(x, full) as tf.Tensor4D, pool, st, 'valid');
        y = tf.div(sums, tf.avgPool(mask as tf.Tensor4D, pool, st, 'valid'));
      }
      return oneD ? tf.squeeze(y, [1]) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg };
  }
}
