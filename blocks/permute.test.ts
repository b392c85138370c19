// Permute: dims are 1-based as in tfjs; a wrong permutation is reported on the param with an
// example of a right one, and the element order equals tf.transpose.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import permute from './permute';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Permute', () => {
  it('rejects dims that are not a permutation of 1…n', () => {
    for (const dims of [[1, 2], [0, 1, 2], [1, 1, 2], [2, 3, 4]]) {
      const a = analyze(fixtureGraph(permute, { params: { dims }, inputs: [[null, 4, 5, 6]] }));
      expect(a.errors).toHaveLength(1);
      expect(a.errors[0]!.param).toBe('dims');
      // [0, 1, 2] already fails param validation (entries ≥ 1); the others in shape inference.
      expect(a.errors[0]!.message).toMatch(dims[0] === 0 ? /entries must be ≥ 1, got \[0,1,2\]/ : /must be a permutation of 1…3 .*\[null, 4, 5, 6\].*e\.g\. \[3,2,1\]/);
    }
  });

  it('moves axes as tf.transpose does', () => {
    const c = compile(fixtureGraph(permute, { params: { dims: [3, 1, 2] }, inputs: [[null, 2, 3, 4]] }));
    try {
      const x = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 6);
      const y = c.model.predict(x) as tf.Tensor;
      expect(y.arraySync()).toEqual(tf.transpose(x, [0, 3, 1, 2]).arraySync());
    } finally {
      c.model.dispose();
    }
  });
});
