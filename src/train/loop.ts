// The training loop, the same in Node (CLI, tests) and in the browser's worker. A custom loop
// rather than model.fit: it checks every batch's loss and gradients before applying them (a
// NaN/Inf stops training within that batch, and the weights stay the last good ones), clips by
// global norm, pauses and stops between batches, and reports per-batch progress.
import * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from '../core/compile';
import { getBlock } from '../../blocks/index';
import { rng } from '../core/randomInputs';
import { augmentationOf, augmentImages, augments, isImage } from './augment';
import { gatherRows, shuffleIndex, sliceRows, sliceSplit, type Dataset, type Split, type TensorData } from '../data/dataset';
import { learningRateAt, lossFor, type LossName, type LrSchedule, type TrainingConfig } from './config';
import { mixSeed, withSeededRandom } from '../core/seeded';
import { samplingLosses } from '../core/layers/sampling';
import type { GradFlowHook } from './gradFlow';
import { DECODER_INPUT, decoderStart, greedyDecode } from './decode';

export interface FitIssue {
  /** The graph node to fix (an Input or output node), or null for the dataset as a whole. */
  node: string | null;
  message: string;
}

export class DataFitError extends Error {
  constructor(readonly issues: FitIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'DataFitError';
  }
}

interface OutputPlan {
  node: string;
  loss: LossName;
  /** Where the targets come from: a dataset label array, or the model input (autoencoders). */
  source: { kind: 'label'; index: number } | { kind: 'input'; index: number };
  classes?: number;
  /** Shape of one prediction (no batch). */
  outShape: number[];
  /** Label id that does not count in the loss or accuracy (the dataset's ignoreLabel). */
  ignore?: number;
}

export interface Plan {
  inputs: { node: string; dataIndex: number }[];
  outputs: OutputPlan[];
}

const fmt = (s: (number | null)[]) => `[${s.join(', ')}]`;

function isSoftmaxNode(c: CompiledModel, node: string): boolean {
  const info = c.analysis.nodes.get(node);
  if (!info) return false;
  return getBlock(info.type)?.outputActivation?.(info.params) === 'softmax';
}
function isSigmoidNode(c: CompiledModel, node: string): boolean {
  const info = c.analysis.nodes.get(node);
  return !!info && getBlock(info.type)?.outputActivation?.(info.params) === 'sigmoid';
}

/** Checks that a dataset fits the compiled graph; says which node to change and how. */
export function planData(c: CompiledModel, data: Dataset, cfg: TrainingConfig): Plan {
  const issues: FitIssue[] = [];
  const a = c.analysis;
  if (a.inputs.length !== data.train.x.length)
    issues.push({
      node: null,
      message: `the graph has ${a.inputs.length} Input block(s) (${a.inputs.join(', ')}) but the ${data.title} data gives ${data.train.x.length} input(s)${data.task === 'seq2seq' ? ' (seq2seq: the source tokens, then the decoder input — the target shifted right, for teacher forcing)' : ''}`,
    });
  const inputs: Plan['inputs'] = [];
  a.inputs.forEach((id, k) => {
    const t = data.train.x[k];
    if (!t) return;
    const info = a.nodes.get(id)!;
    const shape = info.outputShapes!.out!.slice(1);
    const fits = shape.length === t.shape.length && shape.every((d, i) => d === null || d === t.shape[i]);
    if (!fits) issues.push({ node: id, message: `Input "${id}" has shape ${fmt(shape)} but the ${data.title} data gives ${fmt(t.shape)} — set the Input's shape to ${fmt(t.shape)}` });
    const dtype = info.outputDtypes!.out;
    if (t.dtype === 'int32' && dtype !== 'int32') issues.push({ node: id, message: `Input "${id}" is float32 but the ${data.title} data gives token ids — set the Input's dtype to int32 and feed an Embedding` });
    inputs.push({ node: id, dataIndex: k });
  });
  const outputs: OutputPlan[] = [];
  a.outputs.forEach((o, k) => {
    const outShape = a.nodes.get(o.node)!.outputShapes![o.port]!.slice(1);
    const loss = lossFor(cfg, o.node);
    const regression = loss === 'meanSquaredError' || loss === 'meanAbsoluteError' || loss === 'binaryCrossentropy';
    const x0 = data.train.x[0];
    const useInput =
      cfg.target === 'input' || (cfg.target === 'auto' && regression && !!x0 && outShape.length === x0.shape.length && outShape.every((d, i) => d === x0.shape[i]));
    if (useInput) {
      if (!x0 || outShape.length !== x0.shape.length || !outShape.every((d, i) => d === x0.shape[i]))
        issues.push({ node: o.node, message: `output "${o.node}" has shape ${fmt(outShape)} but is trained to rebuild the input ${fmt(x0?.shape ?? [])} — make the shapes equal` });
      outputs.push({ node: o.node, loss, source: { kind: 'input', index: 0 }, outShape: outShape as number[] });
      return;
    }
    const y = data.train.y[k];
    if (!y) {
      issues.push({ node: o.node, message: `output "${o.node}" has no labels: the ${data.title} data gives ${data.train.y.length} label set(s) for ${a.outputs.length} outputs` });
      return;
    }
    const plan: OutputPlan = { node: o.node, loss, source: { kind: 'label', index: k }, outShape: outShape as number[] };
    if (loss === 'sparseCategoricalCrossentropy' || loss === 'categoricalCrossentropy') {
      const C = data.numClasses ?? 0;
      const want = [...y.shape, C];
      if (outShape.length !== want.length || !outShape.every((d, i) => d === null || d === want[i]))
        issues.push({
          node: o.node,
          message: `output "${o.node}" gives ${fmt(outShape)} but ${data.title} needs ${fmt(want)} (${C} classes${y.shape.length ? ` at each of ${y.shape.join('×')} positions` : ''}) — ${outShape[outShape.length - 1] !== C ? `set its units to ${C}` : 'check the sequence length'}`,
        });
      if (!isSoftmaxNode(c, o.node)) issues.push({ node: o.node, message: `${loss} needs probabilities: set output "${o.node}"'s activation to softmax (or end with a Softmax block)` });
      plan.classes = C;
      if (loss === 'sparseCategoricalCrossentropy' && data.ignoreLabel !== undefined) plan.ignore = data.ignoreLabel;
    } else if (loss === 'binaryCrossentropy') {
      if ((data.numClasses ?? 2) !== 2) issues.push({ node: o.node, message: `binaryCrossentropy needs 2 classes, ${data.title} has ${data.numClasses} — use sparseCategoricalCrossentropy with a softmax output` });
      const want = [...y.shape, 1];
      if (!(outShape.length === want.length && outShape.every((d, i) => d === want[i])))
        issues.push({ node: o.node, message: `output "${o.node}" gives ${fmt(outShape)} but binary labels need ${fmt(want)} — use 1 unit with a sigmoid activation` });
      if (!isSigmoidNode(c, o.node)) issues.push({ node: o.node, message: `binaryCrossentropy needs a probability: set output "${o.node}"'s activation to sigmoid` });
    } else if (!(outShape.length === y.shape.length && outShape.every((d, i) => d === y.shape[i]))) {
      issues.push({ node: o.node, message: `output "${o.node}" gives ${fmt(outShape)} but the ${data.title} targets are ${fmt(y.shape)}` });
    }
    outputs.push(plan);
  });
  const aug = augmentationOf(cfg);
  if (augments(aug) && !inputs.some((i) => isImage(data.train.x[i.dataIndex]!)))
    issues.push({
      node: inputs[0]?.node ?? null,
      message: `augmentation (${[aug.shift ? `shift ${aug.shift} px` : '', aug.rotate ? `rotate ${aug.rotate}°` : '', aug.flip ? 'flip' : ''].filter(Boolean).join(', ')}) works on images, but the ${data.title} data gives ${data.train.x.map((t) => fmt(t.shape)).join(', ')} — turn it off`,
    });
  if (issues.length) throw new DataFitError(issues);
  return { inputs, outputs };
}

function toTensor(t: TensorData, n: number): tf.Tensor {
  return tf.tensor(t.data, [n, ...t.shape], t.dtype);
}

/** The batch's input tensors and target tensors, shaped for the model. */
function batchTensors(plan: Plan, s: Split): { xs: tf.Tensor[]; ys: tf.Tensor[] } {
  const xs = plan.inputs.map((i) => toTensor(s.x[i.dataIndex]!, s.n));
  const ys = plan.outputs.map((o) => {
    const src = o.source.kind === 'input' ? s.x[o.source.index]! : s.y[o.source.index]!;
    const t = toTensor(src, s.n);
    if (o.loss === 'binaryCrossentropy') return t.toFloat().reshape([s.n, ...o.outShape]);
    if (o.loss === 'categoricalCrossentropy') return tf.oneHot(t.toInt().flatten(), o.classes!).reshape([s.n, ...o.outShape]);
    if (o.loss === 'sparseCategoricalCrossentropy') return t.toInt();
    return t.toFloat();
  });
  return { xs, ys };
}

const EPS = 1e-7;

/** Mean loss of one output (tf tensors; call inside tidy). */
export function lossValue(name: LossName, yTrue: tf.Tensor, yPred: tf.Tensor, ignore?: number): tf.Scalar {
  switch (name) {
    case 'sparseCategoricalCrossentropy': {
      const C = yPred.shape[yPred.shape.length - 1]!;
      const oh = tf.oneHot(yTrue.flatten(), C).reshape(yPred.shape);
      const nll = tf.neg(tf.sum(tf.mul(oh, tf.log(tf.clipByValue(yPred, EPS, 1 - EPS))), -1));
      if (ignore === undefined) return tf.mean(nll);
      // The mean over the labelled positions only (a batch with none counts 0).
      const w = tf.notEqual(yTrue.reshape(nll.shape), ignore).toFloat();
      return tf.div(tf.sum(tf.mul(nll, w)), tf.maximum(tf.sum(w), 1)) as tf.Scalar;
    }
    case 'categoricalCrossentropy':
      return tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(yPred, EPS, 1 - EPS))), -1))) as tf.Scalar;
    case 'binaryCrossentropy': {
      const p = tf.clipByValue(yPred, EPS, 1 - EPS);
      return tf.neg(tf.mean(tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p)))))) as tf.Scalar;
    }
    case 'meanSquaredError':
      return tf.mean(tf.square(tf.sub(yPred, yTrue)));
    case 'meanAbsoluteError':
      return tf.mean(tf.abs(tf.sub(yPred, yTrue)));
  }
}

/** Fraction correct for classification losses; undefined for regression. */
function accuracyCount(name: LossName, yTrue: tf.Tensor, yPred: tf.Tensor, ignore?: number): { correct: tf.Scalar; total: tf.Scalar } | undefined {
  if (name === 'sparseCategoricalCrossentropy') {
    const truth = yTrue.reshape(yPred.shape.slice(0, -1));
    const eq = tf.equal(tf.argMax(yPred, -1), truth).toFloat();
    if (ignore === undefined) return { correct: tf.sum(eq), total: tf.scalar(eq.size) };
    const w = tf.notEqual(truth, ignore).toFloat();
    return { correct: tf.sum(tf.mul(eq, w)), total: tf.sum(w) };
  }
  if (name === 'categoricalCrossentropy') {
    const eq = tf.equal(tf.argMax(yPred, -1), tf.argMax(yTrue, -1));
    return { correct: tf.sum(eq.toFloat()), total: tf.scalar(eq.size) };
  }
  if (name === 'binaryCrossentropy') {
    const eq = tf.equal(tf.greater(yPred, 0.5), tf.greater(yTrue, 0.5));
    return { correct: tf.sum(eq.toFloat()), total: tf.scalar(eq.size) };
  }
  return undefined;
}

/** Changes an optimizer's learning rate between steps (SGD keeps it as a tensor: setLearningRate). */
function setLearningRate(o: tf.Optimizer, lr: number): void {
  const any = o as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (any.learningRate === lr) return;
  if (any.setLearningRate) any.setLearningRate(lr);
  else any.learningRate = lr;
}

export function makeOptimizer(cfg: TrainingConfig): tf.Optimizer {
  switch (cfg.optimizer) {
    case 'sgd':
      return cfg.momentum > 0 ? tf.train.momentum(cfg.learningRate, cfg.momentum) : tf.train.sgd(cfg.learningRate);
    case 'adam':
      return tf.train.adam(cfg.learningRate);
    case 'adagrad':
      return tf.train.adagrad(cfg.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(cfg.learningRate);
  }
}

export interface BatchEvent {
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  accuracy?: number;
  examplesPerSec: number;
  /** Seconds left at the current speed. */
  etaSec: number;
  /** 0..1 over the whole run. */
  progress: number;
}

export interface EpochEvent {
  epoch: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** The learning rate this epoch trained at (see the config's lrSchedule). */
  learningRate?: number;
}

export interface TrainCallbacks {
  onBatch?(e: BatchEvent): void | Promise<void>;
  onEpoch?(e: EpochEvent): void | Promise<void>;
}

export interface TrainControl {
  /** Checked between batches. */
  shouldStop?(): boolean;
  /** Awaited between batches; resolve to go on (pause = a pending promise). */
  waitWhilePaused?(): Promise<void>;
}

export interface TrainResult {
  status: 'completed' | 'stopped' | 'nan';
  message?: string;
  history: EpochEvent[];
  batches: number;
  examples: number;
  seconds: number;
}

export interface TrainOptions {
  /**
   * Resume at this epoch and batch of the call (after a lost GPU device, from a snapshot of the
   * weights and the optimizer's state): earlier epochs' shuffles are replayed and the
   * augmentation and dropout streams are keyed by position, so the batches and their randomness
   * are the ones an uninterrupted run would see.
   */
  resume?: { epoch: number; batch: number };
  /**
   * Epochs trained before this call (Train more): the data order, augmentation and dropout
   * streams continue from there instead of repeating the first epochs', and messages count
   * epochs from the start of training.
   */
  startEpoch?: number;
  /**
   * The optimizer to step (its moments and step count carry over between calls: Train more, a
   * resume). The caller owns it; without one a fresh optimizer is made and disposed at the end.
   */
  optimizer?: tf.Optimizer;
  /** This call's learning rates (default: the config's schedule over cfg.epochs). */
  schedule?: LrSchedule;
  /** Per-block gradient statistics every few batches (src/train/gradFlow.ts); read-only, training is unchanged. */
  gradFlow?: GradFlowHook;
}

/** Purposes of the position-keyed random streams (see src/core/seeded.ts). */
const STREAM_AUGMENT = 0xa06;
const STREAM_STEP = 0xd20;

export async function train(c: CompiledModel, data: Dataset, cfg: TrainingConfig, cb: TrainCallbacks = {}, control: TrainControl = {}, opts: TrainOptions = {}): Promise<TrainResult> {
  const plan = planData(c, data, cfg);
  const model = c.model;
  const r = rng(cfg.seed);
  const startEpoch = opts.startEpoch ?? 0;
  const schedule = opts.schedule ?? cfg;
  const aug = augmentationOf(cfg);
  // Validation split from the end of the (already shuffled) training data.
  const nVal = Math.floor(data.train.n * cfg.validationSplit);
  const trainSplit = sliceSplit(data.train, 0, data.train.n - nVal);
  const valSplit = nVal > 0 ? sliceSplit(data.train, data.train.n - nVal, data.train.n) : undefined;
  const n = trainSplit.n;
  const bs = Math.min(cfg.batchSize, n);
  const batchesPerEpoch = Math.ceil(n / bs);
  const totalBatches = batchesPerEpoch * cfg.epochs - (opts.resume ? opts.resume.epoch * batchesPerEpoch + opts.resume.batch : 0);
  const optimizer = opts.optimizer ?? makeOptimizer(cfg);
  // Frozen blocks ("trainable": false) are not in trainableWeights: they get no gradient and no step.
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length === 0) throw new DataFitError([{ node: null, message: 'every block with weights is frozen ("trainable": false): there is nothing to train — unfreeze at least one block' }]);
  const history: EpochEvent[] = [];
  const t0 = Date.now();
  let done = 0;
  let examples = 0;
  let status: TrainResult['status'] = 'completed';
  let message: string | undefined;
  // The shuffles of the epochs trained before this call, replayed so the data order continues.
  for (let e = 0; e < startEpoch; e++) shuffleIndex(n, r);
  try {
    outer: for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const order = shuffleIndex(n, r);
      if (opts.resume && epoch < opts.resume.epoch) continue;
      const firstBatch = opts.resume && epoch === opts.resume.epoch ? opts.resume.batch : 0;
      const global = startEpoch + epoch;
      const lr = learningRateAt(schedule, epoch);
      setLearningRate(optimizer, lr);
      let lossSum = 0;
      let correct = 0;
      let total = 0;
      for (let b = firstBatch; b < batchesPerEpoch; b++) {
        if (control.shouldStop?.()) {
          status = 'stopped';
          message = `stopped by the user at epoch ${global + 1}, before batch ${b + 1}`;
          break outer;
        }
        if (control.waitWhilePaused) {
          await control.waitWhilePaused();
          // A stop pressed while paused ends the run here, before another batch is trained.
          if (control.shouldStop?.()) {
            status = 'stopped';
            message = `stopped by the user at epoch ${global + 1}, before batch ${b + 1}`;
            break outer;
          }
        }
        const idx = order.subarray(b * bs, Math.min(n, (b + 1) * bs));
        const batch: Split = { x: trainSplit.x.map((t) => gatherRows(t, idx)), y: trainSplit.y.map((t) => gatherRows(t, idx)), n: idx.length };
        // Augmented copies (gatherRows copies); a target that is the input sees the same image.
        if (augments(aug)) {
          const augRand = rng(mixSeed(cfg.seed, STREAM_AUGMENT, global, b));
          for (const t of batch.x) if (isImage(t)) augmentImages(t, batch.n, aug, augRand);
        }
        // Forward + gradients in one tidy; the numbers are read back asynchronously (a synchronous
        // read is unreliable and slow on WebGPU), and the update is applied only when they are finite.
        let counted = false;
        // Dropout masks, noise and sampling drawn from this batch's own seeded stream.
        const t = withSeededRandom(mixSeed(cfg.seed, STREAM_STEP, global, b), () => tf.tidy(() => {
          const { xs, ys } = batchTensors(plan, batch);
          let acc: tf.Scalar[] = [];
          let tot: tf.Scalar[] = [];
          const { value, grads } = tf.variableGrads(() => {
            const out = model.apply(xs.length === 1 ? xs[0]! : xs, { training: true }) as tf.Tensor | tf.Tensor[];
            const outs = Array.isArray(out) ? out : [out];
            let loss = tf.scalar(0);
            acc = [];
            tot = [];
            plan.outputs.forEach((o, k) => {
              loss = tf.add(loss, lossValue(o.loss, ys[k]!, outs[k]!, o.ignore));
              const a = accuracyCount(o.loss, ys[k]!, outs[k]!, o.ignore);
              if (a) {
                acc.push(tf.keep(a.correct));
                tot.push(tf.keep(a.total));
              }
            });
            counted = acc.length > 0;
            // Layer losses: the VAE's KL term from Sampling blocks (0 when there are none).
            loss = tf.add(loss, samplingLosses(model));
            return loss as tf.Scalar;
          }, vars);
          const gs = vars.map((v) => grads[v.name]!);
          // Summed pairwise, not with tf.addN: WebGPU's addN binds every input as a storage buffer, and
          // past the device's limit (8 on many adapters, e.g. SwiftShader) the work is dropped and the
          // loss reads back as 0 — a LeNet-5 has 10 weight tensors.
          const norm = tf.sqrt(gs.map((g) => tf.sum(tf.square(g))).reduce<tf.Tensor>((a, b) => tf.add(a, b), tf.scalar(0)));
          // A fresh tensor (tf.addN of one tensor may hand back that same tensor, disposed below).
          const correct = acc.reduce<tf.Tensor>((sum, a) => tf.add(sum, a), tf.scalar(0));
          const total = tot.reduce<tf.Tensor>((sum, a) => tf.add(sum, a), tf.scalar(0));
          acc.forEach((a) => a.dispose());
          tot.forEach((a) => a.dispose());
          // One read-back per batch: loss, gradient norm, correct and counted positions side by side.
          const nums = tf.stack([value, norm, correct, total]);
          return { nums, gs };
        }));
        let step: { lossNum: number; normNum: number; ok: boolean; accCorrect: number; accTotal: number };
        try {
          const nums = await t.nums.data();
          const lossNum = nums[0]!;
          const normNum = nums[1]!;
          const accCorrect = nums[2]!;
          const accTotal = counted ? nums[3]! : 0;
          const ok = Number.isFinite(lossNum) && Number.isFinite(normNum);
          if (ok) {
            // Global-norm clipping before anything is applied.
            const scale = cfg.clipNorm !== null && normNum > cfg.clipNorm ? cfg.clipNorm / normNum : 1;
            const flow = opts.gradFlow?.wants(b, batchesPerEpoch) ? opts.gradFlow : undefined;
            const prev = flow?.before(vars);
            tf.tidy(() => {
              const named: tf.NamedTensorMap = {};
              vars.forEach((v, i) => (named[v.name] = scale === 1 ? t.gs[i]! : tf.mul(t.gs[i]!, scale)));
              optimizer.applyGradients(named);
            });
            if (flow && prev) await flow.after({ epoch: global, batch: b, step: global * batchesPerEpoch + b + 1 }, vars, t.gs, prev, () => batchTensors(plan, batch).xs);
          }
          step = { lossNum, normNum, ok, accCorrect, accTotal };
        } finally {
          tf.dispose([t.nums, ...t.gs]);
        }
        if (!step.ok) {
          status = 'nan';
          message = `the loss became ${Number.isNaN(step.lossNum) || Number.isNaN(step.normNum) ? 'NaN' : 'infinite'} at epoch ${global + 1}, batch ${b + 1}: training stopped and the weights are the last good ones (before this batch). Try a lower learning rate, gradient clipping (clipNorm), or check the data.`;
          break outer;
        }
        done++;
        examples += idx.length;
        lossSum += step.lossNum * idx.length;
        correct += step.accCorrect;
        total += step.accTotal;
        const secs = (Date.now() - t0) / 1000;
        await cb.onBatch?.({
          epoch,
          batch: b,
          batchesPerEpoch,
          loss: step.lossNum,
          accuracy: step.accTotal ? step.accCorrect / step.accTotal : undefined,
          examplesPerSec: examples / Math.max(secs, 1e-3),
          etaSec: (secs / done) * (totalBatches - done),
          progress: done / totalBatches,
        });
      }
      const seen = Math.min(n, (batchesPerEpoch - firstBatch) * bs);
      const ev: EpochEvent = { epoch, loss: lossSum / Math.max(1, seen), accuracy: total ? correct / total : undefined, learningRate: lr };
      if (valSplit) {
        const v = await evaluateAsync(c, valSplit, cfg, plan);
        ev.valLoss = v.loss;
        ev.valAccuracy = v.accuracy;
      }
      history.push(ev);
      await cb.onEpoch?.(ev);
    }
  } finally {
    if (!opts.optimizer) optimizer.dispose();
  }
  return { status, message, history, batches: done, examples, seconds: (Date.now() - t0) / 1000 };
}

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
