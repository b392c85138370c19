// Seeded weights for a compiled model. tfjs' initializers draw from Math.random, so the same
// graph gives different weights on every compile; export and parity runs need reproducible
// ones. This sets every weight of every layer from one seeded RNG (mulberry32 of
// src/core/randomInputs.ts), walking nodes in topological order and weights in getWeights()
// order, so the same graph and seed always give the same model.
//
// mode "init" (export without --weights) mimics a fresh model:
//   kernels (rank ≥ 2): glorot-uniform, limit √(6 / (fanIn + fanOut)) with fanIn = in·receptive
//   field and fanOut = out·receptive field (tfjs' own default initializer);
//   embeddings: uniform(−0.05, 0.05) (tfjs' default for Embedding);
//   bias, beta, moving mean: 0; gamma, moving variance: 1; other vectors: uniform(−0.05, 0.05).
// mode "parity" randomises everything, so a bias or a BatchNorm statistic that the exporter
// dropped or misplaced shows up as a difference: vectors uniform(−0.5, 0.5), gamma and moving
// variance uniform(0.5, 1.5); kernels as in "init".
import * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from '../core/compile';
import { rng } from '../core/randomInputs';

export type SeedMode = 'init' | 'parity';

function fill(n: number, r: () => number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

export function seededValues(name: string, shape: number[], r: () => number, mode: SeedMode): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const leaf = name.split('/').pop() ?? name;
  if (/embeddings?$/.test(leaf)) return fill(n, r, -0.05, 0.05);
  if (shape.length >= 2) {
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = shape[shape.length - 2]! * receptive;
    const fanOut = shape[shape.length - 1]! * receptive;
    const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
    return fill(n, r, -limit, limit);
  }
  const ones = /gamma$|moving_variance$|variance$/.test(leaf);
  const zeros = /bias$|beta$|moving_mean$|mean$/.test(leaf);
  if (mode === 'parity') return ones ? fill(n, r, 0.5, 1.5) : fill(n, r, -0.5, 0.5);
  if (ones) return new Float32Array(n).fill(1);
  if (zeros) return new Float32Array(n);
  return fill(n, r, -0.05, 0.05);
}

/** Sets every weight of the compiled model from `seed` (see the module comment). */
export function seedWeights(c: CompiledModel, seed: number, mode: SeedMode = 'init'): void {
  const r = rng(seed);
  for (const id of c.analysis.order) {
    for (const layer of c.layersByNode.get(id) ?? []) {
      const ws = layer.weights;
      if (!ws.length) continue;
      const values = ws.map((w) => tf.tensor(seededValues(w.originalName ?? w.name, w.shape as number[], r, mode), w.shape as number[]));
      layer.setWeights(values);
      values.forEach((v) => v.dispose());
    }
  }
}
