// A few-label task for the Experiments gallery's pretraining experiment: the same digit
// progressions the BERT-style template pretrains on (src/data/sequences.ts, "sequence-masked":
// [CLS], then start, start + step, … mod 10, with 15% of the digits masked), now labelled with
// their step (1–9). Naming the step means comparing neighbouring digits modulo 10 — what a
// masked-token model learns in order to fill its masks, and what a network trained from scratch
// must find from a handful of labelled examples.
import { rng } from '../core/randomInputs';
import { DataError, sliceSplit, type Dataset, type Split } from './dataset';

export interface ProgressionOptions {
  /** Labelled training sequences (the few labels). */
  n?: number;
  /** Test sequences, generated after the training ones (never the same draw). */
  nTest?: number;
  length?: number;
  /** Fraction of the digits replaced by [MASK], as in the pretraining data. */
  mask?: number;
  seed?: number;
}

const CLS = 1;
const MASK = 12;

export function makeProgressionSteps(opts: ProgressionOptions = {}): Dataset {
  const n = opts.n ?? 64;
  const nTest = opts.nTest ?? 500;
  const T = opts.length ?? 32;
  const mask = opts.mask ?? 0.15;
  if (!Number.isInteger(n) || n < 1) throw new DataError(`progression-step: n must be an integer ≥ 1, got ${JSON.stringify(n)}`);
  if (!Number.isInteger(T) || T < 3) throw new DataError(`progression-step: length must be an integer ≥ 3, got ${JSON.stringify(T)}`);
  if (!(mask >= 0 && mask < 1)) throw new DataError(`progression-step: mask must be in [0, 1), got ${JSON.stringify(mask)}`);
  const total = nTest + n;
  const r = rng(opts.seed ?? 29);
  const x = new Int32Array(total * T);
  const y = new Int32Array(total);
  for (let i = 0; i < total; i++) {
    const start = Math.floor(r() * 10);
    const step = 1 + Math.floor(r() * 9);
    x[i * T] = CLS;
    for (let t = 1; t < T; t++) x[i * T + t] = r() < mask ? MASK : 2 + ((start + step * (t - 1)) % 10);
    y[i] = step - 1;
  }
  const all: Split = { x: [{ shape: [T], dtype: 'int32', data: x }], y: [{ shape: [], dtype: 'int32', data: y }], n: total };
  return {
    name: 'progression-step',
    title: 'Name the step (few labels)',
    description: `${n} labelled digit progressions of ${T} tokens (mod 10, ${Math.round(mask * 100)}% masked, as the BERT-style pretraining reads them); name each one's step, 1–9. Chance is 11%. ${nTest} test sequences.`,
    task: 'classification',
    numClasses: 9,
    classNames: Array.from({ length: 9 }, (_, k) => `+${k + 1}`),
    vocab: ['<pad>', '[CLS]', ...'0123456789'.split(''), '[MASK]', '<unused1>', '<unused2>', '<unused3>'],
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: sliceSplit(all, nTest, total),
    test: sliceSplit(all, 0, nTest),
  };
}
