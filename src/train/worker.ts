/// <reference lib="webworker" />
// The training worker: tfjs runs here, off the page's thread, so the canvas stays responsive while
// a model trains. It owns the backend (WebGPU → WebGL → CPU), the loaded datasets, the compiled
// model and the run's controls; the page talks to it through client.ts (messages in protocol.ts).
//
// Lost GPU device: the weights are copied to CPU memory every epoch and every few seconds; when
// WebGPU's device is lost the run continues on the next backend from the last copy (train(...,
// {resume})) and the page is told which batch it went back to.
import * as tf from '@tensorflow/tfjs';
import { compile, CompileError, type CompiledModel } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { DataError, exampleSize, sliceSplit, type Dataset, type TensorData } from '../data/dataset';
import { findDataset } from '../data/registry';
import { browserDataEnv } from '../data/browserEnv';
import { makePreview, stripData } from '../data/preview';
import { exportOnnx } from '../onnx/export';
import { initBackend, isDeviceLost, isOutOfMemory, nextBackend, webgpuDevice, BACKEND_LABELS, type BackendChoice, type BackendInfo } from './backends';
import type { TrainingConfig } from './config';
import { DataFitError, evaluateTestAsync, train, type TrainResult } from './loop';
import { loadWeightsInto, saveModel } from './weights';
import type { DataSource, FromWorker, Prediction, Probe, RunState, StartRequest, ToWorker } from './protocol';

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

// WebGL by default until WebGPU training reads back correctly (see TrainPanel's note).
let choice: BackendChoice = 'webgl';
let backend: BackendInfo | undefined;
let lostReason: string | null = null;
const datasets = new Map<string, Promise<Dataset>>();

interface Session {
  graph: GraphDoc;
  config: TrainingConfig;
  compiled: CompiledModel;
  data?: Dataset;
  /** Epochs trained so far (train more continues the count). */
  epochs: number;
}
let session: Session | undefined;
let probeCache: { compiled: CompiledModel; model: tf.LayersModel | null; probes: Omit<Probe, 'shape' | 'data'>[] } | undefined;

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
  let p = datasets.get(key);
  if (!p) {
    if (s.kind === 'custom') p = Promise.resolve(s.dataset);
    else {
      const env = browserDataEnv({ onProgress: (path, received, total) => post({ t: 'data-progress', path, received, total }) });
      p = findDataset(s.name).load(env, { limit: s.limit, seed: s.seed });
    }
    datasets.set(key, p);
    p.catch(() => datasets.delete(key));
  }
  return p;
}

function disposeSession(): void {
  if (!session) return;
  try {
    session.compiled.model.dispose();
  } catch {
    // a model on a lost device cannot always free its buffers; they go with the device
  }
  probeCache?.model?.dispose?.();
  probeCache = undefined;
  session = undefined;
}

interface Snapshot {
  values: { shape: number[]; data: Float32Array }[];
  at: { epoch: number; batch: number };
}

/** Copies the weights to CPU memory (async readback: reliable on WebGPU, and it waits for the GPU). */
async function takeSnapshot(model: tf.LayersModel, at: Snapshot['at']): Promise<Snapshot> {
  const ws = model.getWeights();
  const values = await Promise.all(ws.map(async (w) => ({ shape: w.shape.slice(), data: new Float32Array((await w.data()) as Float32Array) })));
  // A snapshot read while the device goes away can be garbage: keep only finite ones.
  for (const v of values) for (let i = 0; i < v.data.length; i++) if (!Number.isFinite(v.data[i]!)) throw new DeviceLost('weights read back as NaN/Inf');
  return { values, at };
}

function restoreSnapshot(model: tf.LayersModel, s: Snapshot): void {
  const ts = s.values.map((v) => tf.tensor(v.data, v.shape));
  model.setWeights(ts);
  ts.forEach((t) => t.dispose());
}

/** Lets queued messages (stop, pause) and the device-lost callback run between batches. */
const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));

const SNAPSHOT_EVERY_MS = 3000;

/** Trains the session's model for `epochs`, moving to the next backend if the device is lost. */
async function runEpochs(epochs: number): Promise<TrainResult> {
  const s = session!;
  const cfg: TrainingConfig = { ...s.config, epochs };
  const offset = s.epochs;
  const data = s.data!;
  let snap = await takeSnapshot(s.compiled.model, { epoch: 0, batch: 0 });
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
            post({ t: 'batch', e: { ...e, epoch: e.epoch + offset }, run: offset });
            if (Date.now() - lastSnap > SNAPSHOT_EVERY_MS) {
              const next = e.batch + 1 < e.batchesPerEpoch ? { epoch: e.epoch, batch: e.batch + 1 } : { epoch: e.epoch + 1, batch: 0 };
              const taken = await takeSnapshot(s.compiled.model, next);
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
            post({ t: 'epoch', e: ev, run: offset });
            const taken = await takeSnapshot(s.compiled.model, { epoch: e.epoch + 1, batch: 0 });
            await yieldToEvents();
            if (lostReason) throw new DeviceLost(lostReason);
            snap = taken;
            lastSnap = Date.now();
          },
        },
        {
          shouldStop: () => stopRequested,
          waitWhilePaused: () => pause?.promise ?? Promise.resolve(),
        },
        resume ? { resume } : {},
      );
      return { ...res, history };
    } catch (err) {
      const lost = err instanceof DeviceLost || isDeviceLost(err) || lostReason !== null;
      const from = backend?.name;
      const to = from && nextBackend(from);
      if (!lost || !from || !to) throw err;
      const reason = lostReason ?? (err as Error).message;
      lostReason = null;
      try {
        s.compiled.model.dispose();
      } catch {
        // buffers of a lost device go with it
      }
      const b = await initBackend(to);
      backend = { ...b, summary: `${BACKEND_LABELS[b.name]} — resumed here after the ${BACKEND_LABELS[from]} device was lost (${reason})` };
      watchDevice();
      s.compiled = compile(s.graph, { kernelInitializer: s.config.kernelInitializer });
      restoreSnapshot(s.compiled.model, snap);
      probeCache = undefined;
      resume = snap.at;
      // Epochs that completed before the snapshot stay in the history; later ones are redone.
      history.splice(snap.at.epoch);
      post({ t: 'fallback', from, to: backend.name, reason, resumeAt: { epoch: snap.at.epoch + offset, batch: snap.at.batch }, info: backend });
    }
  }
}

async function runAndReport(epochs: number): Promise<void> {
  const s = session!;
  running = true;
  stopRequested = false;
  setRunState('training');
  try {
    const result = await runEpochs(epochs);
    const offset = s.epochs;
    s.epochs += result.history.length;
    const evaluation = result.status === 'nan' ? undefined : await evaluateTestAsync(s.compiled, s.data!, s.config);
    // On NaN the weights are the last good ones; they are sent too and the page offers them.
    const weights = await saveModel(s.compiled.model, s.graph);
    post({ t: 'done', result, evaluation, weights, epochOffset: offset }, [weights.weights]);
  } catch (e) {
    reportError(e);
  } finally {
    running = false;
    pause = null;
    setRunState('idle');
  }
}

function reportError(e: unknown): void {
  if (e instanceof DataFitError) post({ t: 'fit', issues: e.issues });
  else if (e instanceof DataError) post({ t: 'error', kind: 'data', message: e.message });
  else if (e instanceof CompileError) post({ t: 'error', kind: 'graph', message: e.message });
  else if (isOutOfMemory(e)) {
    const bs = session?.config.batchSize;
    post({
      t: 'error',
      kind: 'oom',
      message: `ran out of memory on ${backend ? BACKEND_LABELS[backend.name] : 'this backend'}${bs ? ` at batch size ${bs}` : ''} — try a smaller batch${bs && bs > 1 ? ` (e.g. ${Math.max(1, Math.floor(bs / 2))})` : ''} or a smaller model. (${(e as Error).message})`,
    });
  } else post({ t: 'error', kind: 'error', message: (e as Error)?.message ?? String(e) });
}

async function start(req: StartRequest): Promise<void> {
  if (running) throw new Error('a training run is already in progress — stop it first');
  setRunState('loading', 'loading data');
  try {
    await ensureBackend();
    const data = await loadData(req.source);
    disposeSession();
    const compiled = compile(req.graph, { kernelInitializer: req.config.kernelInitializer });
    session = { graph: req.graph, config: req.config, compiled, data, epochs: 0 };
    if (req.weights) loadWeightsInto(compiled.model, req.weights, 'saved weights');
  } catch (e) {
    setRunState('idle');
    reportError(e);
    return;
  }
  await runAndReport(req.config.epochs);
}

// ---- Inference helpers (try-it panel, ONNX comparison) ----

const ATTENTION_TYPES = new Set(['Attention', 'AdditiveAttention', 'MultiHeadAttention']);

/** A model with extra outputs: the first Conv2D's activations and every attention score map. */
function probes(c: CompiledModel): NonNullable<typeof probeCache> {
  if (probeCache?.compiled === c) return probeCache;
  const outs: tf.SymbolicTensor[] = [];
  const meta: Omit<Probe, 'shape' | 'data'>[] = [];
  let conv = false;
  for (const id of c.analysis.order) {
    const info = c.analysis.nodes.get(id)!;
    const layers = c.layersByNode.get(id) ?? [];
    const last = layers[layers.length - 1];
    if (!last) continue;
    try {
      if (!conv && info.type === 'Conv2D') {
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
  probeCache = { compiled: c, model, probes: meta };
  return probeCache;
}

function batchOf(inputs: TensorData[]): tf.Tensor[] {
  return inputs.map((t) => tf.tensor(t.data, [t.data.length / exampleSize(t), ...t.shape], t.dtype));
}

async function predict(inputs: TensorData[]): Promise<Prediction> {
  const s = requireSession();
  const xs = batchOf(inputs);
  const t0 = performance.now();
  const out = s.compiled.model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const outputs = await Promise.all(outs.map(async (o) => ({ shape: o.shape.slice(), data: new Float32Array((await o.data()) as Float32Array) })));
  const ms = performance.now() - t0;
  const found: Probe[] = [];
  const p = probes(s.compiled);
  if (p.model) {
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

/** Greedy decoding for teacher-forced seq2seq models: feed back the argmax one step at a time. */
async function decode(source: Int32Array, maxLen: number): Promise<{ tokens: number[]; prediction: Prediction }> {
  const s = requireSession();
  const inShapes = s.compiled.analysis.inputs.map((id) => s.compiled.analysis.nodes.get(id)!.outputShapes!.out!.slice(1));
  if (inShapes.length !== 2) throw new Error(`greedy decoding needs a seq2seq graph with 2 inputs (source, decoder input); this one has ${inShapes.length}`);
  const T = (inShapes[1]![0] as number | null) ?? maxLen;
  const src = new Int32Array((inShapes[0]![0] as number | null) ?? source.length);
  src.set(source.subarray(0, src.length));
  const dec = new Int32Array(T);
  dec[0] = 1; // <s>
  const tokens: number[] = [];
  let last: Prediction | undefined;
  for (let t = 0; t < T; t++) {
    last = await predict([
      { shape: [src.length], dtype: 'int32', data: src },
      { shape: [T], dtype: 'int32', data: dec },
    ]);
    const o = last.outputs[0]!;
    const V = o.shape[o.shape.length - 1]!;
    let best = 0;
    for (let v = 1; v < V; v++) if (o.data[t * V + v]! > o.data[t * V + best]!) best = v;
    tokens.push(best);
    if (best === 2 || t + 1 >= T) break; // </s>
    dec[t + 1] = best;
  }
  return { tokens, prediction: last! };
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
      return decode(m.source, m.maxLen);
    case 'test-batch':
      return testBatch(m.count);
    case 'get-weights':
      return saveModel(requireSession().compiled.model, session!.graph);
    case 'load-weights': {
      await ensureBackend();
      disposeSession();
      const compiled = compile(m.graph, { kernelInitializer: m.config.kernelInitializer });
      loadWeightsInto(compiled.model, m.weights, 'saved weights');
      session = { graph: m.graph, config: m.config, compiled, epochs: 0 };
      return true;
    }
    case 'export-onnx': {
      const s = requireSession();
      return exportOnnx(s.compiled, { graph: s.graph, docString: `trained in Neural Blocks (${s.epochs} epochs)` });
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
      void runAndReport(m.epochs);
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
      post({ t: 'reply', id, ok: false, message: isOutOfMemory(e) ? `out of memory — try a smaller batch or model (${(e as Error).message})` : ((e as Error)?.message ?? String(e)) });
    },
  );
};
