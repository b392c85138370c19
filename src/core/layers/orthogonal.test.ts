import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FastOrthogonal } from './orthogonal';
import { compile } from '../compile';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function gram(m: number[][], byRows: boolean): number[][] {
  const rows = byRows ? m : m[0]!.map((_, j) => m.map((r) => r[j]!));
  return rows.map((a) => rows.map((b) => a.reduce((s, v, i) => s + v * b[i]!, 0)));
}

describe('FastOrthogonal', () => {
  it('gives orthonormal rows (wide) or columns (tall), times the gain', () => {
    const wide = new FastOrthogonal({ seed: 3 }).apply([16, 64]).arraySync() as number[][];
    gram(wide, true).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 4)));
    const tall = new FastOrthogonal({ seed: 4, gain: 2 }).apply([40, 8]).arraySync() as number[][];
    gram(tall, false).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 4 : 0, 3)));
  });

  it('serializes as tfjs\' "Orthogonal", so saved models stay standard', () => {
    const layer = tf.layers.lstm({ units: 4, recurrentInitializer: new FastOrthogonal() as never });
    const cfg = layer.getConfig().recurrentInitializer as { className: string };
    expect(cfg.className).toBe('Orthogonal');
  });

  it('lets a 128-unit LSTM and a Bidirectional GRU compile with orthogonal recurrent kernels', () => {
    const c = compile({
      format: 'neural-blocks.graph',
      version: 1,
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [10, 16] } },
        { id: 'l', type: 'LSTM', params: { units: 128, returnSequences: true } },
        { id: 'b', type: 'Bidirectional', params: { layer: 'GRU', units: 64 } },
      ],
      edges: [
        { source: 'x', target: 'l' },
        { source: 'l', target: 'b' },
      ],
    });
    const rk = c.layersByNode.get('l')![0]!.getWeights()[1]!; // recurrent kernel [128, 512]
    expect(rk.shape).toEqual([128, 512]);
    const g = tf.matMul(rk, rk, false, true).arraySync() as number[][];
    g.forEach((row, i) => expect(row[i]!).toBeCloseTo(1, 3));
    expect(Math.abs(g[0]![1]!)).toBeLessThan(1e-4);
    c.model.dispose();
  });
});
