// The experiments' graphs are valid and fit their data, and each card's prose quotes the numbers
// scripts/measure-experiments.ts measured (templates/experiments/results.json), not others.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/core/infer';
import { parseTrainingConfig } from '../../src/train/config';
import { EXPERIMENTS, type ExperimentResults } from './experiments';
import RESULTS from './results.json';

const results = RESULTS as unknown as ExperimentResults;

describe('experiments gallery', () => {
  for (const ex of EXPERIMENTS) {
    it(`${ex.id}: every variant is a valid graph with a clean training config, and is measured`, () => {
      for (const v of ex.variants) {
        const a = analyze(v.graph);
        expect(a.errors.map((e) => e.message), v.name).toEqual([]);
        expect(parseTrainingConfig(v.graph.training as Record<string, unknown>).issues, v.name).toEqual([]);
        expect(results.experiments[ex.id]?.[v.name], `${v.name} in results.json`).toBeDefined();
      }
    });

    it(`${ex.id}: the card quotes the measured test accuracies`, () => {
      for (const v of ex.variants) {
        const acc = `${(100 * results.experiments[ex.id]![v.name]!.testAccuracy).toFixed(1)}%`;
        expect(ex.shows, `${v.name}: ${acc}`).toContain(acc);
      }
    });
  }

  it('vanishing: the sigmoid network starts with a first-block gradient below 1e-3 of the last, the fixes above 0.1', () => {
    const r = results.experiments.vanishing!;
    expect(r.sigmoid!.gradRatioFirst).toBeLessThan(1e-3);
    expect(r['ReLU + He']!.gradRatioFirst).toBeGreaterThan(0.1);
    expect(r['sigmoid + batch norm']!.gradRatioFirst).toBeGreaterThan(0.1);
    expect(EXPERIMENTS[0]!.shows).toContain(r.sigmoid!.gradRatioFirst.toExponential(1));
  });
});
