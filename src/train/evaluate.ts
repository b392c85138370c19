// Evaluation: loss, accuracy, confusion matrix and sequence exact match over a split in inference
// mode (synchronous read-back for the CLI's CPU backend, asynchronous for every backend), and greedy
// decoding of seq2seq models.
import * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from '../core/compile';
import { sliceRows, sliceSplit, type Dataset, type Split } from '../data/dataset';
import type { TrainingConfig } from './config';
import { DECODER_INPUT, decoderStart, greedyDecode } from './decode';
import { accuracyCount, lossValue } from './losses';
import { batchTensors, fmt, planData, toTensor, type OutputPlan, type Plan } from './plan';

export interface EvalResult {
  loss: number;
  accuracy?: number;
  /**
   * Whole-sequence exact match (seq2seq / sequence labels): the fraction of examples whose every
   * non-padding target token is predicted. From one forward pass, so for a seq2seq model this is
   * teacher-forced (each step sees the true previous token); see evaluateGreedy for decoding.
   */
  exactMatch?: number;
  /** confusion[true][pred] for single-label classifiers. */
  confusion?: number[][];
  n: number;
}

interface EvalSetup {
  bs: number;
  first: OutputPlan | undefined;
  confusion: number[][] | undefined;
  seqLabels: boolean;
}

function evalSetup(s: Split, cfg: TrainingConfig, plan: Plan): EvalSetup {
  const first = plan.outputs[0];
  const confusion = first && first.classes && first.source.kind === 'label' && s.y[first.source.index]!.shape.length === 0 ? Array.from({ length: first.classes }, () => new Array<number>(first.classes!).fill(0)) : undefined;
  const seqLabels = !!first && first.source.kind === 'label' && first.loss === 'sparseCategoricalCrossentropy' && s.y[first.source.index]!.shape.length > 0;
  return { bs: Math.max(1, Math.min(cfg.batchSize * 4, 512)), first, confusion, seqLabels };
}

/** One batch's loss, correct count, and (for the confusion matrix / exact match) predictions, as tensors. */
function evalBatch(c: CompiledModel, part: Split, plan: Plan, e: EvalSetup): EvalTensors {
  return tf.tidy(() => {
    const { xs, ys } = batchTensors(plan, part);
    const out = c.model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
    const outs = Array.isArray(out) ? out : [out];
    let loss: tf.Tensor = tf.scalar(0);
    let cor: tf.Tensor = tf.scalar(0);
    let tot: tf.Tensor = tf.scalar(0);
    plan.outputs.forEach((o, k) => {
      loss = tf.add(loss, lossValue(o.loss, ys[k]!, outs[k]!, o.ignore));
      const a = accuracyCount(o.loss, ys[k]!, outs[k]!, o.ignore);
      if (a) {
        cor = tf.add(cor, a.correct);
        tot = tf.add(tot, a.total);
      }
    });
    const withPred = !!e.first && (!!e.confusion || e.seqLabels);
    return { loss, cor, tot, pred: withPred ? tf.argMax(outs[0]!, -1) : undefined, truth: withPred ? ys[0]!.toInt() : undefined };
  });
}

interface EvalTensors {
  loss: tf.Tensor;
  cor: tf.Tensor;
  tot: tf.Tensor;
  pred?: tf.Tensor;
  truth?: tf.Tensor;
}

/** One batch's results read back (EvalTensors' values). */
interface EvalValues {
  loss: number;
  cor: number;
  tot: number;
  pred?: Int32Array;
  truth?: Int32Array;
}

class EvalAcc {
  lossSum = 0;
  correct = 0;
  total = 0;
  exact = 0;
  constructor(readonly e: EvalSetup) {}
  add(n: number, { loss, cor, tot, pred, truth }: EvalValues) {
    this.lossSum += loss * n;
    this.correct += cor;
    this.total += tot;
    if (pred && truth) {
      if (this.e.seqLabels) {
        this.exact += exactMatchCount(pred, truth, n);
      }
      if (this.e.confusion) for (let i = 0; i < pred.length; i++) this.e.confusion[truth[i]!]![pred[i]!]!++;
    }
  }
  result(n: number): EvalResult {
    return {
      loss: this.lossSum / Math.max(1, n),
      accuracy: this.total ? this.correct / this.total : undefined,
      exactMatch: this.e.seqLabels ? this.exact / Math.max(1, n) : undefined,
      confusion: this.e.confusion,
      n,
    };
  }
}

/**
 * The one evaluation loop: batches over the split, yielding each batch's result tensors and
 * taking back their values. evaluate and evaluateAsync differ only in how they read a batch back.
 */
function* evalLoop(c: CompiledModel, s: Split, cfg: TrainingConfig, plan: Plan): Generator<EvalTensors, EvalResult, EvalValues> {
  const e = evalSetup(s, cfg, plan);
  const acc = new EvalAcc(e);
  for (let from = 0; from < s.n; from += e.bs) {
    const part = sliceSplit(s, from, Math.min(s.n, from + e.bs));
    acc.add(part.n, yield evalBatch(c, part, plan, e));
  }
  return acc.result(s.n);
}

/** Reads a batch's results back synchronously (the CPU backend), then frees them. */
function readNow(r: EvalTensors): EvalValues {
  try {
    return { loss: r.loss.dataSync()[0]!, cor: r.cor.dataSync()[0]!, tot: r.tot.dataSync()[0]!, pred: r.pred?.dataSync() as Int32Array | undefined, truth: r.truth?.dataSync() as Int32Array | undefined };
  } finally {
    tf.dispose(evalTensorList(r));
  }
}

/** Reads a batch's results back asynchronously (every backend; required on WebGPU), then frees them. */
async function readLater(r: EvalTensors): Promise<EvalValues> {
  try {
    const [l, k, m, p, t] = await Promise.all([r.loss.data(), r.cor.data(), r.tot.data(), r.pred?.data(), r.truth?.data()]);
    return { loss: l[0]!, cor: k[0]!, tot: m[0]!, pred: p as Int32Array | undefined, truth: t as Int32Array | undefined };
  } finally {
    tf.dispose(evalTensorList(r));
  }
}

const evalTensorList = (r: EvalTensors): tf.Tensor[] => [r.loss, r.cor, r.tot, ...(r.pred ? [r.pred] : []), ...(r.truth ? [r.truth] : [])];

/** Loss and accuracy over a split, in batches (inference mode). Synchronous: for the CPU backend (CLI). */
export function evaluate(c: CompiledModel, s: Split, cfg: TrainingConfig, plan: Plan): EvalResult {
  const loop = evalLoop(c, s, cfg, plan);
  let step = loop.next();
  while (!step.done) step = loop.next(readNow(step.value));
  return step.value;
}

/** The same, reading results back asynchronously (every backend; required on WebGPU). */
export async function evaluateAsync(c: CompiledModel, s: Split, cfg: TrainingConfig, plan: Plan): Promise<EvalResult> {
  const loop = evalLoop(c, s, cfg, plan);
  let step = loop.next();
  while (!step.done) step = loop.next(await readLater(step.value));
  return step.value;
}

/** Evaluates on the dataset's test split. */
export function evaluateTest(c: CompiledModel, data: Dataset, cfg: TrainingConfig): EvalResult {
  return evaluate(c, data.test, cfg, planData(c, data, cfg));
}

/** Evaluates on the test split with asynchronous read-back (the browser's backends). */
export function evaluateTestAsync(c: CompiledModel, data: Dataset, cfg: TrainingConfig): Promise<EvalResult> {
  return evaluateAsync(c, data.test, cfg, planData(c, data, cfg));
}

/** Token id 0 is padding in every sequence dataset (src/data/sequences.ts). */
export const PAD_ID = 0;

/**
 * How many of n sequences (back to back in `pred` and `truth`, T = length / n tokens each) are
 * predicted exactly: every position whose true token is not padding must match; what the model
 * puts at padding positions does not count. With `end`, positions after the first end token of
 * the truth are ignored too (the sequence is over there).
 */
export function exactMatchCount(pred: ArrayLike<number>, truth: ArrayLike<number>, n: number, opts: { pad?: number; end?: number } = {}): number {
  if (pred.length !== truth.length) throw new Error(`exact match: ${pred.length} predicted tokens for ${truth.length} target tokens — they must be the same length`);
  if (n <= 0) return 0;
  const T = truth.length / n;
  if (!Number.isInteger(T)) throw new Error(`exact match: ${truth.length} target tokens do not split into ${n} sequences of equal length`);
  const pad = opts.pad ?? PAD_ID;
  let count = 0;
  for (let i = 0; i < n; i++) {
    let all = true;
    for (let t = 0; t < T && all; t++) {
      const y = truth[i * T + t]!;
      if (y === pad) continue;
      if (pred[i * T + t] !== y) all = false;
      else if (y === opts.end) break;
    }
    if (all) count++;
  }
  return count;
}

export interface GreedyResult {
  /** Fraction of test sequences decoded exactly (padding ignored). */
  exactMatch: number;
  /** Fraction of non-padding target tokens decoded right. */
  tokenAccuracy: number;
  /** The decoded tokens, n × T. */
  tokens: Int32Array;
  n: number;
}

/**
 * Greedy decoding of a teacher-forced seq2seq model (two inputs: source tokens, decoder input),
 * with the app's decoder (decode.ts): the decoder input starts as the data's start token followed by
 * padding; each step runs the model, takes the argmax at that step and writes it into the next
 * decoder position, so the model sees only its own earlier outputs — unlike teacher-forced evaluation. All test
 * sequences are decoded together, T forward passes in all. `end` (the </s> id, when the target
 * vocabulary has one) ends a sequence: tokens after it are not compared.
 */
export async function evaluateGreedy(c: CompiledModel, data: Dataset, cfg: TrainingConfig, opts: { start?: number; end?: number; batchSize?: number } = {}): Promise<GreedyResult> {
  const plan = planData(c, data, cfg);
  if (plan.inputs.length !== 2) throw new Error(`greedy decoding needs a seq2seq graph with 2 inputs (source, decoder input); this one has ${plan.inputs.length}`);
  const s = data.test;
  const decIn = s.x[DECODER_INPUT]!;
  const out = plan.outputs[0];
  if (!out || out.source.kind !== 'label') throw new Error('greedy decoding needs a first output trained on the dataset\'s target tokens');
  const truth = s.y[out.source.index]!;
  const T = decIn.shape[0]!;
  if (decIn.shape.length !== 1 || truth.shape.length !== 1 || truth.shape[0] !== T)
    throw new Error(`greedy decoding needs token sequences: the decoder input is ${fmt(decIn.shape)} and the target ${fmt(truth.shape)}`);
  const start = opts.start ?? decoderStart(s);
  const tokens = new Int32Array(s.n * T);
  const bs = Math.max(1, opts.batchSize ?? 512);
  for (let from = 0; from < s.n; from += bs) {
    const m = Math.min(s.n, from + bs) - from;
    // Everything but the decoder input stays as in the data.
    const fixed = plan.inputs.map((i) => (i.dataIndex === DECODER_INPUT ? null : toTensor(sliceRows(s.x[i.dataIndex]!, from, from + m), m)));
    try {
      const r = await greedyDecode(
        m,
        T,
        start,
        async (dec, t) => {
          const step = tf.tidy(() => {
            const decT = tf.tensor(dec, [m, T], 'int32');
            const o = c.model.predict(fixed.map((x) => x ?? decT)) as tf.Tensor | tf.Tensor[];
            const y = Array.isArray(o) ? o[0]! : o;
            // the argmax at step t only: [m, T, V] → [m, V] → [m]
            return tf.argMax(tf.squeeze(tf.slice(y, [0, t, 0], [m, 1, -1]), [1]), -1);
          });
          const best = (await step.data()) as Int32Array;
          step.dispose();
          return best;
        },
        opts.end,
      );
      tokens.set(r.tokens, from * T);
    } finally {
      tf.dispose(fixed.filter((x): x is tf.Tensor => x !== null));
    }
  }
  const y = truth.data;
  let right = 0;
  let total = 0;
  for (let i = 0; i < s.n; i++)
    for (let t = 0; t < T; t++) {
      const v = y[i * T + t]!;
      if (v === PAD_ID) continue;
      total++;
      if (tokens[i * T + t] === v) right++;
    }
  const exact = exactMatchCount(tokens, y, s.n, { end: opts.end });
  return { exactMatch: exact / Math.max(1, s.n), tokenAccuracy: right / Math.max(1, total), tokens, n: s.n };
}
