// The training worker's session: the compiled model, its data and optimizer, and the run —
// start, train more, pause, resume, stop — with batch events batched for the page, snapshots for
// a lost GPU device, and every failure turned into a message for the page.
//
// Lost GPU device: the weights and the optimizer's state are copied to CPU memory every epoch and
// every few seconds (snapshot.ts); when WebGPU's device is lost the run continues on the next
// backend from the last copy (train(..., {resume})) as the same training, and the page is told
// which batch it went back to.
import type * as tf from '@tensorflow/tfjs';
import { compile, CompileError, type CompiledModel } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { DataError, type Dataset } from '../data/dataset';
import { moreEpochsSchedule, type LrSchedule, type TrainingConfig } from './config';
import { DataFitError, evaluateTestAsync, makeOptimizer, train, type BatchEvent, type TrainResult } from './loop';
import { restoreSnapshot, SnapshotError, takeSnapshot, type Snapshot } from './snapshot';
import { createGradFlow } from './gradFlow';
import { loadWeightsInto, saveModel } from './weights';
import { loadFineTuneWeights } from './fineTune';
import { oomMessage, outOfMemory, type StartRequest } from './protocol';
import { autoChoose, backendChoice, backendLabel, deviceLoss, DeviceLost, ensureBackend, fallBack, throwIfLost } from './backendSupervisor';
import { loadData } from './workerData';
import { disposeProbes } from './inference';
import { post, setRunState, yieldToEvents } from './workerPort';

export interface Session {
  graph: GraphDoc;
  config: TrainingConfig;
  compiled: CompiledModel;
  data?: Dataset;
  /** Epochs trained so far (train more continues the count, the data order and the schedule). */
  epochs: number;
  /** The optimizer whose state (moments, step count) carries over to Train more. */
  optimizer?: tf.Optimizer;
  /** The learning rate the last trained epoch used (where Train more continues from). */
  lastRate?: number;
}
let session: Session | undefined;

// Run controls, checked between batches.
let stopRequested = false;
let pause: { promise: Promise<void>; resolve: () => void } | null = null;
let running = false;

export const isRunning = (): boolean => running;
export const currentSession = (): Session | undefined => session;

export function requireSession(): Session {
  if (!session) throw new Error('no trained model yet — train the graph (or restore saved weights) first');
  return session;
}

function disposeOptimizer(s: Session): void {
  try {
    s.optimizer?.dispose();
  } catch {
    // an optimizer on a lost device cannot always free its buffers; they go with the device
  }
  s.optimizer = undefined;
}

function disposeModel(s: Session): void {
  try {
    s.compiled.model.dispose();
  } catch {
    // a model on a lost device cannot always free its buffers; they go with the device
  }
}

export function disposeSession(): void {
  if (!session) return;
  disposeOptimizer(session);
  disposeModel(session);
  disposeProbes();
  session = undefined;
}

/** Puts a model filled with loaded weights in place of the session's (the data and epoch count stay). */
export function replaceModel(graph: GraphDoc, config: TrainingConfig, compiled: CompiledModel): void {
  const data = session?.data;
  const epochs = session?.epochs ?? 0;
  disposeSession();
  session = { graph, config, compiled, data, epochs };
}

// Batch events are gathered and sent a few times a second: with tiny batches the worker runs
// hundreds a second, and one message (and one re-render of the charts) per batch would bury the
// page's main thread.
const BATCH_FLUSH_MS = 100;
let pendingBatches: { es: BatchEvent[]; run: number } | null = null;
let lastFlush = 0;

function flushBatches(): void {
  if (pendingBatches?.es.length) post({ t: 'batch', es: pendingBatches.es, run: pendingBatches.run });
  pendingBatches = null;
  lastFlush = Date.now();
}

function queueBatch(e: BatchEvent, run: number): void {
  if (pendingBatches && pendingBatches.run !== run) flushBatches();
  (pendingBatches ??= { es: [], run }).es.push(e);
  if (Date.now() - lastFlush >= BATCH_FLUSH_MS || e.batch + 1 === e.batchesPerEpoch) flushBatches();
}

const SNAPSHOT_EVERY_MS = 3000;

/**
 * Trains the session's model for `epochs` more epochs on `schedule`, moving to the next backend if
 * the device is lost. The optimizer's state, the data order and the random streams carry on from
 * the epochs already trained.
 */
async function runEpochs(s: Session, epochs: number, schedule: LrSchedule): Promise<TrainResult> {
  const cfg: TrainingConfig = { ...s.config, epochs };
  const offset = s.epochs;
  const data = s.data!;
  s.optimizer ??= makeOptimizer(s.config);
  const snapshot = (at: Snapshot['at']) =>
    takeSnapshot(s.compiled.model, s.optimizer!, at).catch((e: unknown) => {
      throw e instanceof SnapshotError ? new DeviceLost(e.message) : e;
    });
  let snap = await snapshot({ epoch: 0, batch: 0 });
  let lastSnap = Date.now();
  /** Takes a snapshot at `at` and keeps it unless the device went away while it was taken. */
  const keepSnapshot = async (at: Snapshot['at']) => {
    const taken = await snapshot(at);
    await yieldToEvents();
    throwIfLost();
    snap = taken;
    lastSnap = Date.now();
  };
  let resume: Snapshot['at'] | undefined;
  const history: TrainResult['history'] = [];
  for (;;) {
    try {
      const res = await train(
        s.compiled,
        data,
        cfg,
        {
          onBatch: async (e) => {
            await yieldToEvents();
            throwIfLost();
            queueBatch({ ...e, epoch: e.epoch + offset }, offset);
            if (Date.now() - lastSnap > SNAPSHOT_EVERY_MS) await keepSnapshot(e.batch + 1 < e.batchesPerEpoch ? { epoch: e.epoch, batch: e.batch + 1 } : { epoch: e.epoch + 1, batch: 0 });
          },
          onEpoch: async (e) => {
            await yieldToEvents();
            throwIfLost();
            const ev = { ...e, epoch: e.epoch + offset };
            history.push(ev);
            flushBatches();
            post({ t: 'epoch', e: ev, run: offset });
            await keepSnapshot({ epoch: e.epoch + 1, batch: 0 });
          },
        },
        {
          shouldStop: () => stopRequested,
          waitWhilePaused: () => {
            // The page's counter stops where the run stops: send what is pending before waiting.
            if (pause) flushBatches();
            return pause?.promise ?? Promise.resolve();
          },
        },
        // Per-block gradient statistics a few times an epoch, for the Train panel's gradient-flow chart.
        { startEpoch: offset, optimizer: s.optimizer, schedule, ...(resume ? { resume } : {}), gradFlow: createGradFlow(s.compiled, { activations: true }, (g) => post({ t: 'gradflow', g })) },
      );
      return { ...res, history };
    } catch (err) {
      const loss = await deviceLoss(err);
      if (!loss) throw err;
      disposeOptimizer(s);
      disposeModel(s);
      const info = await fallBack(loss);
      s.compiled = compile(s.graph, { kernelInitializer: s.config.kernelInitializer });
      s.optimizer = await restoreSnapshot(s.compiled.model, s.config, snap);
      disposeProbes();
      resume = snap.at;
      // Epochs that completed before the snapshot stay in the history; later ones are redone.
      history.splice(snap.at.epoch);
      post({ t: 'fallback', from: loss.from, to: info.name, reason: loss.reason, resumeAt: { epoch: snap.at.epoch + offset, batch: snap.at.batch }, info });
    }
  }
}

async function runAndReport(s: Session, epochs: number, schedule: LrSchedule): Promise<void> {
  running = true;
  setRunState('training');
  try {
    const result = await runEpochs(s, epochs, schedule);
    flushBatches();
    const offset = s.epochs;
    s.epochs += result.history.length;
    s.lastRate = result.history.at(-1)?.learningRate ?? s.lastRate;
    const evaluation = result.status === 'nan' ? undefined : await evaluateTestAsync(s.compiled, s.data!, s.config);
    // On NaN the weights are the last good ones; they are sent too and the page offers them.
    const weights = await saveModel(s.compiled.model, s.graph);
    post({ t: 'done', result, evaluation, weights, epochOffset: offset }, [weights.weights]);
  } catch (e) {
    reportError(e, s.config);
  } finally {
    flushBatches();
    running = false;
    pause = null;
    setRunState('idle');
  }
}

/** Tells the page what went wrong, as the kind of failure it is (a data misfit, the graph, memory…). */
export function reportError(e: unknown, cfg?: TrainingConfig): void {
  if (e instanceof DataFitError) post({ t: 'fit', issues: e.issues });
  else if (e instanceof DataError) post({ t: 'error', kind: 'data', message: e.message });
  else if (e instanceof CompileError) post({ t: 'error', kind: 'graph', message: e.message });
  else if (outOfMemory(e)) post({ t: 'error', kind: 'oom', message: oomMessage(e, backendLabel(), (cfg ?? session?.config)?.batchSize) });
  else post({ t: 'error', kind: 'error', message: (e as Error)?.message ?? String(e) });
}

const BUSY = 'a training run is already in progress — stop it first';

/** Set while a start loads its data: a second start then is refused, not run twice. */
let starting = false;

export async function start(req: StartRequest): Promise<void> {
  if (running || starting) throw new Error(BUSY);
  // Cleared here, not when the epochs begin: a Stop pressed while the data loads ends the run
  // before its first update instead of being forgotten.
  stopRequested = false;
  starting = true;
  setRunState('loading', 'loading data');
  let s: Session;
  try {
    await ensureBackend();
    if (backendChoice() === 'auto') await autoChoose(req.graph, req.config);
    setRunState('loading', 'loading data');
    const data = await loadData(req.source);
    disposeSession();
    // Seeded: the same graph, data and config train the same way on every run.
    const compiled = compile(req.graph, { kernelInitializer: req.config.kernelInitializer, seed: req.config.seed });
    s = session = { graph: req.graph, config: req.config, compiled, data, epochs: 0 };
    if (req.weights && req.fresh) await loadFineTuneWeights(compiled, req.weights, req.fresh);
    else if (req.weights) loadWeightsInto(compiled.model, req.weights, 'saved weights');
    if (req.sendStartWeights) {
      const w = await saveModel(compiled.model, req.graph);
      post({ t: 'start-weights', weights: w }, [w.weights]);
    }
  } catch (e) {
    setRunState('idle');
    reportError(e, req.config);
    return;
  } finally {
    starting = false;
  }
  await runAndReport(s, req.config.epochs, req.config);
}

/** Train more: `epochs` more on the same model, optimizer and data; `config` the settings to go on with. */
export async function more(epochs: number, config?: TrainingConfig, restart = false): Promise<void> {
  if (running || starting) throw new Error(BUSY);
  const s = session;
  if (!s?.data) throw new Error('nothing to continue: train the graph first');
  stopRequested = false;
  if (config) {
    // A different optimizer (or momentum) cannot take over the old one's state: it starts fresh.
    if (config.optimizer !== s.config.optimizer || config.momentum !== s.config.momentum) disposeOptimizer(s);
    s.config = config;
  }
  await runAndReport(s, epochs, moreEpochsSchedule(s.config, s.lastRate, epochs, restart));
}

export function stop(): void {
  stopRequested = true;
  if (running) setRunState('stopping');
  pause?.resolve();
  pause = null;
}

export function pauseRun(): void {
  if (running && !pause) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    pause = { promise, resolve };
    setRunState('paused');
  }
}

export function resumeRun(): void {
  if (pause) {
    pause.resolve();
    pause = null;
    setRunState('training');
  }
}
