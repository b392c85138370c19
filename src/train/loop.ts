// The training loop, the same in Node (CLI, tests) and in the browser's worker. A custom loop
// rather than model.fit: it checks every batch's loss and gradient norm (a NaN/Inf stops training
// within one batch, and the weights are the last good ones), clips by global norm, pauses and
// stops between batches, and reports per-batch progress.
//
// Lean read-back: on GPU backends a batch's numbers (loss, gradient norm, accuracy counts: one
// 4-float tensor) are read asynchronously while the next batch's gradients are computed, and its
// update is applied before they arrive, so the device never waits for the page (on WASM and CPU
// the numbers are there when the step returns: read before the update, nothing to undo). "Within one batch" precisely: a
// non-finite loss or gradient norm at batch k is read while batch k+1's gradients are computed and
// before batch k+1's update; batch k's update is then undone (weights, optimizer slots and step
// count, step.ts's UndoPoint), nothing after it is applied, and the run ends "at batch k" with the
// weights from before batch k. The first batch of each call (and each gradient-flow sample) is
// checked before its update instead: it also finds which variables an update writes.
import * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from '../core/compile';
import { rng } from '../core/randomInputs';
import { augmentationOf, augmentImages, augments, isImage } from './augment';
import { gatherRows, shuffleIndex, sliceSplit, type Dataset, type Split } from '../data/dataset';
import { learningRateAt, type LrSchedule, type TrainingConfig } from './config';
import { mixSeed, withSeededRandom } from '../core/seeded';
import type { GradFlowHook } from './gradFlow';
import { batchTensors, planData, DataFitError } from './plan';
import { evaluateAsync } from './evaluate';
import { makeOptimizer, setLearningRate } from './optimizers';
import { applyAndFindWritten, applyStep, computeStep, finite, readStep, stepTensors, UndoPoint, type StepNumbers, type StepTensors } from './step';

export { DataFitError, planData, type FitIssue, type Plan } from './plan';
export { lossValue } from './losses';
export { makeOptimizer } from './optimizers';
export { evaluate, evaluateAsync, evaluateGreedy, evaluateTest, evaluateTestAsync, exactMatchCount, PAD_ID, type EvalResult, type GreedyResult } from './evaluate';

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
  /**
   * When a batch's numbers are read: 'deferred' (while the next batch's gradients are computed,
   * its update applied before, undone if they are not finite) or 'before' its update. Default:
   * 'before' on the backends that run on the CPU (WASM, CPU), where a read-back stalls nothing
   * and the undo point's bookkeeping would be pure cost; 'deferred' on GPU backends.
   */
  readBack?: 'deferred' | 'before';
}

/** Purposes of the position-keyed random streams (see src/core/seeded.ts). */
const STREAM_AUGMENT = 0xa06;
const STREAM_STEP = 0xd20;


/** A batch whose update is applied and whose numbers are on their way back. */
interface InFlight {
  epoch: number;
  global: number;
  batch: number;
  size: number;
  read: Promise<StepNumbers>;
  nums: tf.Tensor;
  undo?: UndoPoint;
}

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
  let lossSum = 0;
  let correct = 0;
  let total = 0;
  /** The variables an update writes (found on the call's first, checked, step). */
  let written: tf.Variable[] | undefined;
  let inFlight: InFlight | undefined;
  let step: StepTensors | undefined;
  const deferred = (opts.readBack ?? (['wasm', 'cpu'].includes(tf.getBackend()) ? 'before' : 'deferred')) === 'deferred';

  const stopped = (global: number, b: number) => {
    status = 'stopped';
    message = `stopped by the user at epoch ${global + 1}, before batch ${b + 1}`;
  };
  /** The batch's numbers, or null (and the run's status set) when they are not finite. */
  const check = (nums: StepNumbers, global: number, b: number): boolean => {
    if (finite(nums)) return true;
    status = 'nan';
    message = `the loss became ${Number.isNaN(nums.loss) || Number.isNaN(nums.norm) ? 'NaN' : 'infinite'} at epoch ${global + 1}, batch ${b + 1}: training stopped and the weights are the last good ones (before this batch). Try a lower learning rate, gradient clipping (clipNorm), or check the data.`;
    return false;
  };
  const report = async (nums: StepNumbers, epoch: number, b: number, size: number) => {
    done++;
    examples += size;
    lossSum += nums.loss * size;
    correct += nums.correct;
    total += nums.total;
    const secs = (Date.now() - t0) / 1000;
    await cb.onBatch?.({
      epoch,
      batch: b,
      batchesPerEpoch,
      loss: nums.loss,
      accuracy: nums.total ? nums.correct / nums.total : undefined,
      examplesPerSec: examples / Math.max(secs, 1e-3),
      etaSec: (secs / done) * (totalBatches - done),
      progress: done / totalBatches,
    });
  };
  /** Waits for the batch in flight: undoes its update if it was not finite, else reports it. */
  const land = async (): Promise<boolean> => {
    const f = inFlight;
    if (!f) return true;
    inFlight = undefined;
    let nums: StepNumbers;
    try {
      nums = await f.read;
    } finally {
      f.nums.dispose();
    }
    if (!check(nums, f.global, f.batch)) {
      f.undo?.undo();
      return false;
    }
    f.undo?.release();
    await report(nums, f.epoch, f.batch, f.size);
    return true;
  };

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
      lossSum = correct = total = 0;
      for (let b = firstBatch; b < batchesPerEpoch; b++) {
        const idx = order.subarray(b * bs, Math.min(n, (b + 1) * bs));
        const batch: Split = { x: trainSplit.x.map((t) => gatherRows(t, idx)), y: trainSplit.y.map((t) => gatherRows(t, idx)), n: idx.length };
        // Augmented copies (gatherRows copies); a target that is the input sees the same image.
        if (augments(aug)) {
          const augRand = rng(mixSeed(cfg.seed, STREAM_AUGMENT, global, b));
          for (const t of batch.x) if (isImage(t)) augmentImages(t, batch.n, aug, augRand);
        }
        // Dropout masks, noise and sampling drawn from this batch's own seeded stream.
        step = withSeededRandom(mixSeed(cfg.seed, STREAM_STEP, global, b), () => computeStep(model, plan, batch, vars, cfg.clipNorm));
        // The previous batch's numbers arrive while this one's gradients are computed.
        if (!(await land())) break outer;
        if (control.shouldStop?.()) {
          stopped(global, b);
          break outer;
        }
        if (control.waitWhilePaused) {
          await control.waitWhilePaused();
          // A stop pressed while paused ends the run here, before another batch is applied.
          if (control.shouldStop?.()) {
            stopped(global, b);
            break outer;
          }
        }
        const s = step;
        const flow = opts.gradFlow?.wants(b, batchesPerEpoch) ? opts.gradFlow : undefined;
        if (!deferred || !written || flow) {
          // Checked before the update: every batch on CPU backends, else the call's first batch
          // (it finds what an update writes) and gradient-flow samples (their statistics are of a
          // finite step).
          const nums = await readStep(s);
          if (!check(nums, global, b)) break outer;
          const prev = flow?.before(vars);
          if (written) applyStep(optimizer, vars, s);
          else written = applyAndFindWritten(optimizer, vars, s);
          if (flow && prev) await flow.after({ epoch: global, batch: b, step: global * batchesPerEpoch + b + 1 }, vars, s.grads, prev, () => batchTensors(plan, batch).xs);
          step = undefined;
          for (const t of stepTensors(s)) t.dispose();
          await report(nums, epoch, b, idx.length);
          continue;
        }
        const undo = new UndoPoint(written, optimizer);
        applyStep(optimizer, vars, s);
        step = undefined;
        inFlight = { epoch, global, batch: b, size: idx.length, read: readStep(s), nums: s.nums, undo };
        s.scale?.dispose();
        for (const g of s.grads) g.dispose();
      }
      if (!(await land())) break;
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
    // After a stop, a NaN or an error (a lost device, a failing callback): free what is still
    // held. On a lost device freeing can fail too; the error that ended the run is the one to see.
    const f = inFlight;
    f?.read.catch(() => undefined);
    for (const free of [() => step && tf.dispose(stepTensors(step)), () => f?.nums.dispose(), () => f?.undo?.release(), () => !opts.optimizer && optimizer.dispose()])
      try {
        free();
      } catch {
        // as above
      }
  }
  return { status, message, history, batches: done, examples, seconds: (Date.now() - t0) / 1000 };
}
