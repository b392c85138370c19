import { describe, expect, it } from 'vitest';
import { makeRecall } from './recall';
import { findDataset } from './registry';

describe('recall dataset (long dependency)', () => {
  it('puts the key one-hot at step 0, one distractor digit at every later step, and labels the key', () => {
    const d = makeRecall({ n: 200, gap: 50, keys: 4, seed: 3 });
    expect(d.train.n + d.test.n).toBe(200);
    expect(d.test.n).toBe(20);
    const x = d.train.x[0]!;
    expect(x.shape).toEqual([51, 14]);
    expect(d.train.y[0]!.shape).toEqual([]);
    const T = 51;
    const V = 14;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < d.train.n; i++) {
      const key = d.train.y[0]!.data[i]!;
      counts[key]!++;
      const step0 = Array.from(x.data.subarray(i * T * V, i * T * V + V));
      expect(step0.indexOf(1)).toBe(key);
      expect(step0.reduce((a, b) => a + b, 0)).toBe(1);
      for (let t = 1; t < T; t++) {
        const row = Array.from(x.data.subarray((i * T + t) * V, (i * T + t + 1) * V));
        expect(row.reduce((a, b) => a + b, 0)).toBe(1);
        expect(row.indexOf(1)).toBeGreaterThanOrEqual(4); // a digit, never a key
      }
    }
    // every key occurs, roughly a quarter each
    for (const c of counts) expect(c).toBeGreaterThan(20);
  });

  it('is seeded, and the registry serves it with a gap of 50', async () => {
    expect(makeRecall({ n: 50, seed: 1 }).train.x[0]!.data).toEqual(makeRecall({ n: 50, seed: 1 }).train.x[0]!.data);
    expect(makeRecall({ n: 50, seed: 1 }).train.x[0]!.data).not.toEqual(makeRecall({ n: 50, seed: 2 }).train.x[0]!.data);
    const d = await findDataset('recall').load({ readPackageJson: () => Promise.reject(new Error('no files needed')) }, { limit: 100, seed: 1 });
    expect(d.train.x[0]!.shape).toEqual([51, 14]);
    expect(d.numClasses).toBe(4);
  });

  it('anywhere: the training keys sit at every step (the rest digits), the test keys first; the registry serves it with 61 steps', async () => {
    const d = makeRecall({ n: 400, gap: 20, anywhere: true, seed: 3 });
    const T = 21;
    const V = 14;
    const keyAt = (split: typeof d.train, i: number) => {
      const at: number[] = [];
      for (let t = 0; t < T; t++) {
        const row = Array.from(split.x[0]!.data.subarray((i * T + t) * V, (i * T + t + 1) * V));
        expect(row.reduce((a, b) => a + b, 0)).toBe(1);
        if (row.indexOf(1) < 4) at.push(t);
        if (row.indexOf(1) < 4) expect(row.indexOf(1)).toBe(split.y[0]!.data[i]);
      }
      expect(at.length).toBe(1);
      return at[0]!;
    };
    const positions = new Set(Array.from({ length: d.train.n }, (_, i) => keyAt(d.train, i)));
    expect(positions.size).toBe(T);
    for (let i = 0; i < d.test.n; i++) expect(keyAt(d.test, i)).toBe(0);
    // the same draws as without `anywhere` where the key is first (the test split)
    expect(d.test.x[0]!.data).toEqual(makeRecall({ n: 400, gap: 20, seed: 3 }).test.x[0]!.data);
    const r = await findDataset('recall-anywhere').load({ readPackageJson: () => Promise.reject(new Error('no files needed')) }, { limit: 100, seed: 1 });
    expect(r.train.x[0]!.shape).toEqual([61, 14]);
  });

  it('rejects bad options with the value quoted', () => {
    expect(() => makeRecall({ gap: 0 })).toThrow('gap must be an integer ≥ 1, got 0');
    expect(() => makeRecall({ keys: 30 })).toThrow('keys must be an integer in [2, 26], got 30');
    expect(() => makeRecall({ n: 1.5 })).toThrow('n must be an integer ≥ 2, got 1.5');
  });
});
