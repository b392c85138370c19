// What the Train panel's buttons do, without React: choosing the backend, loading data, starting a
// run, and keeping and taking away the model (downloads, weight uploads, the onnxruntime check).
// The sections (sections/*.tsx) call these; state lives in trainState.ts and the editor's store.
import { commit, getState, toast } from '../store';
import { setTraining } from '../../core/edit';
import { parseTrainingConfig, type TrainingConfig } from '../../train/config';
import type { FitIssue } from '../../train/loop';
import type { BackendChoice } from '../../train/backends';
import type { DataSource } from '../../train/protocol';
import { graphFromModelJson, type SavedModel } from '../../train/weights';
import { client, getTrain, markNodes, persistWeights, resetRun, restoreWeights, setTrain } from './trainState';

/** Saves `data` as a file named `name` through the browser's download. */
export function download(name: string, data: BlobPart, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/** An undoable edit of the graph's `training` object; `coalesce` merges a field's keystrokes into one step. */
export function editTraining(patch: Record<string, unknown>, coalesce?: string): void {
  commit(setTraining(getState().doc, patch), coalesce ? { coalesce: `training:${coalesce}` } : {});
}

/** The graph's training config as it stands (the defaults where it says nothing). */
function currentConfig(): TrainingConfig {
  return parseTrainingConfig(getState().doc.training).config;
}

// ---------- Backend ----------

export function pickBackend(c: BackendChoice): void {
  setTrain({ backendChoice: c, backend: undefined });
  client()
    .setBackend(c)
    .then(async (b) => {
      if (getTrain().backendChoice !== c) return; // a later choice won
      setTrain({ backend: b });
      // The model lives on the backend: bring the kept weights over to the new one.
      const w = getTrain().weights;
      if (w) await client().loadWeights(getState().doc, currentConfig(), w);
    })
    .catch((e: Error) => toast(e.message, 'error'));
}

/** On opening the panel: start the chosen backend unless one runs already. */
export function startBackend(): void {
  if (!getTrain().backend)
    client()
      .setBackend(getTrain().backendChoice)
      .then((b) => b.requested === getTrain().backendChoice && setTrain({ backend: b }))
      .catch((e: Error) => setTrain({ message: { kind: 'error', text: e.message } }));
}

// ---------- Data ----------

export function sourceFor(config: TrainingConfig): DataSource {
  return { kind: 'builtin', name: config.dataset ?? 'mnist', limit: config.limit, seed: config.seed };
}

export function sameSource(a: DataSource | null, b: DataSource): boolean {
  if (!a) return false;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'custom' && b.kind === 'custom') return a.key === b.key;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function loadSource(src: DataSource): void {
  setTrain({ source: src, dataLoading: true, dataError: undefined, dataProgress: undefined, dataFraction: undefined });
  client()
    .loadData(src)
    .then((meta) => {
      if (sameSource(getTrain().source, src)) setTrain({ meta, dataLoading: false, dataProgress: undefined });
    })
    .catch((e: Error) => {
      if (sameSource(getTrain().source, src)) setTrain({ dataLoading: false, dataError: e.message, meta: undefined });
    });
}

// ---------- Run ----------

export function startRun(config: TrainingConfig, fit: FitIssue[] | null, source: DataSource): void {
  if (fit && fit.length) {
    markNodes(fit.map((i) => i.node).filter((x): x is string => !!x));
    toast('The data does not fit the graph: see the Data section.', 'error');
    return;
  }
  resetRun();
  client().start({ graph: getState().doc, config, source });
}

/** After a NaN: keep the last good weights the run sent. */
export function keepLastGood(nan: SavedModel): void {
  setTrain({ weights: nan, nanWeights: undefined, weightsNote: 'last good weights before the NaN', weightsDocId: getState().docId });
  void persistWeights(getState().docId, nan, 'last good weights before the NaN');
  toast('Kept the last good weights.', 'success');
}

// ---------- Keep and take away ----------

/** Runs `fn` with the panel marked busy; a failure becomes a toast and the panel's message. */
export async function whileBusy(what: string, fn: () => Promise<void>): Promise<void> {
  setTrain({ busy: what });
  try {
    await fn();
  } catch (e) {
    toast(`${what} failed: ${(e as Error).message}`, 'error');
    setTrain({ message: { kind: 'error', text: `${what} failed: ${(e as Error).message}` } });
  } finally {
    setTrain({ busy: undefined });
  }
}

export async function downloadTfjs(): Promise<void> {
  const w = await client().getWeights();
  download('model.json', JSON.stringify(w.modelJson), 'application/json');
  download('weights.bin', w.weights);
}

/** The model as `${base}.onnx`. */
export async function downloadOnnx(base: string): Promise<void> {
  const bytes = await client().exportOnnx();
  download(`${base}.onnx`, bytes as BlobPart);
  toast(`Exported ${base}.onnx (${(bytes.length / 1024).toFixed(0)} KB).`, 'success');
}

/** Loads an uploaded model.json + weights.bin into the graph; a wrong file changes nothing. */
export async function uploadWeights(list: File[]): Promise<void> {
  const mj = list.find((f) => f.name.endsWith('.json'));
  const bin = list.find((f) => f.name.endsWith('.bin'));
  if (!mj || !bin) throw new Error(`choose both model.json and weights.bin (got ${list.map((f) => f.name).join(', ') || 'nothing'})`);
  const modelJson = JSON.parse(await mj.text()) as SavedModel['modelJson'];
  // Only the file the manifest names, its size checked before it is read (src/import/manifest.ts).
  const { planWeightFiles, pickWeightFiles } = await import('../../import/manifest');
  const [only, ...more] = pickWeightFiles(planWeightFiles(modelJson, mj.name), list.filter((f) => f !== mj), mj.name);
  if (!only || more.length) throw new Error(`${mj.name} lists ${more.length + (only ? 1 : 0)} weight files; upload a model.json with a single weights.bin`);
  const saved: SavedModel = { modelJson, weights: await only.arrayBuffer() };
  const g = graphFromModelJson(modelJson);
  const s = getState();
  const cfg = parseTrainingConfig(s.doc.training).config;
  // The worker fills a fresh model and swaps it in only when every weight fits: a wrong file
  // leaves the current weights (and this panel's state) as they were.
  await client().loadWeights(s.doc, cfg, saved, mj.name);
  const n = `uploaded from ${mj.name}${g && g.name !== s.doc.name ? ` (trained for “${g.name}”)` : ''}`;
  setTrain({ weights: saved, weightsNote: n, weightsDocId: s.docId });
  await persistWeights(s.docId, saved, n);
  toast('Weights loaded into the graph.', 'success');
}

/** Runs the exported ONNX model in onnxruntime-web on 64 test inputs and compares it with tfjs. */
export async function checkInOrt(): Promise<void> {
  const { runInOrt, maxAbsDiff } = await import('../../onnx/ortWeb');
  const bytes = await client().exportOnnx();
  const tb = await client().testBatch(64);
  // The provider that matches the training backend: WebGPU only where it trains on
  // WebGPU (Auto keeps a software WebGPU out; ORT's WASM provider is the fast one then).
  const r = await runInOrt(bytes, tb.inputs, getTrain().backend?.name === 'webgpu' ? 'webgpu' : 'wasm');
  let diff = 0;
  tb.prediction.outputs.forEach((o, i) => (diff = Math.max(diff, maxAbsDiff(o.data, r.outputs[i]?.data ?? []))));
  const n = tb.inputs[0] ? tb.inputs[0].data.length / tb.inputs[0].shape.reduce((a, b) => a * b, 1) : 0;
  setTrain({ ort: { provider: r.provider, fallbackReason: r.fallbackReason, maxDiff: diff, ortMs: r.ms, tfjsMs: tb.prediction.ms, n } });
}

/**
 * On opening a graph: forget the last graph's run and bring back this one's kept weights (trained
 * earlier, before a reload). Returns a cancel for when the graph changes again first.
 */
export function restoreFor(docId: string): () => void {
  let alive = true;
  setTrain({ weights: undefined, weightsNote: undefined, weightsDocId: undefined, evaluation: undefined, result: undefined, batches: [], epochs: [], last: undefined, ort: undefined });
  void restoreWeights(docId).then(async (w) => {
    if (!alive || !w) return;
    try {
      await client().loadWeights(getState().doc, currentConfig(), { modelJson: w.modelJson, weights: w.weights });
      if (alive) setTrain({ weights: { modelJson: w.modelJson, weights: w.weights }, weightsNote: `${w.note} — restored`, weightsDocId: docId });
    } catch (e) {
      if (alive) setTrain({ message: { kind: 'warn', text: `The kept weights no longer fit this graph (${(e as Error).message}); train again.` } });
    }
  });
  return () => {
    alive = false;
  };
}
