import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { rng } from '../core/randomInputs';
import type { Dataset, TensorData } from '../data/dataset';
import { makePoints } from '../data/synthetic';
import { augmentImages } from './augment';
import { DEFAULT_TRAINING, parseTrainingConfig } from './config';
import { DataFitError, evaluateTest, train } from './loop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A fixed sequence of "random" numbers, then repeats its last. */
const seq = (...v: number[]) => {
  let i = 0;
  return () => v[Math.min(i++, v.length - 1)]!;
};

/** n examples of an H×W×C image whose pixel (y, x, c) is 100·y + 10·x + c (+ 1000·example). */
function ramp(n: number, H: number, W: number, C: number): TensorData {
  const data = new Float32Array(n * H * W * C);
  for (let e = 0; e < n; e++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) data[((e * H + y) * W + x) * C + c] = 1000 * e + 100 * y + 10 * x + c;
  return { shape: [H, W, C], dtype: 'float32', data };
}
const px = (t: TensorData, e: number, y: number, x: number, c = 0) => {
  const [H, W, C] = t.shape as [number, number, number];
  return t.data[((e * H + y) * W + x) * C + c]!;
};

describe('image augmentation', () => {
  it('shifts each image by its own (dy, dx), repeating the edge pixels', () => {
    const t = ramp(2, 4, 5, 1);
    // shift 1: floor(r·3) − 1 → r = 0.9 gives +1, r = 0.1 gives −1, r = 0.5 gives 0
    augmentImages(t, 2, { shift: 1, flip: false }, seq(0.9, 0.1, 0.5, 0.5));
    // example 0: dy = +1 (content moves down), dx = −1 (content moves left)
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 5; x++) {
        const sy = Math.max(0, y - 1);
        const sx = Math.min(4, x + 1);
        expect(px(t, 0, y, x)).toBe(100 * sy + 10 * sx);
      }
    // example 1: no shift, untouched
    expect(px(t, 1, 2, 3)).toBe(1000 + 230);
  });

  it('mirrors left–right keeping the channel order', () => {
    const t = ramp(1, 2, 3, 3);
    augmentImages(t, 1, { shift: 0, flip: true }, seq(0.2));
    expect([px(t, 0, 1, 0, 0), px(t, 0, 1, 0, 1), px(t, 0, 1, 0, 2)]).toEqual([120, 121, 122]);
    expect(px(t, 0, 0, 2, 1)).toBe(1);
    const u = ramp(1, 2, 3, 1);
    augmentImages(u, 1, { shift: 0, flip: true }, seq(0.7)); // ≥ ½: not mirrored
    expect(px(u, 0, 1, 0)).toBe(100);
  });

  it('rotates about the centre with bilinear sampling: 90° is an exact quarter turn', () => {
    const t = ramp(1, 5, 5, 2);
    const orig = Float32Array.from(t.data);
    // rotate 90 with r = 1 → angle +90°: out(y, x) = in(x, 4 − y)
    augmentImages(t, 1, { shift: 0, flip: false, rotate: 90 }, seq(1));
    for (let y = 0; y < 5; y++)
      for (let x = 0; x < 5; x++)
        for (let c = 0; c < 2; c++) expect(px(t, 0, y, x, c)).toBeCloseTo(orig[(x * 5 + (4 - y)) * 2 + c]!, 4);
    // small angles: every value stays inside the input's range, the centre pixel stays put
    const u = ramp(30, 9, 9, 1);
    augmentImages(u, 30, { shift: 0, flip: false, rotate: 15 }, rng(3));
    for (let e = 0; e < 30; e++) {
      const vals = Array.from(u.data.subarray(e * 81, e * 81 + 81));
      expect(Math.min(...vals)).toBeGreaterThanOrEqual(1000 * e - 1e-3);
      expect(Math.max(...vals)).toBeLessThanOrEqual(1000 * e + 880 + 1e-3);
      expect(px(u, e, 4, 4)).toBeCloseTo(1000 * e + 440, 3);
    }
    expect(parseTrainingConfig({ augmentRotate: 10 }).config.augmentRotate).toBe(10);
    expect(parseTrainingConfig({ augmentRotate: 90 }).issues).toEqual([{ field: 'augmentRotate', message: 'training.augmentRotate must be a number in [0, 45] (degrees), got 90' }]);
  });

  it('keeps every shift within ±shift pixels', () => {
    // A single bright pixel in the middle of a 9×9 image: after a shift of ≤ 2 it is within 2 px.
    const n = 200;
    const t: TensorData = { shape: [9, 9, 1], dtype: 'float32', data: new Float32Array(n * 81) };
    for (let e = 0; e < n; e++) t.data[e * 81 + 4 * 9 + 4] = 1;
    augmentImages(t, n, { shift: 2, flip: false }, rng(7));
    const seen = new Set<string>();
    for (let e = 0; e < n; e++) {
      const at = Array.from(t.data.subarray(e * 81, e * 81 + 81)).indexOf(1);
      const y = Math.floor(at / 9) - 4;
      const x = (at % 9) - 4;
      expect(Math.abs(y)).toBeLessThanOrEqual(2);
      expect(Math.abs(x)).toBeLessThanOrEqual(2);
      seen.add(`${y},${x}`);
    }
    expect(seen.size).toBe(25);
  });

  it('is read from the training config, with bad values named', () => {
    expect(parseTrainingConfig({ augmentShift: 2, augmentFlip: true }).config).toMatchObject({ augmentShift: 2, augmentFlip: true });
    expect(parseTrainingConfig({}).config).toMatchObject({ augmentShift: 0, augmentFlip: false });
    expect(parseTrainingConfig({ augmentShift: -1 }).issues).toEqual([{ field: 'augmentShift', message: 'training.augmentShift must be an integer in [0, 16] (pixels), got -1' }]);
    expect(parseTrainingConfig({ augmentFlip: 'yes' }).issues).toEqual([{ field: 'augmentFlip', message: 'training.augmentFlip must be true or false, got "yes"' }]);
  });

  it('refuses to augment data that has no images, naming the Input', async () => {
    const doc: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      name: 'xor',
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [2] } },
        { id: 'y', type: 'Dense', params: { units: 2, activation: 'softmax' } },
      ],
      edges: [{ source: 'x', target: 'y' }],
    };
    const c = compile(doc, { seed: 1 });
    const err = await train(c, makePoints('xor', { n: 40 }), { ...DEFAULT_TRAINING, augmentShift: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataFitError);
    expect((err as DataFitError).issues).toEqual([{ node: 'x', message: 'augmentation (shift 2 px) works on images, but the XOR data gives [2] — turn it off' }]);
    c.model.dispose();
  });

  it('trains on shifted images and still learns the task (left vs right half lit)', async () => {
    // 10×10 images: class 0 has a 2×2 blob in the left half, class 1 in the right half; shifts of
    // 1 px never move a blob across the middle, so the labels stay true.
    const make = (n: number, seed: number) => {
      const r = rng(seed);
      const x = new Float32Array(n * 100);
      const y = new Int32Array(n);
      for (let e = 0; e < n; e++) {
        const cls = r() < 0.5 ? 0 : 1;
        y[e] = cls;
        const by = 1 + Math.floor(r() * 7);
        const bx = cls === 0 ? 1 + Math.floor(r() * 2) : 6 + Math.floor(r() * 2);
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) x[e * 100 + (by + dy) * 10 + bx + dx] = 1;
      }
      return { x: [{ shape: [10, 10, 1], dtype: 'float32' as const, data: x }], y: [{ shape: [], dtype: 'int32' as const, data: y }], n };
    };
    const data: Dataset = { name: 'blobs', title: 'blobs', description: '', task: 'classification', numClasses: 2, defaultLoss: 'sparseCategoricalCrossentropy', train: make(400, 1), test: make(100, 2) };
    const doc: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      name: 'blobs',
      nodes: [
        { id: 'img', type: 'Input', params: { shape: [10, 10, 1] } },
        { id: 'f', type: 'Flatten', params: {} },
        { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } },
      ],
      edges: [
        { source: 'img', target: 'f' },
        { source: 'f', target: 'out' },
      ],
    };
    const c = compile(doc, { seed: 1 });
    const cfg = { ...DEFAULT_TRAINING, learningRate: 0.05, epochs: 8, batchSize: 32, augmentShift: 1 };
    const res = await train(c, data, cfg);
    expect(res.status).toBe('completed');
    expect(evaluateTest(c, data, cfg).accuracy!).toBeGreaterThan(0.95);
    // the training set itself is left as it was (batches are augmented copies)
    expect(Array.from(data.train.x[0]!.data).filter((v) => v === 1).length).toBe(400 * 4);
    c.model.dispose();
  });
});
