// The fine-tuning flow's state and steps: pick the starting weights (this graph's kept weights —
// the last trained model or an imported ONNX/tfjs model's — or a run's from the Runs view),
// freeze all but the head, replace the head, and start a run that carries every unchanged block's
// weights over (src/train/fineTune.ts) and starts the changed ones afresh.
import { useSyncExternalStore } from 'react';
import { changedBlocks, freezeAllButHead, headBlocks, replaceHead } from '../../core/fineTune';
import type { GraphDoc } from '../../core/graph';
import type { Analysis } from '../../core/infer';
import type { TrainingConfig } from '../../train/config';
import type { FitIssue } from '../../train/loop';
import type { DataSource } from '../../train/protocol';
import { graphHash } from '../../train/runs';
import { graphFromModelJson, type SavedModel } from '../../train/weights';
import { commit, getState, toast } from '../store';
import { client, getTrain, markNodes, resetRun } from './trainState';
import { getRuns, runWeights, tagNextRun } from './runsState';

export interface FineTuneSource {
  saved: SavedModel;
  /** The graph the weights were trained for: blocks that differ from it start afresh. */
  graph: GraphDoc;
  /** Where the weights come from, as the panel says it. */
  label: string;
}

export interface FineTuneResult {
  accuracy?: number;
  loss: number;
  epochs: number;
  /** The blocks that started afresh and the ones frozen, as the run was started. */
  fresh: string[];
  frozen: string[];
}

export interface FineTuneUi {
  open: boolean;
  source?: FineTuneSource;
  /** Heads replaced here: they start afresh even when their width stayed the same. */
  replaced: string[];
  /** A fine-tune in progress (started here) or finished. */
  running: boolean;
  result?: FineTuneResult;
}

let state: FineTuneUi = { open: false, running: false, replaced: [] };
const listeners = new Set<() => void>();
export function getFineTune(): FineTuneUi {
  return state;
}
export function setFineTune(p: Partial<FineTuneUi>): void {
  state = { ...state, ...p };
  for (const l of listeners) l();
}
export function useFineTune<T>(sel: (s: FineTuneUi) => T): T {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => sel(state),
  );
}

/** Start from this graph's kept weights (the last trained model, or imported weights). */
export function fromKeptWeights(): void {
  const t = getTrain();
  if (!t.weights) {
    toast('No weights to start from: train the graph, import an ONNX model, or pick a run in the Runs view.', 'error');
    return;
  }
  const graph = graphFromModelJson(t.weights.modelJson) ?? getState().doc;
  setFineTune({ open: true, source: { saved: t.weights, graph, label: t.weightsNote ?? 'the kept weights' }, replaced: [], result: undefined });
}

/**
 * Start from a run's weights (kept for the latest runs): the canvas gets the graph that run
 * trained, as one undoable edit, unless it shows that graph already.
 */
export async function fromRun(id: string): Promise<void> {
  const run = getRuns().runs.find((r) => r.id === id);
  const saved = await runWeights(id);
  if (!run || !saved) {
    toast('That run\'s weights are no longer kept (only the latest runs keep theirs); train it again.', 'error');
    return;
  }
  const graph = graphFromModelJson(saved.modelJson);
  if (!graph) {
    toast('That run\'s weights do not say which graph they were trained for.', 'error');
    return;
  }
  if (graphHash(getState().doc) !== graphHash(graph)) {
    commit({ ...graph, name: graph.name ?? getState().doc.name });
    toast('The canvas now shows the graph that run trained (undo to go back).', 'info', 6000);
  }
  const when = new Date(run.startedAt).toLocaleTimeString();
  setFineTune({ open: true, source: { saved, graph, label: `run “${run.label ?? run.graphName}” on ${run.dataset} (${when})` }, replaced: [], result: undefined });
}

/** "Freeze all but head": one undoable edit. */
export function freezeBody(): void {
  try {
    commit(freezeAllButHead(getState().doc));
  } catch (e) {
    toast((e as Error).message, 'error');
  }
}

/** Replaces the head block `id` with one of `width` outputs (units or filters): one undoable edit. */
export function newHead(id: string, width: number): void {
  try {
    commit(replaceHead(getState().doc, id, width));
    setFineTune({ replaced: [...new Set([...state.replaced, id])] });
  } catch (e) {
    toast((e as Error).message, 'error');
  }
}

/** What a fine-tune of `doc` from `source` does to each block with weights. */
export function plan(doc: GraphDoc, source: FineTuneSource | undefined, replaced: string[] = [], a?: Analysis): { head: string[]; fresh: string[]; frozen: string[] } {
  const head = safe(() => headBlocks(doc, a), []);
  const changed = source ? safe(() => changedBlocks(source.graph, doc), []) : [];
  const present = new Set(doc.nodes.map((n) => n.id));
  const fresh = [...new Set([...changed, ...replaced.filter((id) => present.has(id))])];
  const frozen = doc.nodes.filter((n) => n.trainable === false).map((n) => n.id);
  return { head, fresh, frozen };
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** Trains the graph as it stands, starting from the source's weights for every unchanged block. */
export function startFineTune(config: TrainingConfig, fit: FitIssue[] | null, data: DataSource): void {
  const src = state.source;
  if (!src) return;
  if (fit && fit.length) {
    markNodes(fit.map((i) => i.node).filter((x): x is string => !!x));
    toast('The data does not fit the graph: see the Data section.', 'error');
    return;
  }
  const doc = getState().doc;
  const { fresh, frozen } = plan(doc, src, state.replaced);
  resetRun();
  tagNextRun({ label: `fine-tune of ${doc.name ?? 'graph'}` });
  setFineTune({ running: true, result: undefined });
  const off = client().on((e) => {
    if (e.t !== 'done' && e.t !== 'error' && e.t !== 'fit' && e.t !== 'crash') return;
    off();
    const ev = e.t === 'done' ? e.evaluation : undefined;
    const last = e.t === 'done' ? e.result.history.at(-1) : undefined;
    setFineTune({ running: false, result: e.t === 'done' ? { accuracy: ev?.accuracy ?? last?.accuracy, loss: ev?.loss ?? last?.loss ?? NaN, epochs: e.result.history.length, fresh, frozen } : undefined });
  });
  client().start({ graph: doc, config, source: data, weights: src.saved, fresh });
}
