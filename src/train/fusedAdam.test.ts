// The fused Adam step against tfjs' own AdamOptimizer, the reference: the same weights, gradients
// and steps on each backend, compared bit for bit (weights, both moments, the step count), and the
// kernel calls a step costs.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { rng } from '../core/randomInputs';
import { FusedAdam } from './fusedAdam';
import { makeOptimizer } from './optimizers';
import { DEFAULT_TRAINING } from './config';

// Small tensors take the one-pass kernel, the last (over FUSED_MAX) tfjs' ops.
const SHAPES = [[3, 4], [4], [2, 3, 3, 5], [1], [130, 100]];
let made = 0;

function values(n: number, r: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

/** Runs `steps` Adam steps on fresh variables; returns the weights and the optimizer's state. */
async function run(make: () => tf.Optimizer, steps: number, poison?: number): Promise<{ weights: Float32Array[]; state: { name: string; data: Float32Array }[]; kernels: number }> {
  const r = rng(7);
  const vars = SHAPES.map((s, i) => tf.variable(tf.tensor(values(s.reduce((a, b) => a * b, 1), r), s), true, `w${i}_${++made}`));
  const opt = make();
  let kernels = 0;
  for (let k = 0; k < steps; k++) {
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, i) => {
      const g = values(v.size, r, 10 ** (i - 2));
      if (poison === k && i === 1) g[2] = NaN;
      grads[v.name] = tf.tensor(g, v.shape);
    });
    const before = tf.memory().numTensors;
    const prof = await tf.profile(() => opt.applyGradients(grads));
    kernels = prof.kernels.length;
    tf.dispose(Object.values(grads));
    // The gradients are gone; the first step made the two moments of each weight; nothing leaks.
    expect(tf.memory().numTensors).toBe(before - vars.length + (k === 0 ? 2 * vars.length : 0));
  }
  const weights = await Promise.all(vars.map(async (v) => Float32Array.from(await v.data())));
  const state = await Promise.all((await opt.getWeights()).map(async (w) => ({ name: w.name.replace(/w\d+_\d+/, 'w'), data: Float32Array.from(await w.tensor.data()) })));
  opt.dispose();
  tf.dispose(vars);
  return { weights, state, kernels };
}

describe.each(['wasm', 'cpu'])('FusedAdam on %s', (backend) => {
  it('gives the weights and moments of tf.train.adam bit for bit, in 1 kernel call per weight tensor', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const ref = await run(() => tf.train.adam(0.01), 5);
    const fused = await run(() => new FusedAdam(0.01), 5);
    expect(fused.state.map((s) => s.name)).toEqual(ref.state.map((s) => s.name));
    fused.weights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(ref.weights[i]!)));
    fused.state.forEach((s, i) => expect(Array.from(s.data)).toEqual(Array.from(ref.state[i]!.data)));
    // tfjs: 14 calls a weight tensor, 2 for the bias corrections and 2 for the β powers; fused: 1 a small tensor, the large one as tfjs.
    expect(ref.kernels).toBe(14 * SHAPES.length + 4);
    expect(fused.kernels).toBe(SHAPES.length - 1 + 14 + 4);
  });

  it('spreads a NaN gradient as tfjs does (the loop then undoes the step)', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const ref = await run(() => tf.train.adam(0.01), 2, 1);
    const fused = await run(() => new FusedAdam(0.01), 2, 1);
    expect(Number.isNaN(fused.weights[1]![2]!)).toBe(true);
    fused.weights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(ref.weights[i]!)));
  });

  it('restores from the state tf.train.adam saved, and continues the same', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const w = tf.variable(tf.tensor([0.5, -1, 2]), true, 'restore_w');
    const a = tf.train.adam(0.1);
    a.applyGradients([{ name: 'restore_w', tensor: tf.tensor([1, 2, -3]) }]);
    const saved = await a.getWeights();
    const b = new FusedAdam(0.1);
    await b.setWeights(saved.map((s) => ({ name: s.name, tensor: tf.clone(s.tensor) })));
    const w2 = tf.variable(tf.clone(w), true, 'restore_w2');
    a.applyGradients([{ name: 'restore_w', tensor: tf.tensor([0.25, 0.5, 1]) }]);
    b.applyGradients([{ name: 'restore_w2', tensor: tf.tensor([0.25, 0.5, 1]) }]);
    expect(Array.from(await w2.data())).toEqual(Array.from(await w.data()));
    expect(b.iterations).toBe(2);
    a.dispose();
    b.dispose();
    tf.dispose([w, w2]);
  });
});

it("the app's Adam is the fused one, with tfjs' defaults", () => {
  const o = makeOptimizer({ ...DEFAULT_TRAINING, optimizer: 'adam', learningRate: 0.003 }) as FusedAdam;
  expect(o).toBeInstanceOf(FusedAdam);
  expect(o.getConfig()).toMatchObject({ learningRate: 0.003, beta1: 0.9, beta2: 0.999 });
  o.dispose();
});
