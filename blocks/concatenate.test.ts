// Concatenate: errors name the axis and both shapes; a negative axis joins where it says at run
// time (tfjs' own run-time concat treats every negative axis as the last).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import concatenate from './concatenate';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Concatenate', () => {
  it('names the axis and both shapes when they disagree off the concat axis', () => {
    const a = analyze(fixtureGraph(concatenate, { params: {}, inputs: [[null, 8, 8, 16], [null, 8, 7, 32]] }));
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]).toMatchObject({ node: 'b', port: 'in1' });
    expect(a.errors[0]!.message).toMatch(/on axis -1 .* in0 \[null, 8, 8, 16\] and in1 \[null, 8, 7, 32\] differ on axis 2 \(8 vs 7\)/);
  });

  it('rejects inputs of different rank and a batch axis', () => {
    const rank = analyze(fixtureGraph(concatenate, { params: {}, inputs: [[null, 4, 3], [null, 12]] }));
    expect(rank.errors[0]!.message).toMatch(/same rank, got \[null, 4, 3\] on in0 and \[null, 12\] on in1/);
    const batch = analyze(fixtureGraph(concatenate, { params: { axis: 0 }, inputs: [[null, 4], [null, 4]] }));
    expect(batch.errors[0]).toMatchObject({ param: 'axis' });
    expect(batch.errors[0]!.message).toMatch(/axis 0 does not fit .* \(axis 0 is the batch\)/);
  });

  for (const axis of [-3, -2, 1, 2]) {
    it(`joins on axis ${axis} at run time as tf.concat does`, () => {
      const c = compile(fixtureGraph(concatenate, { params: { axis }, inputs: [[null, 2, 3, 2], [null, 2, 3, 2]] }));
      try {
        const a = tf.randomNormal([1, 2, 3, 2], 0, 1, 'float32', 1);
        const b = tf.randomNormal([1, 2, 3, 2], 0, 1, 'float32', 2);
        const y = c.model.predict([a, b]) as tf.Tensor;
        const want = tf.concat([a, b], axis < 0 ? 4 + axis : axis);
        expect(y.shape).toEqual(want.shape);
        expect(tf.max(tf.abs(tf.sub(y, want))).dataSync()[0]).toBe(0);
      } finally {
        c.model.dispose();
      }
    });
  }
});
