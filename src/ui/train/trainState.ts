// The training panel's state: the worker client, the backend in use, the chosen data, the live
// run (per-batch and per-epoch curves), the results and the trained weights. A small external
// store like the editor's (useSyncExternalStore), kept apart from the graph document because
// none of it is part of the graph (the training config is, and lives in doc.training).
import { useSyncExternalStore } from 'react';
import { TrainClient, type TrainEvent } from '../../train/client';
import type { BackendChoice, BackendInfo } from '../../train/backends';
import type { BatchEvent, EpochEvent, EvalResult, FitIssue, TrainResult } from '../../train/loop';
import type { DataSource, DatasetMeta, RunState } from '../../train/protocol';
import type { SavedModel } from '../../train/weights';
import { parseTrainingConfig } from '../../train/config';
import { getKV, setKV } from '../persist';
import { getState, setState as setEditor, toast } from '../store';

export interface BatchPoint {
  step: number;
  loss: number;
  acc?: number;
}

export interface OrtReport {
  provider: string;
  fallbackReason?: string;
  maxDiff: number;
  ortMs: number;
  tfjsMs: number;
  n: number;
}

export interface TrainUi {
  backendChoice: BackendChoice;
  backend?: BackendInfo;
  /** Lost-device fallbacks during runs, newest last. */
  fallbacks: string[];
  source: DataSource | null;
  meta?: DatasetMeta;
  dataLoading: boolean;
  dataProgress?: string;
  /** Share of the data file downloaded so far (0–1), when its size is known. */
  dataFraction?: number;
  dataError?: string;
  run: RunState;
  runNote?: string;
  batches: BatchPoint[];
  epochs: EpochEvent[];
  last?: BatchEvent;
  fitIssues: FitIssue[];
  message?: { kind: 'error' | 'info' | 'warn'; text: string };
  result?: TrainResult;
  evaluation?: EvalResult;
  weights?: SavedModel;
  weightsNote?: string;
  /** The graph the weights were trained for (a changed structure makes them stale). */
  weightsDocId?: string;
  /** A NaN stop: the last good weights, offered to keep. */
  nanWeights?: SavedModel;
  ort?: OrtReport;
  busy?: string;
}

let state: TrainUi = { backendChoice: 'auto', fallbacks: [], source: null, dataLoading: false, run: 'idle', batches: [], epochs: [], fitIssues: [] };
const listeners = new Set<() => void>();

export function getTrain(): TrainUi {
  return state;
}
export function setTrain(p: Partial<TrainUi> | ((s: TrainUi) => Partial<TrainUi>)): void {
  state = { ...state, ...(typeof p === 'function' ? p(state) : p) };
  for (const l of listeners) l();
}
export function useTrain<T>(sel: (s: TrainUi) => T): T {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => sel(state),
  );
}

let clientInst: TrainClient | null = null;
export function client(): TrainClient {
  if (!clientInst) {
    clientInst = new TrainClient();
    clientInst.on(onEvent);
    // Test hook (e2e: lose the GPU device on purpose); the UI never uses it.
    (window as unknown as { __nbTrain?: TrainClient }).__nbTrain = clientInst;
  }
  return clientInst;
}

/** Batches kept for the per-batch curve (older ones are thinned so long runs stay cheap to draw). */
const MAX_POINTS = 2000;

function onEvent(e: TrainEvent): void {
  switch (e.t) {
    case 'backend':
      setTrain({ backend: e.info });
      break;
    case 'fallback': {
      const text = `The ${e.from === 'webgpu' ? 'WebGPU' : e.from} device was lost (${e.reason}); training resumed on ${e.info.name === 'webgl' ? 'WebGL' : e.info.name.toUpperCase()} from the weights saved at epoch ${e.resumeAt.epoch + 1}, batch ${e.resumeAt.batch + 1}.`;
      setTrain((s) => ({ backend: e.info, fallbacks: [...s.fallbacks, text], message: { kind: 'warn', text } }));
      toast(text, 'info', 8000);
      break;
    }
    case 'state':
      setTrain({ run: e.state, runNote: e.note });
      break;
    case 'data-progress':
      setTrain({ dataProgress: `${e.path.split('/').pop()}: ${(e.received / 1e6).toFixed(1)}${e.total ? ` / ${(e.total / 1e6).toFixed(1)}` : ''} MB`, dataFraction: e.total ? Math.min(1, e.received / e.total) : undefined });
      break;
    case 'batch': {
      if (!e.es.length) break;
      const pts = e.es.map((b) => ({ step: b.epoch * b.batchesPerEpoch + b.batch + 1, loss: b.loss, acc: b.accuracy }));
      // A run that goes back (a resumed or continued run) replaces the points from there on.
      const first = pts[0]!.step;
      setTrain((s) => {
        let batches = [...s.batches.filter((b) => b.step < first), ...pts];
        while (batches.length > MAX_POINTS) batches = batches.filter((_, i) => i % 2 === 0 || i === batches.length - 1);
        return { batches, last: e.es[e.es.length - 1] };
      });
      break;
    }
    case 'epoch':
      setTrain((s) => ({ epochs: [...s.epochs.filter((x) => x.epoch < e.e.epoch), e.e] }));
      break;
    case 'fit': {
      setTrain({ fitIssues: e.issues, message: { kind: 'error', text: 'The data does not fit the graph — see the messages above the form.' } });
      markNodes(e.issues.map((i) => i.node).filter((x): x is string => !!x));
      break;
    }
    case 'done': {
      const r = e.result;
      if (r.status === 'nan') {
        setTrain({ result: r, nanWeights: e.weights, message: { kind: 'error', text: r.message ?? 'the loss became NaN' } });
        toast(r.message ?? 'NaN loss', 'error');
      } else {
        setTrain({
          result: r,
          evaluation: e.evaluation,
          weights: e.weights,
          weightsNote: `trained ${new Date().toLocaleTimeString()} (${epochsText(r.history.length + e.epochOffset)}${r.status === 'stopped' ? ', stopped early' : ''})`,
          weightsDocId: getState().docId,
          nanWeights: undefined,
          ort: undefined,
          message: r.status === 'stopped' ? { kind: 'info', text: r.message ?? 'stopped' } : undefined,
        });
        if (e.weights) void persistWeights(getState().docId, e.weights, getTrain().weightsNote!);
      }
      break;
    }
    case 'error':
      setTrain({ message: { kind: 'error', text: e.message } });
      toast(e.message, 'error');
      break;
    case 'crash':
      setTrain({ run: 'idle', message: { kind: 'error', text: e.message } });
      toast(e.message, 'error');
      break;
  }
}

/** Selects the named nodes on the canvas (the fit-check and error messages point at them). */
export function markNodes(ids: string[]): void {
  const doc = getState().doc;
  const present = ids.filter((id) => doc.nodes.some((n) => n.id === id));
  if (present.length) setEditor({ selectedNodes: new Set(present), selectedEdges: new Set() });
}

// ---- Weights persistence (IndexedDB, next to the graph) ----

interface StoredWeights {
  modelJson: SavedModel['modelJson'];
  weights: ArrayBuffer;
  note: string;
  savedAt: number;
}

const key = (docId: string) => `weights:${docId}`;

export async function persistWeights(docId: string, w: SavedModel, note: string): Promise<void> {
  try {
    await setKV(key(docId), { modelJson: w.modelJson, weights: w.weights.slice(0), note, savedAt: Date.now() } satisfies StoredWeights);
  } catch (e) {
    toast(`could not keep the trained weights in IndexedDB: ${(e as Error).message}`, 'error');
    return;
  }
  // An imported model's weights arrive after its graph opened, so the open Train panel's restore
  // found none yet: bring them in now (they are what a fine-tune starts from).
  // Only once the panel has started its backend: a closed panel restores them when it opens.
  if (getState().docId === docId && !state.weights && state.run === 'idle' && state.backend) {
    try {
      await client().loadWeights(getState().doc, parseTrainingConfig(getState().doc.training).config, w);
      if (getState().docId === docId && !state.weights) setTrain({ weights: w, weightsNote: note, weightsDocId: docId });
    } catch (e) {
      setTrain({ message: { kind: 'warn', text: `The kept weights do not fit this graph (${(e as Error).message}).` } });
    }
  }
}

export async function restoreWeights(docId: string): Promise<StoredWeights | undefined> {
  return getKV<StoredWeights>(key(docId));
}

export function resetRun(): void {
  setTrain({ batches: [], epochs: [], last: undefined, result: undefined, evaluation: undefined, fitIssues: [], message: undefined, nanWeights: undefined, ort: undefined, fallbacks: [] });
}

/** "1 epoch", "3 epochs". */
export const epochsText = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;
