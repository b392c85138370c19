// Flatten: errors for inputs it cannot flatten, and tfjs' (row-major, channels-last) order.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import flatten from './flatten';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Flatten', () => {
  it('rejects an unknown dimension, suggesting global pooling', () => {
    const a = analyze(fixtureGraph(flatten, { params: {}, inputs: [[null, null, 4]] }));
    expect(a.errors[0]!.message).toMatch(/every dimension but the batch to be known, got \[null, null, 4\] — use a GlobalAveragePooling/);
  });

  it('rejects an already flat input', () => {
    const a = analyze(fixtureGraph(flatten, { params: {}, inputs: [[null, 10]] }));
    expect(a.errors[0]!.message).toMatch(/got \[null, 10\], which is already flat/);
  });

  it('flattens in row-major order', () => {
    const c = compile(fixtureGraph(flatten, { params: {}, inputs: [[null, 2, 2, 2]] }));
    try {
      const y = c.model.predict(tf.tensor([0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 2, 2])) as tf.Tensor;
      expect(y.arraySync()).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
    } finally {
      c.model.dispose();
    }
  });
});
