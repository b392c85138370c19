// A long-dependency task for recurrent networks: the first token of a sequence is one of a few
// keys, then come `gap` random distractor digits; the label is the key. Nothing after the first
// step says anything about the answer, so a model must carry one token's worth of information
// across the whole gap — what a plain RNN's vanishing gradients make hard and an LSTM's gated
// cell state makes easy (the Experiments gallery's long-dependency experiment).
//
// Each step is a one-hot vector, not a token id: behind a learned Embedding (initialised near 0)
// the distractors start out invisible and even a plain RNN carries the key 50 steps (measured:
// 100% after two epochs). One-hot distractors hit the state with full force from the first batch,
// so the network has to learn to hold the key against them — the lecture's point.
//
// `anywhere`: in the training split the key sits at a random step (the steps before it are
// digits too), so some gaps are short; the test split still puts it first (the full gap). The
// short gaps give both networks a gradient they can learn the task from: what is then tested
// is whether what they learned holds across the whole gap. (With the key always first, an LSTM
// whose forget gates start near 0.5 or 0.73 gets almost no gradient from it at all — measured:
// chance after 3 epochs.)
import { rng } from '../core/randomInputs';
import { DataError, sliceSplit, type Dataset, type Split } from './dataset';

export interface RecallOptions {
  n?: number;
  /** Distractor steps between the key and the end of the sequence. */
  gap?: number;
  /** Number of distinct keys (= classes). */
  keys?: number;
  seed?: number;
  testFraction?: number;
  /** Training split only: the key at a uniformly random step (gap 0 to `gap`), not always first. */
  anywhere?: boolean;
}

const DIGITS = '0123456789'.split('');

export function makeRecall(opts: RecallOptions = {}): Dataset {
  const n = opts.n ?? 3000;
  const gap = opts.gap ?? 50;
  const K = opts.keys ?? 4;
  if (!Number.isInteger(gap) || gap < 1) throw new DataError(`recall: gap must be an integer ≥ 1, got ${JSON.stringify(gap)}`);
  if (!Number.isInteger(K) || K < 2 || K > 26) throw new DataError(`recall: keys must be an integer in [2, 26], got ${JSON.stringify(K)}`);
  if (!Number.isInteger(n) || n < 2) throw new DataError(`recall: n must be an integer ≥ 2, got ${JSON.stringify(n)}`);
  // One-hot features: the K keys A, B, …, then the ten distractor digits.
  const keys = Array.from({ length: K }, (_, i) => String.fromCharCode(65 + i));
  const V = K + DIGITS.length;
  const T = gap + 1;
  const r = rng(opts.seed ?? 17);
  const x = new Float32Array(n * T * V);
  const y = new Int32Array(n);
  const nTest = Math.max(1, Math.round(n * (opts.testFraction ?? 0.1)));
  for (let i = 0; i < n; i++) {
    const key = Math.floor(r() * K);
    y[i] = key;
    // The test split is the first nTest examples: the key always first there.
    const at = opts.anywhere && i >= nTest ? Math.floor(r() * T) : 0;
    for (let t = 0; t < T; t++) x[(i * T + t) * V + (t === at ? key : K + Math.floor(r() * 10))] = 1;
  }
  const all: Split = { x: [{ shape: [T, V], dtype: 'float32', data: x }], y: [{ shape: [], dtype: 'int32', data: y }], n };
  return {
    name: opts.anywhere ? 'recall-anywhere' : 'recall',
    title: opts.anywhere ? 'Recall the key, wherever it was' : 'Recall the first token',
    description: opts.anywhere
      ? `${n} sequences of ${T} one-hot steps (${V} features): a key (${keys.join(', ')}) among random digits, anywhere in the training sequences, first in the ${nTest} test ones (then ${gap} digits follow it); name the key. Chance is ${(100 / K).toFixed(0)}%.`
      : `${n} sequences of ${T} one-hot steps (${V} features): a key (${keys.join(', ')}) then ${gap} random digits; name the key. Chance is ${(100 / K).toFixed(0)}%.`,
    task: 'classification',
    numClasses: K,
    classNames: keys,
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: sliceSplit(all, nTest, n),
    test: sliceSplit(all, 0, nTest),
  };
}
