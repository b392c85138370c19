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
  for (let i = 0; i < n; i++) {
    const key = Math.floor(r() * K);
    y[i] = key;
    x[i * T * V + key] = 1;
    for (let t = 1; t < T; t++) x[(i * T + t) * V + K + Math.floor(r() * 10)] = 1;
  }
  const all: Split = { x: [{ shape: [T, V], dtype: 'float32', data: x }], y: [{ shape: [], dtype: 'int32', data: y }], n };
  const nTest = Math.max(1, Math.round(n * (opts.testFraction ?? 0.1)));
  return {
    name: 'recall',
    title: 'Recall the first token',
    description: `${n} sequences of ${T} one-hot steps (${V} features): a key (${keys.join(', ')}) then ${gap} random digits; name the key. Chance is ${(100 / K).toFixed(0)}%.`,
    task: 'classification',
    numClasses: K,
    classNames: keys,
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: sliceSplit(all, nTest, n),
    test: sliceSplit(all, 0, nTest),
  };
}
