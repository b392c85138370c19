/// <reference lib="webworker" />
// The training worker: tfjs runs here, off the page's thread, so the canvas stays responsive while
// a model trains. It owns the backend (WebGPU → WebGL → CPU), the loaded datasets, the compiled
// model and the run's controls; the page talks to it through client.ts (messages in protocol.ts).
//
// Lost GPU device: the weights and the optimizer's state are copied to CPU memory every epoch and
// every few seconds (snapshot.ts); when WebGPU's device is lost the run continues on the next
// backend from the last copy (train(..., {resume})) as the same training, and the page is told
// which batch it went back to.
import * as tf from '@tensorflow/tfjs';
import { compile, CompileError, type CompiledModel } from '../core/compile';
import { BLOCKS, getBlock } from '../../blocks/index';
import type { GraphDoc } from '../core/graph';
import { DataError, exampleSize, sliceSplit, type Dataset, type TensorData } from '../data/dataset';
import { findDataset } from '../data/registry';
import { browserDataEnv } from '../data/browserEnv';
import { makePreview, stripData } from '../data/preview';
import { exportOnnx } from '../onnx/export';
import { initBackend, isDeviceLost, lastAdapter, nextBackend, realProbe, webglRenderer, webgpuDevice, BACKEND_LABELS, type BackendChoice, type BackendInfo } from './backends';
import { choiceKey, explainChoice, fastest, softwareRenderer, timeSteps } from './autoChoice';
import { cachedChoice, saveChoice } from './choiceCache';
import { moreEpochsSchedule, type LrSchedule, type TrainingConfig } from './config';
import { DataFitError, evaluateTestAsync, makeOptimizer, train, type BatchEvent, type TrainResult } from './loop';
import { restoreSnapshot, SnapshotError, takeSnapshot, type Snapshot } from './snapshot';
import { createGradFlow } from './gradFlow';
import { loadWeightsInto, saveModel } from './weights';
import { oomMessage, outOfMemory, type DataSource, type FromWorker, type Prediction, type Probe, type RunState, type StartRequest, type ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(m: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(m, transfer);
}

class DeviceLost extends Error {
  constructor(reason: string) {
    super(`the GPU device was lost (${reason})`);
    this.name = 'DeviceLost';
  }
}

// WebGPU first, then WebGL, then CPU (backends.ts), unless the user picks one.
let choice: BackendChoice = 'auto';
let backend: BackendInfo | undefined;
let lostReason: string | null = null;
const datasets = new Map<string, Promise<Dataset>>();

interface Session {
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
let probeCache:
  | {
      compiled: CompiledModel;
      model: tf.LayersModel | null;
      probes: Omit<Probe, 'shape' | 'data'>[];
      /** A twin of the model with returnAttentionScores on (its weights are copied before each use). */
      twin?: CompiledModel;
    }
  | undefined;

// Run controls, checked between batches.
let stopRequested = false;
let pause: { promise: Promise<void>; resolve: () => void } | null = null;
let running = false;

function setRunState(state: RunState, note?: string): void {
  post({ t: 'state', state, note });
}

function watchDevice(): void {
  const d = webgpuDevice();
  if (!d) return;
  void d.lost.then((info) => {
    // Only a loss of the device the backend still uses matters (not one we replaced).
    if (webgpuDevice() === d) lostReason = `${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}`;
  });
}

// Backend set-up is serialised: two overlapping tf.setBackend calls make tfjs drop the first.
let backendLock: Promise<unknown> = Promise.resolve();
/** The choice the current backend was set up for (a lost-device fallback keeps it). */
let backendFor: BackendChoice | undefined;

function ensureBackend(): Promise<BackendInfo> {
  const next = backendLock.then(async () => {
    if (!backend || backendFor !== choice) {
      backendFor = choice;
      backend = await initBackend(choice);
      lostReason = null;
      watchDevice();
      post({ t: 'backend', info: backend });
    }
    return backend;
  });
  backendLock = next.catch(() => undefined);
  return next;
}

function sourceKey(s: DataSource): string {
  return s.kind === 'builtin' ? `builtin:${s.name}:${s.limit ?? ''}:${s.seed ?? ''}` : `custom:${s.key}`;
}

function loadData(s: DataSource): Promise<Dataset> {
  const key = sourceKey(s);
  // The user's own data comes with every request and always wins over a cached copy: the same
  // file name (the key) can hold new content after an edit and a second upload.
  if (s.kind === 'custom') {
    const p = Promise.resolve(s.dataset);
    datasets.set(key, p);
    return p;
  }
  let p = datasets.get(key);
  if (!p) {
    const env = browserDataEnv({ onProgress: (path, received, total) => post({ t: 'data-progress', path, received, total }) });
    p = findDataset(s.name).load(env, { limit: s.limit, seed: s.seed });
    datasets.set(key, p);
    p.catch(() => datasets.delete(key));
  }
  return p;
}

function disposeOptimizer(s: Session): void {
  try {
    s.optimizer?.dispose();
  } catch {
    // an optimizer on a lost device cannot always free its buffers; they go with the device
  }
  s.optimizer = undefined;
}

function disposeSession(): void {
  if (!session) return;
  disposeOptimizer(session);
  try {
    session.compiled.model.dispose();
  } catch {
    // a model on a lost device cannot always free its buffers; they go with the device
  }
  disposeProbes();
  session = undefined;
}

function disposeProbes(): void {
  try {
    probeCache?.model?.dispose?.();
    probeCache?.twin?.model.dispose();
  } catch {
    // as above: buffers of a lost device go with it
  }
  probeCache = undefined;
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

/** Lets queued messages (stop, pause) and the device-lost callback run between batches. */
const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));

const SNAPSHOT_EVERY_MS = 3000;

/**
 * Trains the session's model for `epochs` more epochs on `schedule`, moving to the next backend if
 * the device is lost. The optimizer's state, the data order and the random streams carry on from
 * the epochs already trained.
 */
async function runEpochs(epochs: number, schedule: LrSchedule): Promise<TrainResult> {
  const s = session!;
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
            if (lostReason) throw new DeviceLost(lostReason);
            queueBatch({ ...e, epoch: e.epoch + offset }, offset);
            if (Date.now() - lastSnap > SNAPSHOT_EVERY_MS) {
              const next = e.batch + 1 < e.batchesPerEpoch ? { epoch: e.epoch, batch: e.batch + 1 } : { epoch: e.epoch + 1, batch: 0 };
              const taken = await snapshot(next);
              await yieldToEvents();
              if (lostReason) throw new DeviceLost(lostReason);
              snap = taken;
              lastSnap = Date.now();
            }
          },
          onEpoch: async (e) => {
            await yieldToEvents();
            if (lostReason) throw new DeviceLost(lostReason);
            const ev = { ...e, epoch: e.epoch + offset };
            history.push(ev);
            flushBatches();
            post({ t: 'epoch', e: ev, run: offset });
            const taken = await snapshot({ epoch: e.epoch + 1, batch: 0 });
            await yieldToEvents();
            if (lostReason) throw new DeviceLost(lostReason);
            snap = taken;
            lastSnap = Date.now();
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
      // A read-back pending when the device goes away fails ("Buffer was unmapped before mapping
      // was resolved") before device.lost has resolved: give the loss a moment to be reported.
      const d = webgpuDevice();
      if (d && lostReason === null && !(err instanceof DeviceLost)) await Promise.race([d.lost, new Promise((r) => setTimeout(r, 1000))]);
      await yieldToEvents();
      const lost = err instanceof DeviceLost || isDeviceLost(err) || lostReason !== null;
      const from = backend?.name;
      const to = from && nextBackend(from);
      if (!lost || !from || !to) throw err;
      const reason = lostReason ?? (err as Error).message;
      lostReason = null;
      disposeOptimizer(s);
      try {
        s.compiled.model.dispose();
      } catch {
        // buffers of a lost device go with it
      }
      const b = await initBackend(to);
      backend = { ...b, summary: `${BACKEND_LABELS[b.name]} — resumed here after the ${BACKEND_LABELS[from]} device was lost (${reason})` };
      watchDevice();
      s.compiled = compile(s.graph, { kernelInitializer: s.config.kernelInitializer });
      s.optimizer = await restoreSnapshot(s.compiled.model, s.config, snap);
      disposeProbes();
      resume = snap.at;
      // Epochs that completed before the snapshot stay in the history; later ones are redone.
      history.splice(snap.at.epoch);
      post({ t: 'fallback', from, to: backend.name, reason, resumeAt: { epoch: snap.at.epoch + offset, batch: snap.at.batch }, info: backend });
    }
  }
}

async function runAndReport(epochs: number, schedule: LrSchedule): Promise<void> {
  const s = session!;
  running = true;
  stopRequested = false;
  setRunState('training');
  try {
    const result = await runEpochs(epochs, schedule);
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

function reportError(e: unknown, cfg?: TrainingConfig): void {
  if (e instanceof DataFitError) post({ t: 'fit', issues: e.issues });
  else if (e instanceof DataError) post({ t: 'error', kind: 'data', message: e.message });
  else if (e instanceof CompileError) post({ t: 'error', kind: 'graph', message: e.message });
  else if (outOfMemory(e)) {
    const bs = (cfg ?? session?.config)?.batchSize;
    post({ t: 'error', kind: 'oom', message: oomMessage(e, backend ? BACKEND_LABELS[backend.name] : undefined, bs) });
  } else post({ t: 'error', kind: 'error', message: (e as Error)?.message ?? String(e) });
}

/**
 * Auto: times a few training steps of this model on every backend that starts (WASM, WebGL,
 * WebGPU; CPU only if WASM fails), keeps the fastest and says why (autoChoice.ts). Measurements
 * are cached per model and machine.
 */
async function autoChoose(graph: GraphDoc, config: TrainingConfig): Promise<void> {
  const machine = `${navigator.userAgent}|${navigator.hardwareConcurrency}|${webglRenderer() ?? ''}`;
  const key = choiceKey(graph, config, machine);
  let ms = await cachedChoice(key);
  const cached = !!ms;
  if (!ms) {
    setRunState('loading', 'timing the backends on this model');
    ms = [];
    const renderer = webglRenderer();
    for (const b of ['wasm', 'webgl', 'webgpu', 'cpu'] as const) {
      if (b === 'cpu' && ms.some((m) => m.backend === 'wasm' && !m.failed)) continue;
      const reason = await realProbe(b).catch((e: unknown) => (e as Error)?.message ?? String(e));
      if (reason) {
        ms.push({ backend: b, msPerStep: NaN, failed: reason });
        continue;
      }
      const adapter = lastAdapter();
      const software = b === 'webgpu' ? (adapter.fallback ? (adapter.text ?? 'a fallback adapter') : softwareRenderer(adapter.text)) : b === 'webgl' ? softwareRenderer(renderer) : undefined;
      try {
        const t = await timeSteps(graph, config);
        ms.push({ backend: b, msPerStep: t.msPerStep, ...(t.lowerBound ? { lowerBound: true } : {}), ...(software ? { software } : {}) });
      } catch (e) {
        ms.push({ backend: b, msPerStep: NaN, failed: (e as Error)?.message ?? String(e) });
      }
    }
    if (fastest(ms)) await saveChoice(key, ms);
  }
  const best = fastest(ms);
  if (!best) return; // keep the provisional backend; training will say what fails
  const info = await initBackend(best.backend);
  backend = { ...info, requested: 'auto', summary: explainChoice(ms, cached) + (info.adapter ? ` [${BACKEND_LABELS[info.name]}: ${info.adapter}]` : '') };
  backendFor = 'auto';
  lostReason = null;
  watchDevice();
  post({ t: 'backend', info: backend });
}

async function start(req: StartRequest): Promise<void> {
  if (running) {
    // Said, not thrown: start() is not awaited, so a throw here would vanish.
    post({ t: 'error', kind: 'error', message: 'a training run is already in progress — stop it first' });
    return;
  }
  setRunState('loading', 'loading data');
  try {
    await ensureBackend();
    if (choice === 'auto') await autoChoose(req.graph, req.config);
    setRunState('loading', 'loading data');
    const data = await loadData(req.source);
    disposeSession();
    // Seeded: the same graph, data and config train the same way on every run.
    const compiled = compile(req.graph, { kernelInitializer: req.config.kernelInitializer, seed: req.config.seed });
    session = { graph: req.graph, config: req.config, compiled, data, epochs: 0 };
    if (req.weights) loadWeightsInto(compiled.model, req.weights, 'saved weights');
  } catch (e) {
    setRunState('idle');
    reportError(e, req.config);
    return;
  }
  await runAndReport(req.config.epochs, req.config);
}

// ---- Inference helpers (try-it panel, ONNX comparison) ----

const ATTENTION_TYPES = new Set(BLOCKS.filter((b) => b.probe === 'attention').map((b) => b.type));

/**
 * Attention blocks show their weights only with returnAttentionScores on, and templates leave it
 * off (nothing downstream uses the map). For the heatmap, compile a twin of the graph with it on:
 * the same layers, names and weights in the same order, plus a "scores" output on each attention
 * node (unconnected, so the model's outputs stay the same).
 */
function attentionTwin(s: Session): CompiledModel | undefined {
  const off = s.graph.nodes.filter((n) => ATTENTION_TYPES.has(n.type) && !(n.params as Record<string, unknown> | undefined)?.returnAttentionScores);
  if (!off.length) return undefined;
  const ids = new Set(off.map((n) => n.id));
  const graph: GraphDoc = { ...s.graph, nodes: s.graph.nodes.map((n) => (ids.has(n.id) ? { ...n, params: { ...n.params, returnAttentionScores: true } } : n)) };
  try {
    const twin = compile(graph, { kernelInitializer: s.config.kernelInitializer });
    if (twin.model.weights.length !== s.compiled.model.weights.length) {
      twin.model.dispose();
      return undefined;
    }
    return twin;
  } catch {
    return undefined; // no heatmap rather than no prediction
  }
}

/** A model with extra outputs: the first Conv2D's activations and every attention score map. */
function probes(s: Session): NonNullable<typeof probeCache> {
  const c0 = s.compiled;
  if (probeCache?.compiled === c0) return probeCache;
  disposeProbes();
  const twin = attentionTwin(s);
  const c = twin ?? c0;
  const outs: tf.SymbolicTensor[] = [];
  const meta: Omit<Probe, 'shape' | 'data'>[] = [];
  let conv = false;
  for (const id of c.analysis.order) {
    const info = c.analysis.nodes.get(id)!;
    const layers = c.layersByNode.get(id) ?? [];
    const last = layers[layers.length - 1];
    if (!last) continue;
    try {
      if (!conv && getBlock(info.type)?.probe === 'activations') {
        const o = last.output;
        outs.push((Array.isArray(o) ? o[0] : o) as tf.SymbolicTensor);
        meta.push({ node: id, kind: 'activations' });
        conv = true;
      } else if (ATTENTION_TYPES.has(info.type) && info.outputPorts.includes('scores')) {
        const o = last.output;
        if (Array.isArray(o) && o.length > 1) {
          outs.push(o[info.outputPorts.indexOf('scores')] as tf.SymbolicTensor);
          meta.push({ node: id, kind: 'attention' });
        }
      }
    } catch {
      // a layer applied more than once has no single output; skip it
    }
  }
  const model = outs.length ? tf.model({ inputs: c.model.inputs, outputs: outs }) : null;
  probeCache = { compiled: c0, model, probes: meta, twin };
  return probeCache;
}

function batchOf(inputs: TensorData[]): tf.Tensor[] {
  return inputs.map((t) => tf.tensor(t.data, [t.data.length / exampleSize(t), ...t.shape], t.dtype));
}

async function predict(inputs: TensorData[], withProbes = true): Promise<Prediction> {
  const s = requireSession();
  const xs = batchOf(inputs);
  const t0 = performance.now();
  const out = s.compiled.model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const outputs = await Promise.all(outs.map(async (o) => ({ shape: o.shape.slice(), data: new Float32Array((await o.data()) as Float32Array) })));
  const ms = performance.now() - t0;
  const found: Probe[] = [];
  const p = withProbes ? probes(s) : undefined;
  if (p?.model) {
    // The twin has its own copies of the weights: bring them up to date (training moved them).
    if (p.twin) p.twin.model.setWeights(s.compiled.model.getWeights());
    const r = p.model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
    const rs = Array.isArray(r) ? r : [r];
    for (let i = 0; i < rs.length; i++) found.push({ ...p.probes[i]!, shape: rs[i]!.shape.slice(), data: new Float32Array((await rs[i]!.data()) as Float32Array) });
    rs.forEach((t) => t.dispose());
    const conv = p.probes.find((q) => q.kind === 'activations');
    const kernel = conv && s.compiled.layersByNode.get(conv.node)?.[0]?.getWeights()[0];
    if (conv && kernel) found.push({ node: conv.node, kind: 'filters', shape: kernel.shape.slice(), data: new Float32Array((await kernel.data()) as Float32Array) });
  }
  xs.forEach((t) => t.dispose());
  outs.forEach((t) => t.dispose());
  return { outputs, probes: found, ms };
}

/**
 * Greedy decoding for teacher-forced seq2seq models: feed back the argmax one step at a time.
 * `endId` is the </s> token's id, or -1 when the vocabulary has none (fixed-length tasks such as
 * reversal, where id 2 is an ordinary symbol): then all T steps are decoded.
 */
async function decode(source: Int32Array, maxLen: number, endId: number): Promise<{ tokens: number[]; prediction: Prediction }> {
  const s = requireSession();
  const inShapes = s.compiled.analysis.inputs.map((id) => s.compiled.analysis.nodes.get(id)!.outputShapes!.out!.slice(1));
  if (inShapes.length !== 2) throw new Error(`greedy decoding needs a seq2seq graph with 2 inputs (source, decoder input); this one has ${inShapes.length}`);
  const T = (inShapes[1]![0] as number | null) ?? maxLen;
  const L = inShapes[0]![0] as number | null;
  if (L !== null && source.length > L) throw new Error(`the input has ${source.length} tokens but Input "${s.compiled.analysis.inputs[0]}" takes ${L} — type at most ${L}`);
  if (source.length === 0) throw new Error('type an input sequence first');
  const src = new Int32Array(L ?? source.length);
  src.set(source);
  const dec = new Int32Array(T);
  dec[0] = 1; // <s>
  const tokens: number[] = [];
  let last: Prediction | undefined;
  for (let t = 0; t < T; t++) {
    last = await predict(
      [
        { shape: [src.length], dtype: 'int32', data: src },
        { shape: [T], dtype: 'int32', data: dec },
      ],
      false,
    );
    const o = last.outputs[0]!;
    const V = o.shape[o.shape.length - 1]!;
    let best = 0;
    for (let v = 1; v < V; v++) if (o.data[t * V + v]! > o.data[t * V + best]!) best = v;
    tokens.push(best);
    if (best === endId || t + 1 >= T) break;
    dec[t + 1] = best;
  }
  // The attention maps once, for the decoder input as fed at the last step (the decoder is causal,
  // so every earlier row is the one that step saw).
  const final = await predict(
    [
      { shape: [src.length], dtype: 'int32', data: src },
      { shape: [T], dtype: 'int32', data: dec },
    ],
    true,
  );
  return { tokens, prediction: { ...final, ms: last!.ms } };
}

function requireSession(): Session {
  if (!session) throw new Error('no trained model yet — train the graph (or restore saved weights) first');
  return session;
}

async function testBatch(count: number): Promise<{ inputs: TensorData[]; prediction: Prediction }> {
  const s = requireSession();
  if (!s.data) throw new Error('no dataset loaded');
  const n = Math.min(count, s.data.test.n);
  const part = sliceSplit(s.data.test, 0, n);
  const inputs = part.x.map((t) => ({ shape: t.shape, dtype: t.dtype, data: t.data.slice() }) as TensorData);
  await predict(inputs); // warm-up (shader compilation) so the timing is the steady state
  const runs: Prediction[] = [];
  for (let i = 0; i < 5; i++) runs.push(await predict(inputs));
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[2]!;
  return { inputs, prediction: { ...runs[0]!, ms } };
}

async function handle(m: ToWorker): Promise<unknown> {
  switch (m.t) {
    case 'backend':
      if (running) throw new Error('cannot switch backends while training — stop first');
      if (backend && m.choice === choice) return backend;
      choice = m.choice;
      backend = undefined;
      disposeSession();
      return ensureBackend();
    case 'load-data': {
      await ensureBackend();
      const d = await loadData(m.source);
      return { dataset: stripData(d), preview: makePreview(d) };
    }
    case 'evaluate': {
      const s = requireSession();
      if (!s.data) throw new Error('no dataset loaded');
      return evaluateTestAsync(s.compiled, s.data, s.config);
    }
    case 'predict':
      return predict(m.inputs);
    case 'decode':
      return decode(m.source, m.maxLen, m.endId ?? -1);
    case 'test-batch':
      return testBatch(m.count);
    case 'get-weights':
      return saveModel(requireSession().compiled.model, session!.graph);
    case 'load-weights': {
      if (running) throw new Error('cannot load weights while training — stop first');
      await ensureBackend();
      // Build and fill the new model first: weights that do not fit leave the current one as it was.
      const compiled = compile(m.graph, { kernelInitializer: m.config.kernelInitializer });
      try {
        loadWeightsInto(compiled.model, m.weights, m.source ?? 'saved weights');
      } catch (e) {
        compiled.model.dispose();
        throw e;
      }
      const data = session?.data;
      const epochs = session?.epochs ?? 0;
      disposeSession();
      session = { graph: m.graph, config: m.config, compiled, data, epochs };
      return true;
    }
    case 'export-onnx': {
      const s = requireSession();
      return exportOnnx(s.compiled, { graph: s.graph, docString: `trained in Neural Blocks (${s.epochs} epoch${s.epochs === 1 ? '' : 's'})` });
    }
    default:
      return undefined;
  }
}

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  switch (m.t) {
    case 'start':
      void start(m.req);
      return;
    case 'more':
      if (running) return;
      if (!session?.data) {
        post({ t: 'error', kind: 'error', message: 'nothing to continue: train the graph first' });
        return;
      }
      if (m.config) {
        // A different optimizer (or momentum) cannot take over the old one's state: it starts fresh.
        if (m.config.optimizer !== session.config.optimizer || m.config.momentum !== session.config.momentum) disposeOptimizer(session);
        session.config = m.config;
      }
      void runAndReport(m.epochs, moreEpochsSchedule(session.config, session.lastRate, m.epochs, !!m.restart));
      return;
    case 'stop':
      stopRequested = true;
      if (running) setRunState('stopping');
      pause?.resolve();
      pause = null;
      return;
    case 'pause':
      if (running && !pause) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        pause = { promise, resolve };
        setRunState('paused');
      }
      return;
    case 'resume':
      if (pause) {
        pause.resolve();
        pause = null;
        setRunState('training');
      }
      return;
    case 'lose-device': {
      const d = webgpuDevice();
      if (d) d.destroy();
      return;
    }
  }
  const id = (m as { id?: number }).id ?? -1;
  handle(m).then(
    (value) => {
      const transfer: Transferable[] = [];
      if (value instanceof Uint8Array) transfer.push(value.buffer);
      post({ t: 'reply', id, ok: true, value }, transfer);
    },
    (e: unknown) => {
      post({ t: 'reply', id, ok: false, message: outOfMemory(e) ? oomMessage(e, backend ? BACKEND_LABELS[backend.name] : undefined, session?.config.batchSize) : ((e as Error)?.message ?? String(e)) });
    },
  );
};
