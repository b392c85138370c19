// The experiments' graphs are valid and fit their data, and each card's prose quotes the numbers
// scripts/measure-experiments.ts measured (templates/experiments/results.json), not others.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/core/infer';
import { parseTrainingConfig } from '../../src/train/config';
import { ALL_EXPERIMENTS, EXPERIMENTS, PENDING, type ExperimentResults, type VariantResult } from './experiments';
import RESULTS from './results.json';
import CHAR_RNN from '../char-rnn.json';
import CHAR_LSTM from '../char-lstm.json';

const results = RESULTS as unknown as ExperimentResults;

describe('experiments gallery', () => {
  for (const ex of ALL_EXPERIMENTS.filter((e) => PENDING.has(e.id))) {
    it(`${ex.id} (not measured yet, not in the gallery): every variant is a valid graph with a clean training config`, () => {
      expect(EXPERIMENTS).not.toContain(ex);
      expect(ex.shows).toBe('');
      for (const v of ex.variants) {
        expect(analyze(v.graph).errors.map((e) => e.message), v.name).toEqual([]);
        expect(parseTrainingConfig(v.graph.training as Record<string, unknown>).issues, v.name).toEqual([]);
      }
    });
  }

  for (const ex of EXPERIMENTS) {
    it(`${ex.id}: every variant is a valid graph with a clean training config, and is measured`, () => {
      for (const v of ex.variants) {
        const a = analyze(v.graph);
        expect(a.errors.map((e) => e.message), v.name).toEqual([]);
        expect(parseTrainingConfig(v.graph.training as Record<string, unknown>).issues, v.name).toEqual([]);
        expect(results.experiments[ex.id]?.[v.name], `${v.name} in results.json`).toBeDefined();
      }
    });

    it(`${ex.id}: the card quotes the measured test accuracies, and each variant's name`, () => {
      for (const v of ex.variants) {
        const acc = `${(100 * results.experiments[ex.id]![v.name]!.testAccuracy).toFixed(1)}%`;
        expect(ex.shows, `${v.name}: ${acc}`).toContain(acc);
      }
      expect(ex.columns.length).toBeGreaterThan(0);
      expect(new Set(ex.variants.map((v) => v.name)).size).toBe(ex.variants.length);
    });
  }

  it('vanishing: the sigmoid network starts with a first-block gradient below 1e-3 of the last, the fixes above 0.1', () => {
    const r = results.experiments.vanishing!;
    expect(r.sigmoid!.gradRatioFirst).toBeLessThan(1e-3);
    expect(r['ReLU + He']!.gradRatioFirst).toBeGreaterThan(0.1);
    expect(r['sigmoid + batch norm']!.gradRatioFirst).toBeGreaterThan(0.1);
    expect(EXPERIMENTS[0]!.shows).toContain(r.sigmoid!.gradRatioFirst.toExponential(1));
  });

  const r = (id: string) => results.experiments[id]!;
  const card = (id: string) => EXPERIMENTS.find((e) => e.id === id)!;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const gap = (m: VariantResult) => m.trainAccuracy! - m.valAccuracy!;

  it('experiments 1–8 are defined, and the gallery shows the measured ones', () => {
    expect(ALL_EXPERIMENTS.map((e) => e.id)).toEqual(['vanishing', 'optimizers', 'dropout', 'residual', 'init', 'clipping', 'lstm', 'pretraining']);
    expect(EXPERIMENTS.map((e) => e.id)).toEqual(ALL_EXPERIMENTS.map((e) => e.id).filter((id) => !PENDING.has(id)));
  });

  it('residual: on every one of 3 seeds the plain CNN starts with a vanishing stem gradient and stays at chance; the residual one gets the gradient and learns (the card quotes each)', () => {
    const plain = r('residual')['plain']!;
    const res = r('residual')['residual']!;
    expect(plain.seeds!.map((s) => s.seed)).toEqual([1, 2, 3]);
    expect(res.seeds!.map((s) => s.seed)).toEqual([1, 2, 3]);
    plain.seeds!.forEach((p, i) => {
      const q = res.seeds![i]!;
      expect(p.gradRatioFirst!, `seed ${p.seed}`).toBeLessThan(1e-2);
      expect(q.gradRatioFirst!, `seed ${p.seed}`).toBeGreaterThan(0.1);
      expect(p.testAccuracy, `seed ${p.seed}`).toBeLessThan(0.15);
      expect(p.valLoss!, `seed ${p.seed}`).toBeGreaterThan(2.29);
      expect(q.valLoss!, `seed ${p.seed}`).toBeLessThan(2.25);
      expect(q.testAccuracy, `seed ${p.seed}`).toBeGreaterThan(p.testAccuracy + 0.09);
    });
    // seed 1's full curves
    expect(plain.gradRatioFirst).toBe(plain.seeds![0]!.gradRatioFirst);
    expect(Math.min(...plain.valLoss)).toBeGreaterThan(2.29);
    expect(res.valLoss.at(-1)!).toBeLessThan(res.valLoss[0]! - 0.1);
    const mean = (m: VariantResult) => m.seeds!.reduce((a, s) => a + s.testAccuracy, 0) / m.seeds!.length;
    expect(mean(res)).toBeGreaterThan(mean(plain) + 0.1);
    const shows = card('residual').shows;
    for (const x of [plain.gradRatioFirst.toExponential(1), ...[...plain.valLoss, ...res.valLoss].map((v) => v.toFixed(3)), pct(mean(plain)), pct(mean(res))]) expect(shows).toContain(x);
    for (const m of [plain, res])
      for (const s of m.seeds!) {
        expect(shows).toContain(pct(s.testAccuracy));
        expect(shows).toContain(String(s.gradRatioFirst));
        if (s.seed !== 1) expect(shows).toContain(s.valLoss!.toFixed(3));
      }
  });

  it('clipping: on every one of 3 seeds the unclipped linear RNN is wrecked by its first steps and the clipped one learns (the card quotes each)', () => {
    const off = r('clipping')['no clipping']!;
    const on = r('clipping')['clipNorm 1']!;
    expect(off.seeds!.map((s) => s.seed)).toEqual([1, 2, 3]);
    expect(on.seeds!.map((s) => s.seed)).toEqual([1, 2, 3]);
    on.seeds!.forEach((s, i) => {
      const o = off.seeds![i]!;
      expect(s.testAccuracy, `seed ${s.seed}`).toBeGreaterThan(o.testAccuracy + 0.5);
      expect(o.testAccuracy, `seed ${s.seed}`).toBeLessThan(0.4);
      // before clipping the gradient does explode in the clipped run: far above the clip norm
      expect(s.maxGradNorm!, `seed ${s.seed}`).toBeGreaterThan(100);
      expect(s.valLoss!, `seed ${s.seed}`).toBeLessThan(0.2);
    });
    // Seed 1's curve: the same first batch (same weights and data) has a large gradient…
    expect(off.gradNorms![0]).toEqual(on.gradNorms![0]);
    expect(off.gradNorms![0]![1]).toBeGreaterThan(10);
    // …and unclipped, that step saturates the softmax: no gradient at all from then on.
    expect(off.gradNorms!.slice(1).every(([, n]) => n === 0)).toBe(true);
    expect(off.trainLoss![0]!).toBeGreaterThan(10);
    expect(off.seeds![1]!.valLoss!).toBeGreaterThan(10);
    expect(on.valLoss.at(-1)!).toBe(Math.min(...on.valLoss));
    const later = on.gradNorms!.slice(1).map(([, n]) => n);
    const shows = card('clipping').shows;
    for (const x of [String(off.gradNorms![0]![1]), off.trainLoss![0]!.toFixed(3), off.valLoss.at(-1)!.toFixed(3), ...on.valLoss.map((v) => v.toFixed(3)), String(Math.min(...later)), String(Math.max(...later))]) expect(shows).toContain(x);
    for (const m of [off, on]) for (const s of m.seeds!) expect(shows).toContain(pct(s.testAccuracy));
    for (const s of on.seeds!.slice(1)) expect(shows).toContain(String(s.maxGradNorm));
    expect(shows).toContain(String(off.seeds![2]!.maxGradNorm));
    expect(shows).toContain(off.seeds![2]!.valLoss!.toFixed(3));
  });

  it('dropout: the network without dropout memorises its training examples and its validation loss turns up; dropout narrows the gap and keeps it down', () => {
    const off = r('dropout')['no dropout']!;
    const on = r('dropout')['dropout 0.5']!;
    expect(off.trainAccuracy).toBeGreaterThan(0.99);
    expect(gap(off)).toBeGreaterThan(gap(on) + 0.005);
    const rise = (m: VariantResult) => m.valLoss.at(-1)! - Math.min(...m.valLoss);
    expect(rise(off)).toBeGreaterThan(0.05);
    expect(rise(on)).toBeLessThan(0.01);
    expect(on.valLoss.at(-1)!).toBeLessThan(off.valLoss.at(-1)! - 0.03);
    const shows = card('dropout').shows;
    for (const m of [off, on]) {
      expect(shows).toContain(pct(m.trainAccuracy!));
      expect(shows).toContain(pct(m.valAccuracy!));
      expect(shows).toContain(`${(100 * gap(m)).toFixed(1)} points`);
      expect(shows).toContain(m.valLoss.at(-1)!.toFixed(3));
    }
    expect(shows).toContain(Math.min(...off.valLoss).toFixed(3));
  });

  it('init: Glorot trains; too small a scale vanishes the first block\'s gradient, too large a scale blows the gradients up and then stalls', () => {
    const glorot = r('init')['Glorot']!;
    const small = r('init')['N(0, 0.01²)']!;
    const large = r('init')['N(0, 1)']!;
    expect(glorot.testAccuracy).toBeGreaterThan(small.testAccuracy + 0.5);
    expect(glorot.testAccuracy).toBeGreaterThan(large.testAccuracy + 0.5);
    expect(glorot.gradRatioFirst).toBeGreaterThan(0.1);
    expect(small.gradRatioFirst).toBeLessThan(1e-6);
    expect(large.gradRatioFirst).toBeGreaterThan(100);
    expect(large.gradRatioLast).toBeLessThan(1e-6);
    expect(large.maxGradNorm!).toBeGreaterThan(100 * glorot.maxGradNorm!);
    const shows = card('init').shows;
    for (const x of [glorot.gradRatioFirst.toFixed(2), small.gradRatioFirst.toExponential(1), String(large.gradRatioFirst), large.gradRatioLast.toExponential(1), String(large.maxGradNorm), String(glorot.maxGradNorm), large.trainLoss![0]!.toFixed(1)])
      expect(shows).toContain(x);
  });

  it('lstm: on every one of 3 seeds the LSTM names the key 60 steps back far more often than the SimpleRNN (the card quotes each)', () => {
    const rnn = r('lstm')['SimpleRNN']!;
    const lstm = r('lstm')['LSTM']!;
    expect(rnn.seeds!.map((s) => s.seed)).toEqual([1, 2, 3]);
    expect(lstm.seeds!.map((s) => s.seed)).toEqual([1, 2, 3]);
    rnn.seeds!.forEach((s, i) => expect(lstm.seeds![i]!.testAccuracy, `seed ${s.seed}`).toBeGreaterThan(s.testAccuracy + 0.25));
    const mean = (m: VariantResult) => m.seeds!.reduce((a, s) => a + s.testAccuracy, 0) / m.seeds!.length;
    expect(mean(rnn)).toBeLessThan(0.4);
    expect(mean(lstm)).toBeGreaterThan(0.75);
    const shows = card('lstm').shows;
    for (const m of [rnn, lstm]) for (const s of m.seeds!) expect(shows).toContain(pct(s.testAccuracy));
    for (const x of [pct(mean(rnn)), pct(mean(lstm)), ...lstm.valLoss.map((v) => v.toFixed(3))]) expect(shows).toContain(x);
  });

  it('pretraining: on every one of 3 seeds the pretrained BERT-style classifier beats the one from scratch on 64 labels (the card quotes each)', () => {
    const scratch = r('pretraining')['from scratch']!;
    const pre = r('pretraining')['pretrained']!;
    expect(pre.seeds!.map((s) => s.seed)).toEqual([1, 2, 3]);
    expect(scratch.seeds!.map((s) => s.seed)).toEqual([1, 2, 3]);
    scratch.seeds!.forEach((s, i) => expect(pre.seeds![i]!.testAccuracy, `seed ${s.seed}`).toBeGreaterThan(s.testAccuracy + 0.15));
    const mean = (m: VariantResult) => m.seeds!.reduce((a, s) => a + s.testAccuracy, 0) / m.seeds!.length;
    expect(mean(pre)).toBeGreaterThan(1.5 * mean(scratch));
    expect(pre.trainAccuracy!).toBeGreaterThan(scratch.trainAccuracy! + 0.3);
    const shows = card('pretraining').shows;
    for (const m of [scratch, pre]) {
      for (const s of m.seeds!) expect(shows).toContain(pct(s.testAccuracy));
      for (const x of [pct(mean(m)), pct(m.trainAccuracy!), m.trainLoss![0]!.toFixed(3), m.trainLoss!.at(-1)!.toFixed(3)]) expect(shows).toContain(x);
    }
    expect(shows).toContain(Math.round(pre.pretrainSeconds!).toLocaleString('en-US'));
    expect(card('pretraining').variants.find((v) => v.pretrain)?.name).toBe('pretrained');
  });

  it("the char-LM cards quote both templates' measured perplexities and explain them with experiment 6's measured means", () => {
    const mean = (m: VariantResult) => m.seeds!.reduce((a, s) => a + s.testAccuracy, 0) / m.seeds!.length;
    const lstm = pct(mean(r('lstm')['LSTM']!));
    const rnn = pct(mean(r('lstm')['SimpleRNN']!));
    const ppl = [CHAR_RNN, CHAR_LSTM].map((t) => t.meta.result.value.toFixed(1));
    for (const t of [CHAR_RNN, CHAR_LSTM]) {
      const d = t.meta.description;
      for (const x of [...ppl, lstm, rnn, 'experiment 6']) expect(d, `${t.name}: ${x}`).toContain(x);
    }
  });
});
