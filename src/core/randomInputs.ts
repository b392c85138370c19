// Seeded random inputs for fixtures, parity checks and benchmarks: floats in [-1, 1), or
// integers in [0, maxInt) for token ids. Unknown dims are filled with 5, the batch with 2.
import * as tf from '@tensorflow/tfjs';
import type { Shape } from './spec';
import { concreteShape } from './fixtureGraph';

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(shape: number[], seed: number, dtype: 'float32' | 'int32' = 'float32', maxInt = 10): Float32Array | Int32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const r = rng(seed);
  if (dtype === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(r() * maxInt);
    return out;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

export function randomInputs(shapes: Shape[], dtypes: ('float32' | 'int32')[] | undefined, maxInt = 10, seed = 1, batch = 2): tf.Tensor[] {
  return shapes.map((s, i) => {
    const shape = concreteShape(s, batch);
    const dtype = dtypes?.[i] ?? 'float32';
    return tf.tensor(randomArray(shape, seed + i * 7919, dtype, maxInt), shape, dtype);
  });
}
