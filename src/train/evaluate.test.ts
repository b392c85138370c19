// evaluate (synchronous read-back, the CLI) and evaluateAsync (every backend) share one loop:
// on the same model and split they give the same numbers, over several batches and a partial
// last one, and leave no tensors behind.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import type { Dataset } from '../data/dataset';
import { DEFAULT_TRAINING } from './config';
import { evaluateTest, evaluateTestAsync } from './loop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const doc: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'fixed',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [2] } },
    { id: 'y', type: 'Dense', params: { units: 2, activation: 'softmax' } },
  ],
  edges: [{ source: 'x', target: 'y' }],
};

// 10 points, labels 0 0 0 0 1 1 1 1 1 1; the model says class 1 with p = 0.75 everywhere.
const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
const split = { x: [{ shape: [2], dtype: 'float32' as const, data: new Float32Array(20).fill(1) }], y: [{ shape: [], dtype: 'int32' as const, data: labels }], n: 10 };
const data: Dataset = { name: 'fixed', title: 'fixed', description: '', task: 'classification', numClasses: 2, defaultLoss: 'sparseCategoricalCrossentropy', train: split, test: split };

describe('evaluate', () => {
  it('gives the same loss, accuracy and confusion read back synchronously and asynchronously', async () => {
    const c = compile(doc, { seed: 1 });
    c.model.layers.find((l) => l.name === 'y')!.setWeights([tf.zeros([2, 2]), tf.tensor1d([0.25, 0.75].map(Math.log))]);
    // batchSize 1 → evaluation batches of 4: 4 + 4 + 2 examples
    const cfg = { ...DEFAULT_TRAINING, validationSplit: 0, batchSize: 1, loss: 'sparseCategoricalCrossentropy' as const };
    const before = tf.memory().numTensors;
    const sync = evaluateTest(c, data, cfg);
    const later = await evaluateTestAsync(c, data, cfg);
    expect(tf.memory().numTensors).toBe(before);
    expect(sync.n).toBe(10);
    expect(sync.accuracy).toBeCloseTo(0.6, 6);
    expect(sync.loss).toBeCloseTo(-(6 * Math.log(0.75) + 4 * Math.log(0.25)) / 10, 5);
    expect(sync.confusion).toEqual([
      [0, 4],
      [0, 6],
    ]);
    expect(later).toEqual(sync);
    c.model.dispose();
  });
});
