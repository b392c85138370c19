// The pooling blocks beyond the contract grid: tfjs' defaults (strides = poolSize), "same"
// average pooling leaves the padding out of the average, and errors name the param to change.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function graph(type: string, shape: (number | null)[], params: Record<string, unknown> = {}): GraphDoc {
  return {
    format: 'neural-blocks.graph',
    version: 1,
    nodes: [
      { id: 'x', type: 'Input', params: { shape } },
      { id: 'p', type, params },
    ],
    edges: [{ source: 'x', target: 'p' }],
  };
}
const shapeOf = (d: GraphDoc) => analyze(d).nodes.get('p')!.outputShapes?.out;

describe('pooling', () => {
  it('unset strides default to poolSize per axis, as tfjs', () => {
    expect(shapeOf(graph('MaxPooling2D', [9, 8, 2], { poolSize: 3 }))).toEqual([null, 3, 2, 2]);
    expect(shapeOf(graph('MaxPooling2D', [9, 8, 2], { poolSize: 3, strides: 1 }))).toEqual([null, 7, 6, 2]);
    expect(shapeOf(graph('AveragePooling2D', [9, 8, 2], { poolSize: [3, 2], strides: null }))).toEqual([null, 3, 4, 2]);
    expect(shapeOf(graph('MaxPooling1D', [11, 4]))).toEqual([null, 5, 4]);
    expect(shapeOf(graph('AveragePooling1D', [11, 4], { poolSize: 3, padding: 'same' }))).toEqual([null, 4, 4]);
    const c = compile(graph('MaxPooling2D', [9, 8, 2], { poolSize: 3 }));
    try {
      expect(c.model.outputs[0]!.shape).toEqual([null, 3, 2, 2]);
    } finally {
      c.model.dispose();
    }
  });

  it('"same" average pooling divides by the real inputs only (ones stay ones at the border)', () => {
    const c = compile(graph('AveragePooling2D', [5, 5, 1], { poolSize: 3, strides: 2, padding: 'same' }));
    try {
      const y = (c.model.predict(tf.ones([1, 5, 5, 1])) as tf.Tensor).dataSync();
      expect(y.length).toBe(9);
      for (const v of y) expect(v).toBeCloseTo(1, 6);
    } finally {
      c.model.dispose();
    }
  });

  it('a window larger than the input is an error on poolSize', () => {
    const a = analyze(graph('MaxPooling2D', [4, 9, 1], { poolSize: [5, 2] }));
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]!.param).toBe('poolSize');
    expect(a.errors[0]!.message).toMatch(/MaxPooling2D gives output shape \[null, 0, 4, 1\].*smaller poolSize, padding "same"/);
    expect(analyze(graph('MaxPooling2D', [4, 9, 1], { poolSize: [5, 2], padding: 'same' })).errors).toEqual([]);
  });

  it('rejects negative strides and wrong ranks with what would fix them', () => {
    const s = analyze(graph('AveragePooling1D', [8, 2], { strides: -1 }));
    expect(s.errors[0]!.param).toBe('strides');
    expect(s.errors[0]!.message).toMatch(/"strides" entries must be ≥ 1, got -1/);
    const r = analyze(graph('MaxPooling2D', [8, 2]));
    expect(r.errors[0]!.message).toMatch(/MaxPooling2D needs a 3-D \(4 with batch\) input.*add a Reshape/);
    const g = analyze(graph('GlobalAveragePooling1D', [4, 4, 2]));
    expect(g.errors[0]!.message).toMatch(/GlobalAveragePooling1D needs a 2-D.*got \[null, 4, 4, 2\]/);
  });

  it('global pooling keeps the channels and reduces every position', () => {
    expect(shapeOf(graph('GlobalMaxPooling2D', [5, 7, 3]))).toEqual([null, 3]);
    expect(shapeOf(graph('GlobalAveragePooling1D', [null, 6]))).toEqual([null, 6]);
    const c = compile(graph('GlobalMaxPooling1D', [4, 2]));
    try {
      const y = (c.model.predict(tf.tensor3d([1, -5, 3, 2, -1, 9, 0, 0], [1, 4, 2])) as tf.Tensor).dataSync();
      expect(Array.from(y)).toEqual([3, 9]);
    } finally {
      c.model.dispose();
    }
  });
});
