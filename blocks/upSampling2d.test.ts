// UpSampling2D's sampling, pinned down by hand: tfjs' resize ops without align-corners or
// half-pixel centers map output pixel o to source o / size (nearest: floor; bilinear: lerp
// between floor and the next pixel, clamped at the edge). The ONNX export relies on this.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function run(params: Record<string, unknown>, x: number[], shape: [number, number, number, number]): number[] {
  const doc: GraphDoc = {
    format: 'neural-blocks.graph',
    version: 1,
    nodes: [
      { id: 'x', type: 'Input', params: { shape: shape.slice(1) } },
      { id: 'u', type: 'UpSampling2D', params },
    ],
    edges: [{ source: 'x', target: 'u' }],
  };
  const c = compile(doc);
  try {
    return Array.from((c.model.predict(tf.tensor4d(x, shape)) as tf.Tensor).dataSync());
  } finally {
    c.model.dispose();
  }
}

describe('UpSampling2D', () => {
  it('nearest repeats each pixel size times', () => {
    expect(run({ size: [1, 3] }, [1, 2], [1, 1, 2, 1])).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('bilinear samples at o / size, clamped at the last pixel (asymmetric, no half-pixel shift)', () => {
    const y = run({ size: [1, 3], interpolation: 'bilinear' }, [0, 3], [1, 1, 2, 1]);
    // Sources 0, 1/3, 2/3, 1, 4/3→1, 5/3→1.
    const want = [0, 1, 2, 3, 3, 3];
    y.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });
});
