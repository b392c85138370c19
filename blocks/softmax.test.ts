// Softmax on a non-last axis (tfjs-core only computes the last; the block moves the axis).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import softmax from './softmax';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Softmax', () => {
  for (const axis of [1, 2, -2, 3]) {
    it(`normalises along axis ${axis} of [3, 4, 5]`, () => {
      const c = compile(fixtureGraph(softmax, { params: { axis }, inputs: [[null, 3, 4, 5]] }));
      try {
        const x = tf.randomNormal([2, 3, 4, 5], 0, 2, 'float32', 4);
        const a = axis < 0 ? 4 + axis : axis;
        const want = tf.div(tf.exp(x), tf.sum(tf.exp(x), a, true));
        const y = c.model.predict(x) as tf.Tensor;
        expect(y.shape).toEqual([2, 3, 4, 5]);
        expect(tf.max(tf.abs(tf.sub(y, want))).dataSync()[0]).toBeLessThan(1e-6);
      } finally {
        c.model.dispose();
      }
    });
  }

  it('rejects the batch axis and an axis beyond the rank, on the param', () => {
    for (const axis of [0, 3, -3]) {
      const a = analyze(fixtureGraph(softmax, { params: { axis }, inputs: [[null, 4, 5]] }));
      expect(a.errors[0]).toMatchObject({ param: 'axis' });
      expect(a.errors[0]!.message).toMatch(new RegExp(`axis ${axis} does not fit input \\[null, 4, 5\\]: use 1…2 or -1…-2`));
    }
  });
});
