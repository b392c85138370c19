// Training is reproducible and continuable: the same seed trains the same model; a run
// interrupted (a lost GPU device) and resumed on another backend from a snapshot ends where an
// uninterrupted run on that backend ends; and "Train more" continues the same training (optimizer
// state, data order, augmentation and dropout streams) instead of starting a new one.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { loadMnist } from '../data/images';
import { nodeDataEnv } from '../data/nodeEnv';
import type { Dataset } from '../data/dataset';
import { DEFAULT_TRAINING, moreEpochsSchedule, type TrainingConfig } from './config';
import { makeOptimizer, train, type TrainOptions } from './loop';
import { restoreSnapshot, takeSnapshot } from './snapshot';
import { bridgeWasmKernels } from './wasmKernels';

// A small CNN with every source of randomness a run has: initial weights, Dropout, augmentation.
const graph: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'small-cnn',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [28, 28, 1] } },
    { id: 'c', type: 'Conv2D', params: { filters: 4, kernelSize: 5, strides: 2, activation: 'relu' } },
    { id: 'd', type: 'Dropout', params: { rate: 0.25 } },
    { id: 'f', type: 'Flatten', params: {} },
    { id: 'y', type: 'Dense', params: { units: 10, activation: 'softmax' } },
  ],
  edges: [
    { source: 'x', target: 'c' },
    { source: 'c', target: 'd' },
    { source: 'd', target: 'f' },
    { source: 'f', target: 'y' },
  ],
};

const cfg: TrainingConfig = { ...DEFAULT_TRAINING, learningRate: 0.005, batchSize: 32, epochs: 2, validationSplit: 0, augmentShift: 1, lrSchedule: 'cosine', seed: 7 };
let data: Dataset;

beforeAll(async () => {
  data = await loadMnist(nodeDataEnv, { limit: 320 });
  await tf.setBackend('wasm');
  bridgeWasmKernels();
});

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Float32Array.from(w.dataSync()));
function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

/** Trains on a backend; returns the per-batch losses, the final weights and the optimizer's step count. */
async function run(backend: 'cpu' | 'wasm', c: TrainingConfig, opts: TrainOptions & { stopAfter?: number } = {}) {
  await tf.setBackend(backend);
  const compiled = compile(graph, { seed: c.seed });
  const optimizer = opts.optimizer ?? makeOptimizer(c);
  const losses: number[] = [];
  const res = await train(compiled, data, c, { onBatch: (e) => void losses.push(e.loss) }, { shouldStop: () => opts.stopAfter !== undefined && losses.length >= opts.stopAfter }, { ...opts, optimizer });
  return { compiled, optimizer, losses, res, weights: weightsOf(compiled.model) };
}

describe('reproducible training', () => {
  it('the same seed trains the same model (init, shuffles, augmentation, dropout); another seed does not', async () => {
    const a = await run('cpu', { ...cfg, epochs: 1 });
    const b = await run('cpu', { ...cfg, epochs: 1 });
    const other = await run('cpu', { ...cfg, epochs: 1, seed: 8 });
    expect(a.res.batches).toBe(9); // 288 training images, batches of 32
    expect(maxDiff(a.weights, b.weights)).toBe(0);
    expect(a.losses).toEqual(b.losses);
    expect(maxDiff(a.weights, other.weights)).toBeGreaterThan(1e-3);
    [a, b, other].forEach((r) => (r.compiled.model.dispose(), r.optimizer.dispose()));
  });
});

describe('a resume is the same training', () => {
  it('interrupted on CPU at epoch 1 batch 4, resumed on WASM from a snapshot: ends where an uninterrupted WASM run ends', async () => {
    const whole = await run('wasm', cfg);
    expect(whole.losses).toHaveLength(18);
    // Interrupted after 13 batches (epoch 2, batch 5): the snapshot holds weights and Adam's state.
    const first = await run('cpu', cfg, { stopAfter: 13 });
    expect(first.res.status).toBe('stopped');
    expect(first.res.message).toBe('stopped by the user at epoch 2, before batch 5');
    const snap = await takeSnapshot(first.compiled.model, first.optimizer, { epoch: 1, batch: 4 });
    expect(snap.optimizer[0]!.data[0]).toBe(13); // Adam's step count
    expect(snap.optimizer).toHaveLength(1 + 2 * first.compiled.model.trainableWeights.length);
    await tf.setBackend('wasm');
    const resumed = compile(graph, { seed: 99 }); // different initial weights: the snapshot must replace them
    const optimizer = await restoreSnapshot(resumed.model, cfg, snap);
    const rest: number[] = [];
    await train(resumed, data, cfg, { onBatch: (e) => void rest.push(e.loss) }, {}, { resume: snap.at, optimizer });
    expect(rest).toHaveLength(5);
    // The remaining batches' losses and the final weights agree with the uninterrupted run to
    // float rounding (CPU and WASM kernels round differently in the first 13 steps).
    rest.forEach((l, i) => expect(l).toBeCloseTo(whole.losses[13 + i]!, 4));
    const diff = maxDiff(weightsOf(resumed.model), whole.weights);
    expect(diff).toBeLessThan(1e-4);

    // What the resume did before: a fresh optimizer (Adam's moments lost) lands measurably elsewhere.
    const fresh = compile(graph, { seed: 99 });
    const lostState = await restoreSnapshot(fresh.model, cfg, { ...snap, optimizer: [{ shape: [], data: new Float32Array([0]) }] });
    await train(fresh, data, cfg, {}, {}, { resume: snap.at, optimizer: lostState });
    expect(maxDiff(weightsOf(fresh.model), whole.weights)).toBeGreaterThan(100 * Math.max(diff, 1e-6));
    [whole, first].forEach((r) => (r.compiled.model.dispose(), r.optimizer.dispose()));
    [resumed, fresh].forEach((c) => c.model.dispose());
    optimizer.dispose();
    lostState.dispose();
  });
});

describe('Train more continues the training', () => {
  it('2 epochs then 1 more equals one 3-epoch run (constant rate): optimizer state, data order and streams carry over', async () => {
    const c = { ...cfg, lrSchedule: 'constant' as const };
    const three = await run('wasm', { ...c, epochs: 3 });
    const two = await run('wasm', c);
    const more = moreEpochsSchedule(c, two.res.history.at(-1)!.learningRate, 1, false);
    const res = await train(two.compiled, data, { ...c, epochs: 1 }, {}, {}, { startEpoch: 2, optimizer: two.optimizer, schedule: more });
    expect(res.history[0]!.learningRate).toBe(0.005);
    expect(maxDiff(weightsOf(two.compiled.model), three.weights)).toBeLessThan(1e-6);
    [three, two].forEach((r) => (r.compiled.model.dispose(), r.optimizer.dispose()));
  });

  it('after a cosine schedule the extra epochs stay at the last epoch\'s rate; a restart is explicit', async () => {
    const lastRate = 0.005 * 0.5 * (1 + Math.cos(Math.PI / 2)); // epoch 2 of 2
    expect(moreEpochsSchedule(cfg, lastRate, 3, false)).toEqual({ learningRate: lastRate, lrSchedule: 'constant', epochs: 3 });
    expect(moreEpochsSchedule(cfg, lastRate, 3, true)).toEqual({ learningRate: 0.005, lrSchedule: 'cosine', epochs: 3 });
    const two = await run('wasm', cfg);
    expect(two.res.history.map((h) => h.learningRate)).toEqual([0.005, lastRate]);
    const res = await train(two.compiled, data, { ...cfg, epochs: 1 }, {}, {}, { startEpoch: 2, optimizer: two.optimizer, schedule: moreEpochsSchedule(cfg, lastRate, 1, false) });
    expect(res.history[0]!.learningRate).toBeCloseTo(lastRate, 12);
    const steps = (await two.optimizer.getWeights())[0]!.tensor;
    expect(steps.dataSync()[0]).toBe(27); // 3 epochs × 9 batches on one optimizer
    steps.dispose();
    two.compiled.model.dispose();
    two.optimizer.dispose();
  });
});
