// A fast orthogonal initializer. tfjs' own Orthogonal (the default recurrent initializer of
// LSTM/GRU/SimpleRNN) runs a QR decomposition out of many small tensor ops: 15 s for a 64-unit
// LSTM and over 2 minutes for 128 units on the CPU backend. This one does modified Gram–Schmidt
// on a plain Float32Array (milliseconds) and produces the same distribution: a random matrix
// with orthonormal rows or columns, times `gain`. It serializes as "Orthogonal" with the same
// config, so saved models load in any tfjs app.
import * as tf from '@tensorflow/tfjs';
import { rng } from '../randomInputs';

function gaussian(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** An m×n (m ≥ n) matrix with orthonormal columns, row-major. */
export function orthonormalColumns(m: number, n: number, r: () => number): Float32Array {
  // Work in float64 for stability, column-major for cache-friendly column ops.
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = gaussian(r);
  for (let j = 0; j < n; j++) {
    const cj = j * m;
    for (let k = 0; k < j; k++) {
      const ck = k * m;
      let dot = 0;
      for (let i = 0; i < m; i++) dot += a[ck + i]! * a[cj + i]!;
      for (let i = 0; i < m; i++) a[cj + i]! -= dot * a[ck + i]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += a[cj + i]! * a[cj + i]!;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < m; i++) a[cj + i]! /= norm;
  }
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = a[j * m + i]!;
  return out;
}

// tfjs-layers does not export its Initializer base class; layers accept an initializer only if it
// is an instance of it, so take it from a built-in initializer's prototype chain.
const InitializerBase = Object.getPrototypeOf(tf.initializers.zeros().constructor) as new () => tf.serialization.Serializable & {
  apply(shape: number[], dtype?: string): tf.Tensor;
};

export class FastOrthogonal extends InitializerBase {
  static className = 'Orthogonal';
  readonly gain: number;
  readonly seed: number | undefined;
  constructor(args: { gain?: number; seed?: number } = {}) {
    super();
    this.gain = args.gain ?? 1;
    this.seed = args.seed;
  }
  override apply(shape: number[]): tf.Tensor {
    if (shape.length < 2) throw new Error(`Orthogonal initializer needs a shape of at least 2 dims, got [${shape.join(', ')}]`);
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = shape[shape.length - 1]!;
    const r = this.seed !== undefined ? rng(this.seed) : Math.random;
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    const q = orthonormalColumns(m, n, r);
    let data = q;
    if (rows < cols) {
      // transpose m×n → n×m so the rows are orthonormal
      data = new Float32Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data[j * m + i] = q[i * n + j]!;
    }
    if (this.gain !== 1) for (let i = 0; i < data.length; i++) data[i]! *= this.gain;
    return tf.tensor(data, shape, 'float32');
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { gain: this.gain, seed: this.seed ?? null };
  }
}

// Registered under tfjs' own name, so cloned layers (Bidirectional's backward copy) and reloaded
// models use the fast version too.
tf.serialization.registerClass(FastOrthogonal as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
