// Every finished training run, kept in IndexedDB (the app's key-value store, key "runs") so runs
// can be compared across reloads: the graph hash and config captured when the run starts, the
// curves, final and test metrics, backend and duration when it ends.
import { useSyncExternalStore } from 'react';
import type { GraphDoc } from '../../core/graph';
import type { TrainClient } from '../../train/client';
import { parseTrainingConfig } from '../../train/config';
import { finalMetrics, graphHash, type RunRecord } from '../../train/runs';
import type { SavedModel } from '../../train/weights';
import { getKV, setKV } from '../persist';
import { getState } from '../store';
import { getGradFlow } from './gradFlowState';
import { getTrain } from './trainState';

const KEY = 'runs';
/** Runs kept; the oldest go first. */
export const MAX_RUNS = 200;

export interface RunsUi {
  runs: RunRecord[];
  picked: string[];
  loaded: boolean;
  /** The runs whose trained weights are kept (the latest few), to fine-tune from. */
  withWeights: string[];
}

let state: RunsUi = { runs: [], picked: [], loaded: false, withWeights: [] };
const listeners = new Set<() => void>();
export function getRuns(): RunsUi {
  return state;
}
export function setRuns(p: Partial<RunsUi>): void {
  state = { ...state, ...p };
  for (const l of listeners) l();
}
export function useRuns<T>(sel: (s: RunsUi) => T): T {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => sel(state),
  );
}

export async function loadRuns(): Promise<void> {
  if (state.loaded) return;
  const stored = (await getKV<RunRecord[]>(KEY).catch(() => undefined)) ?? [];
  // Runs that finished before the store was read are kept too.
  const ids = new Set(state.runs.map((r) => r.id));
  const kept = (await getKV<string[]>(WEIGHTS_INDEX).catch(() => undefined)) ?? [];
  setRuns({ runs: [...stored.filter((r) => !ids.has(r.id)), ...state.runs], loaded: true, withWeights: [...new Set([...kept, ...state.withWeights])] });
}

// ---- The latest runs' weights (a run's model.json + weights.bin), to fine-tune from ----

const WEIGHTS_INDEX = 'run-weights';
const weightsKey = (id: string) => `run-weights:${id}`;
/** Runs that keep their weights: the newest ones; older ones drop theirs (a model can be megabytes). */
export const RUN_WEIGHTS_KEPT = 5;
/** Weights larger than this are not kept per run (the graph's own kept weights still are). */
const MAX_RUN_WEIGHTS_BYTES = 64 * 1024 * 1024;

async function keepRunWeights(id: string, w: SavedModel): Promise<void> {
  if (w.weights.byteLength > MAX_RUN_WEIGHTS_BYTES) return;
  const all = [...state.withWeights.filter((x) => x !== id), id];
  const dropped = all.slice(0, Math.max(0, all.length - RUN_WEIGHTS_KEPT));
  const kept = all.slice(-RUN_WEIGHTS_KEPT);
  try {
    await setKV(weightsKey(id), { modelJson: w.modelJson, weights: w.weights.slice(0) });
    setRuns({ withWeights: kept });
    await setKV(WEIGHTS_INDEX, kept);
    for (const d of dropped) await setKV(weightsKey(d), undefined);
  } catch {
    // IndexedDB full or unavailable: the run is listed, without weights to fine-tune from
  }
}

/** A run's kept weights, if it still keeps them. */
export async function runWeights(id: string): Promise<SavedModel | undefined> {
  if (!state.withWeights.includes(id)) return undefined;
  return (await getKV<SavedModel>(weightsKey(id)).catch(() => undefined)) ?? undefined;
}

async function save(): Promise<void> {
  await setKV(KEY, state.runs).catch(() => undefined);
}

export function addRun(r: RunRecord): void {
  setRuns({ runs: [...state.runs, r].slice(-MAX_RUNS) });
  void save();
}

export function deleteRuns(ids: string[]): void {
  const gone = new Set(ids);
  const withWeights = state.withWeights.filter((id) => !gone.has(id));
  setRuns({ runs: state.runs.filter((r) => !gone.has(r.id)), picked: state.picked.filter((id) => !gone.has(id)), withWeights });
  void save();
  void (async () => {
    await setKV(WEIGHTS_INDEX, withWeights).catch(() => undefined);
    for (const id of ids) await setKV(weightsKey(id), undefined).catch(() => undefined);
  })();
}

export function togglePicked(id: string, on: boolean): void {
  setRuns({ picked: on ? [...new Set([...state.picked, id])] : state.picked.filter((x) => x !== id) });
}

/** What the next run is (an experiment's variant, a fine-tune); consumed by the run that starts next. */
let nextTag: { label: string; experiment?: string } | undefined;
export function tagNextRun(t: { label: string; experiment?: string } | undefined): void {
  nextTag = t;
}

let current: { doc: GraphDoc; docId: string; tag?: typeof nextTag } | undefined;
const subscribed = new WeakSet<TrainClient>();
/** Between a run's first 'loading' and the next other state: later 'loading' notes are the same start. */
let starting = false;

/** Records each run a training client finishes (once per client). */
export function listenRuns(c: TrainClient): void {
  if (subscribed.has(c)) return;
  subscribed.add(c);
  void loadRuns();
  c.on((e) => {
    // The graph as it was when the run started ('loading' comes first on start and Train more;
    // a start can send it more than once, with new notes, before training begins).
    if (e.t === 'state' && e.state === 'loading' && !starting) {
      const s = getState();
      current = { doc: s.doc, docId: s.docId, tag: nextTag };
      nextTag = undefined;
      starting = true;
    } else if (e.t === 'state' && e.state !== 'loading') starting = false;
    if (e.t !== 'done' || !current) return;
    const t = getTrain();
    const doc = current.doc;
    const config = parseTrainingConfig(doc.training as Record<string, unknown> | undefined).config;
    const epochs = [...t.epochs];
    const last = getGradFlow().samples.at(-1);
    const first = last?.blocks[0];
    const end = last?.blocks.at(-1);
    const src = t.source;
    const id = `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    if (e.weights && e.result.status !== 'nan') void keepRunWeights(id, e.weights);
    addRun({
      id,
      graphName: doc.name ?? 'untitled',
      graphHash: graphHash(doc),
      docId: current.docId,
      label: current.tag?.label,
      experiment: current.tag?.experiment,
      dataset: src ? (src.kind === 'builtin' ? src.name : `your data (${src.key})`) : (config.dataset ?? '?'),
      config,
      backend: t.backend?.name ?? '?',
      startedAt: Date.now() - e.result.seconds * 1000,
      seconds: e.result.seconds,
      status: e.result.status,
      epochs,
      final: finalMetrics(epochs, e.evaluation),
      gradRatio: first && end && end.gradNorm > 0 ? first.gradNorm / end.gradNorm : undefined,
    });
  });
}
