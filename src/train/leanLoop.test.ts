// The lean loop (loop.ts, step.ts): a batch's update is applied before its numbers are read back,
// and a NaN batch is still caught within one batch — its update undone, the weights and the
// optimizer's state those from before it, the message naming it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { makePoints } from '../data/synthetic';
import { shuffleIndex } from '../data/dataset';
import { rng } from '../core/randomInputs';
import { DEFAULT_TRAINING, type TrainingConfig } from './config';
import { makeOptimizer, train } from './loop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const MLP: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'mlp',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [2] } },
    { id: 'h', type: 'Dense', params: { units: 8, activation: 'tanh' } },
    { id: 'y', type: 'Dense', params: { units: 2, activation: 'softmax' } },
  ],
  edges: [
    { source: 'x', target: 'h' },
    { source: 'h', target: 'y' },
  ],
};

const N = 160;
const BS = 16;
/** makePoints keeps a fifth of the points for the test split: 128 to train on, 8 batches. */
const PER_EPOCH = Math.ceil(makePoints('xor', { n: N, seed: 5 }).train.n / BS);
const CFG: TrainingConfig = { ...DEFAULT_TRAINING, batchSize: BS, epochs: 2, validationSplit: 0, learningRate: 0.01 };

/** The weights and the optimizer's state (Adam's moments and step count), as plain numbers. */
async function state(c: ReturnType<typeof compile>, o: tf.Optimizer) {
  const opt = await o.getWeights();
  const out = { weights: c.model.getWeights().map((w) => Array.from(w.dataSync())), optimizer: opt.map((w) => Array.from(w.tensor.dataSync())) };
  opt[0]?.tensor.dispose();
  return out;
}

/** Puts NaN into the example that the run's shuffle places in `batch` of `epoch` (0-based). */
function poisonRow(data: ReturnType<typeof makePoints>, cfg: TrainingConfig, epoch: number, batch: number): void {
  const r = rng(cfg.seed);
  let order = shuffleIndex(data.train.n, r);
  for (let e = 0; e < epoch; e++) order = shuffleIndex(data.train.n, r);
  const row = order[batch * cfg.batchSize]!;
  (data.train.x[0]!.data as Float32Array)[row * 2] = Number.NaN;
}

describe('the lean loop', () => {
  // batch 0: checked before its update (the call's first); 3: mid-epoch, in flight; the epoch's
  // last (landed at the epoch's end); epoch 2, batch 2: the poison appears between epochs.
  const cases: [string, number, number, TrainingConfig][] = [
    ['the first batch', 0, 0, CFG],
    ['batch 4 (in flight)', 0, 3, CFG],
    ['the epoch\'s last batch', 0, PER_EPOCH - 1, CFG],
    ['batch 3 of epoch 2, clipped by norm', 1, 2, { ...CFG, clipNorm: 0.5 }],
  ];
  const modes = ['deferred', 'before'] as const;
  for (const [what, epoch, batch, cfg] of cases)
    for (const readBack of modes)
      it(`a NaN at ${what} stops the run there with the weights and optimizer state from before it (read ${readBack})`, async () => {
        const clean = makePoints('xor', { n: N, seed: 5 });
        const bad = makePoints('xor', { n: N, seed: 5 });
        // from epoch 2 on only: poisoned when epoch 1 ends
        const poison = () => poisonRow(bad, cfg, epoch, batch);
        if (epoch === 0) poison();
        const tensorsBefore = tf.memory().numTensors;
        const a = compile(MLP, { seed: 1 });
        const b = compile(MLP, { seed: 1 });
        const oa = makeOptimizer(cfg);
        const ob = makeOptimizer(cfg);
        const res = await train(a, bad, cfg, { onEpoch: (e) => void (e.epoch === 0 && epoch === 1 && poison()) }, {}, { optimizer: oa, readBack });
        expect(res.status).toBe('nan');
        expect(res.message).toContain(`loss became NaN at epoch ${epoch + 1}, batch ${batch + 1}:`);
        expect(res.message).toMatch(/weights are the last good ones \(before this batch\)/);
        expect(res.batches).toBe(epoch * PER_EPOCH + batch);
        expect(res.history.length).toBe(epoch);
        // The twin stops by request before that batch: it trained exactly the batches before it.
        let calls = 0;
        const twin = await train(b, clean, cfg, {}, { shouldStop: () => ++calls > epoch * PER_EPOCH + batch }, { optimizer: ob, readBack });
        expect(twin.status).toBe('stopped');
        expect(twin.batches).toBe(res.batches);
        const [sa, sb] = [await state(a, oa), await state(b, ob)];
        expect(sa.weights.flat().every(Number.isFinite)).toBe(true);
        expect(sa).toEqual(sb);
        for (const x of [oa, ob]) x.dispose();
        for (const x of [a, b]) x.model.dispose();
        // The undone update and the stop leave nothing behind.
        expect(tf.memory().numTensors).toBe(tensorsBefore);
      });

  it('applies each batch\'s update before its numbers are read back (after the first batch)', async () => {
    const data = makePoints('xor', { n: N, seed: 5 });
    const c = compile(MLP, { seed: 1 });
    const opt = makeOptimizer(CFG);
    let applied = 0;
    const apply = opt.applyGradients.bind(opt);
    opt.applyGradients = (g) => {
      applied++;
      apply(g);
    };
    // The weights at each report are those after that batch, not the next (the worker's snapshot
    // taken there resumes at the next batch), though the next batch's gradients are computed.
    const atReport: number[] = [];
    const res = await train(c, data, { ...CFG, epochs: 1 }, { onBatch: () => void atReport.push(applied) }, {}, { optimizer: opt, readBack: 'deferred' });
    expect(res.status).toBe('completed');
    expect(atReport).toEqual(Array.from({ length: PER_EPOCH }, (_, i) => i + 1));
    // A lean loop overlaps: the read of batch i resolves after batch i's update was queued.
    const reads: number[] = [];
    const deferredReads: number[] = [];
    const data0 = tf.Tensor.prototype.data;
    tf.Tensor.prototype.data = function (this: tf.Tensor) {
      return data0.call(this).then((v) => (reads.push(applied), v)) as ReturnType<typeof data0>;
    } as typeof data0;
    try {
      applied = 0;
      await train(c, data, { ...CFG, epochs: 1 }, {}, {}, { optimizer: opt, readBack: 'deferred' });
      deferredReads.push(...reads);
      // On the CPU backends (this test's) the default reads every batch before its update.
      reads.length = 0;
      applied = 0;
      await train(c, data, { ...CFG, epochs: 1 }, {}, {}, { optimizer: opt });
      expect(reads).toEqual(Array.from({ length: PER_EPOCH }, (_, i) => i));
    } finally {
      tf.Tensor.prototype.data = data0;
    }
    // batch 0 is read before its update (0 applied), every later batch i after its own (i + 1)
    expect(deferredReads).toEqual(Array.from({ length: PER_EPOCH }, (_, i) => (i === 0 ? 0 : i + 1)));
    opt.dispose();
    c.model.dispose();
  });
});

describe('the global gradient norm', () => {
  it('is √Σ‖g‖² (a float64 reference) on the one-kernel path of CPU and WASM, NaN included', async () => {
    const { globalNorm } = await import('./step');
    await import('@tensorflow/tfjs-backend-wasm');
    const r = rng(4);
    const shapes = [[5, 5, 1, 6], [6], [400, 120], [120], [10]];
    const data = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1));
    let expected = 0;
    for (const d of data) for (const v of d) expected += v * v;
    expected = Math.sqrt(expected);
    const got: number[] = [];
    for (const b of ['cpu', 'wasm']) {
      await tf.setBackend(b);
      const gs = data.map((d, i) => tf.tensor(d, shapes[i]));
      got.push((await globalNorm(gs).data())[0]!);
      gs[1] = tf.tensor(Float32Array.from({ length: 6 }, (_, i) => (i === 3 ? NaN : 1)));
      expect(Number.isNaN((await globalNorm(gs).data())[0]!)).toBe(true);
      tf.dispose(gs);
    }
    // summed in doubles, rounded once to float32: within float32's relative precision
    for (const g of got) expect(Math.abs(g - expected) / expected).toBeLessThan(1.2e-7);
    expect(expected).toBeGreaterThan(10);
    await tf.setBackend('cpu');
  });

  it("GPU backends' forms: the norm through one addition (WebGL) or groups of ≤ 6 (WebGPU), and the cheaper finiteness check", async () => {
    const { globalNorm, gradientCheck, sumScalars } = await import('./step');
    await tf.setBackend('cpu'); // the same ops run here; only the backend's name picks the form
    const r = rng(5);
    const data = Array.from({ length: 13 }, (_, k) => Float32Array.from({ length: 3 + k * 7 }, () => r() * 2 - 1));
    let sq = 0;
    let sum = 0;
    for (const d of data)
      for (const v of d) {
        sq += v * v;
        sum += v;
      }
    const gs = data.map((d) => tf.tensor(d));
    for (const b of ['webgl', 'webgpu']) {
      expect(Math.abs((await globalNorm(gs, b).data())[0]! - Math.sqrt(sq)) / Math.sqrt(sq)).toBeLessThan(1e-6);
      expect(Math.abs((await gradientCheck(gs, b).data())[0]! - sum)).toBeLessThan(1e-4);
    }
    // 13 scalars on WebGPU: addN over groups of 6, 6, 1, then of the 3 partial sums
    const scalars = data.map((_, k) => tf.scalar(k + 1));
    expect((await sumScalars(scalars, 'webgpu').data())[0]).toBe(91);
    expect((await sumScalars(scalars, 'webgl').data())[0]).toBe(91);
    // a NaN or an infinity in any gradient makes the check non-finite, as it does the norm
    for (const bad of [NaN, Infinity, -Infinity]) {
      const poisoned = gs.map((g, k) => (k === 7 ? tf.tensor(Float32Array.from(data[7]!, (v, i) => (i === 2 ? bad : v))) : g));
      for (const b of ['webgl', 'webgpu']) {
        expect(Number.isFinite((await gradientCheck(poisoned, b).data())[0]!)).toBe(false);
        expect(Number.isFinite((await globalNorm(poisoned, b).data())[0]!)).toBe(false);
      }
      poisoned[7]!.dispose();
    }
    tf.dispose([...gs, ...scalars]);
  });
});
