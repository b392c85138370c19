// Cropping2D and ZeroPadding2D: the three padding2d forms, and cropping that would leave nothing.
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

describe('Cropping2D', () => {
  it('takes an int, a [rows, cols] pair or [[top, bottom], [left, right]]', () => {
    expect(shapeOf(graph('Cropping2D', [8, 9, 2], { cropping: 1 }))).toEqual([null, 6, 7, 2]);
    expect(shapeOf(graph('Cropping2D', [8, 9, 2], { cropping: [2, 0] }))).toEqual([null, 4, 9, 2]);
    expect(shapeOf(graph('Cropping2D', [8, 9, 2], { cropping: [[0, 3], [1, 2]] }))).toEqual([null, 5, 6, 2]);
  });

  it('keeps the right window', () => {
    const c = compile(graph('Cropping2D', [3, 4, 1], { cropping: [[1, 0], [1, 2]] }));
    try {
      const x = tf.tensor4d([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23], [1, 3, 4, 1]);
      expect(Array.from((c.model.predict(x) as tf.Tensor).dataSync())).toEqual([11, 21]);
    } finally {
      c.model.dispose();
    }
  });

  it('cropping the whole input is an error on cropping that says how much is left', () => {
    const a = analyze(graph('Cropping2D', [4, 9, 1], { cropping: [[2, 2], [0, 0]] }));
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]!.param).toBe('cropping');
    expect(a.errors[0]!.message).toMatch(/removes 4 rows of an input with 4.*crop fewer than 4 rows/);
    const b = analyze(graph('Cropping2D', [4, 9, 1], { cropping: [0, 5] }));
    expect(b.errors[0]!.message).toMatch(/removes 10 columns of an input with 9/);
    const bad = analyze(graph('Cropping2D', [4, 9, 1], { cropping: [1, -1] }));
    expect(bad.errors[0]!.param).toBe('cropping');
    expect(bad.errors[0]!.message).toMatch(/\[\[top, bottom\], \[left, right\]\], got \[1,-1\]/);
  });
});

describe('ZeroPadding2D', () => {
  it('defaults to one pixel on every side and takes the three forms', () => {
    expect(shapeOf(graph('ZeroPadding2D', [5, 7, 3]))).toEqual([null, 7, 9, 3]);
    expect(shapeOf(graph('ZeroPadding2D', [5, 7, 3], { padding: [1, 3] }))).toEqual([null, 7, 13, 3]);
    expect(shapeOf(graph('ZeroPadding2D', [5, 7, 3], { padding: [[0, 2], [3, 1]] }))).toEqual([null, 7, 11, 3]);
    expect(shapeOf(graph('ZeroPadding2D', [null, 7, 3], { padding: 2 }))).toEqual([null, null, 11, 3]);
  });
});
