import { describe, expect, it } from 'vitest';
import { makeDigitSequences } from './sequences';
import { makeProgressionSteps } from './progressions';
import { findDataset } from './registry';

describe('progression-step dataset (few labels, experiment 8)', () => {
  it('labels each [CLS] + progression mod 10 with its step, masks about 15% of the digits, and keeps 500 test sequences apart', () => {
    const d = makeProgressionSteps({ n: 64, seed: 2 });
    expect(d.train.n).toBe(64);
    expect(d.test.n).toBe(500);
    expect(d.numClasses).toBe(9);
    const T = 32;
    let masked = 0;
    for (const split of [d.train, d.test])
      for (let i = 0; i < split.n; i++) {
        const row = Array.from(split.x[0]!.data.subarray(i * T, (i + 1) * T));
        const step = split.y[0]!.data[i]! + 1;
        expect(row[0]).toBe(1);
        for (let t = 1; t < T; t++) {
          if (row[t] === 12) {
            masked++;
            continue;
          }
          expect(row[t]).toBeGreaterThanOrEqual(2);
          expect(row[t]).toBeLessThanOrEqual(11);
          // every visible digit is the previous visible one plus step × distance, mod 10
          const prev = row.slice(1, t).findLastIndex((v) => v !== 12);
          if (prev >= 0) expect((row[t]! - row[prev + 1]! - step * (t - prev - 1) + 1000) % 10).toBe(0);
        }
      }
    expect(masked / (564 * 31)).toBeGreaterThan(0.12);
    expect(masked / (564 * 31)).toBeLessThan(0.18);
  });

  it("speaks the pretraining data's vocabulary ([CLS] 1, digits 2–11, [MASK] 12), is seeded, and the registry serves the limit's labels", async () => {
    expect(makeProgressionSteps().vocab).toEqual(makeDigitSequences('masked', { n: 10 }).vocab);
    expect(makeProgressionSteps({ seed: 4 }).train.x[0]!.data).toEqual(makeProgressionSteps({ seed: 4 }).train.x[0]!.data);
    expect(makeProgressionSteps({ seed: 4 }).train.y[0]!.data).not.toEqual(makeProgressionSteps({ seed: 5 }).train.y[0]!.data);
    const d = await findDataset('progression-step').load({ readPackageJson: () => Promise.reject(new Error('no files needed')) }, { limit: 32, seed: 1 });
    expect(d.train.n).toBe(32);
  });

  it('rejects bad options with the value quoted', () => {
    expect(() => makeProgressionSteps({ n: 0 })).toThrow(/n must be an integer ≥ 1, got 0/);
    expect(() => makeProgressionSteps({ mask: 1 })).toThrow(/mask must be in \[0, 1\), got 1/);
  });
});
