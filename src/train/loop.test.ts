import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { makePoints } from '../data/synthetic';
import { DEFAULT_TRAINING, parseTrainingConfig } from './config';
import { DataFitError, evaluateTest, train } from './loop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function mlp(hidden = 16, outUnits = 2, inShape = [2]): GraphDoc {
  return {
    format: 'neural-blocks.graph',
    version: 1,
    name: 'mlp',
    nodes: [
      { id: 'x', type: 'Input', params: { shape: inShape } },
      { id: 'h', type: 'Dense', params: { units: hidden, activation: 'tanh' } },
      { id: 'y', type: 'Dense', params: { units: outUnits, activation: 'softmax' } },
    ],
    edges: [
      { source: 'x', target: 'h' },
      { source: 'h', target: 'y' },
    ],
  };
}

describe('training loop', () => {
  it('learns XOR (which no linear model can) to a low loss', async () => {
    const data = makePoints('xor', { n: 600, seed: 3 });
    const c = compile(mlp());
    const cfg = { ...DEFAULT_TRAINING, learningRate: 0.03, epochs: 40, batchSize: 32, validationSplit: 0.1 };
    const batches: number[] = [];
    const res = await train(c, data, cfg, { onBatch: (e) => void batches.push(e.loss) });
    expect(res.status).toBe('completed');
    expect(res.history.length).toBe(40);
    const last = res.history[res.history.length - 1]!;
    expect(last.loss).toBeLessThan(0.15);
    expect(last.valAccuracy!).toBeGreaterThan(0.95);
    const test = evaluateTest(c, data, cfg);
    expect(test.accuracy!).toBeGreaterThan(0.95);
    // confusion matrix rows sum to the class counts of the test set
    expect(test.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(data.test.n);
    expect(batches.length).toBe(res.batches);
    c.model.dispose();
  });

  it('leaves no tensors behind over 20 train/stop cycles', async () => {
    const data = makePoints('circles', { n: 200 });
    const c = compile(mlp(8));
    const cfg = { ...DEFAULT_TRAINING, epochs: 3, batchSize: 16 };
    // one warm-up run creates lazily-built state (e.g. the model's own cached tensors)
    await train(c, data, cfg, {}, { shouldStop: () => false });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      let k = 0;
      const res = await train(c, data, cfg, {}, { shouldStop: () => ++k > 3 });
      expect(res.status).toBe('stopped');
      expect(res.batches).toBe(3);
    }
    expect(tf.memory().numTensors).toBe(before);
    c.model.dispose();
  });

  it('stops within one batch on a NaN loss and keeps the last good weights', async () => {
    const data = makePoints('xor', { n: 100 });
    // poison one example of the (shuffled) training data
    (data.train.x[0]!.data as Float32Array)[10] = Number.NaN;
    const c = compile(mlp(4));
    const before = c.model.getWeights().map((w) => Array.from(w.dataSync()));
    const res = await train(c, data, { ...DEFAULT_TRAINING, batchSize: 1000, epochs: 2, validationSplit: 0 });
    expect(res.status).toBe('nan');
    expect(res.batches).toBe(0);
    expect(res.message).toMatch(/loss became NaN at epoch 1, batch 1.*last good ones/);
    const after = c.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(after).toEqual(before);
    c.model.dispose();
  });

  it('says which block to change when the data does not fit', async () => {
    const data = makePoints('xor', { n: 50 });
    const c = compile(mlp(4, 3, [3]));
    const err = await train(c, data, DEFAULT_TRAINING).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataFitError);
    const issues = (err as DataFitError).issues;
    expect(issues.find((i) => i.node === 'x')!.message).toMatch(/Input "x" has shape \[3\] but the XOR data gives \[2\] — set the Input's shape to \[2\]/);
    expect(issues.find((i) => i.node === 'y')!.message).toMatch(/set its units to 2/);
    c.model.dispose();
  });

  it('resumes mid-run with the batches an uninterrupted run would see (SGD: same weights)', async () => {
    const data = makePoints('circles', { n: 120 });
    const cfg = { ...DEFAULT_TRAINING, optimizer: 'sgd' as const, learningRate: 0.1, epochs: 3, batchSize: 16, validationSplit: 0 };
    const a = compile(mlp(6));
    const b = compile(mlp(6));
    b.model.setWeights(a.model.getWeights());
    await train(a, data, cfg);
    // 96 training examples / 16 = 6 batches an epoch. b: stop after 10 batches (as if the
    // device were lost: epoch index 1, batch 4 is next), then resume there.
    let k = 0;
    const first = await train(b, data, cfg, {}, { shouldStop: () => ++k > 10 });
    expect(first.status).toBe('stopped');
    expect(first.batches).toBe(10);
    const rest = await train(b, data, cfg, {}, {}, { resume: { epoch: 1, batch: 4 } });
    expect(rest.status).toBe('completed');
    expect(rest.batches).toBe(3 * 6 - 10);
    const wa = a.model.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.model.getWeights().map((w) => Array.from(w.dataSync()));
    wa.forEach((w, i) => w.forEach((v, j) => expect(wb[i]![j]!).toBeCloseTo(v, 5)));
    a.model.dispose();
    b.model.dispose();
  });

  it('reports bad config fields with the value quoted', () => {
    const { issues } = parseTrainingConfig({ learningRate: -1, optimizer: 'adamw', batchSize: 2.5 });
    expect(issues.map((i) => i.field).sort()).toEqual(['batchSize', 'learningRate', 'optimizer']);
    expect(issues.find((i) => i.field === 'optimizer')!.message).toMatch(/must be one of sgd, adam, adagrad, rmsprop, got "adamw"/);
  });
});
