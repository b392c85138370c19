// Running an experiment of the gallery in the training worker: each variant's graph in turn (each
// opens on the canvas while it trains, so its gradient flow shows there). A variant with a
// pretraining graph (experiment 8) has that graph trained first, once per tab; the variant then
// starts from its weights block by block (src/train/fineTune.ts blockTransfer: the blocks the two
// graphs share carry over byte for byte, the new head starts afresh) — what
// scripts/measure-experiments.ts does in Node, with the same merge in the worker.
import { useSyncExternalStore } from 'react';
import type { Experiment } from '../../../templates/experiments/experiments';
import type { GraphDoc } from '../../core/graph';
import { parseTrainingConfig } from '../../train/config';
import { blockTransfer, weightBytes, type BlockTransfer } from '../../train/fineTune';
import type { TrainResult } from '../../train/loop';
import type { StartRequest } from '../../train/protocol';
import type { SavedModel } from '../../train/weights';
import { commit } from '../store';
import { client, resetRun } from '../train/trainState';
import { listenRuns, tagNextRun } from '../train/runsState';
import { listenGradFlow } from '../train/gradFlowState';

/**
 * TEST ONLY (e2e/experiment8.spec.ts): training settings laid over the experiment's own, so the
 * browser test runs the whole flow in minutes instead of the pretraining's ~25. The card says so
 * while one is set; the app never sets it.
 */
export interface TestOnlyTrainingOverride {
  pretrain?: Record<string, unknown>;
  variants?: Record<string, unknown>;
}

/** What the gallery shows while and after an experiment runs. */
export interface ExperimentsUi {
  running: { id: string; step: 'pretraining' | number } | null;
  /** Per experiment: the pretraining this tab ran (or reused) for it. */
  pretraining: Record<string, { epochs: number; seconds: number; valAccuracy?: number; reused: boolean; status: TrainResult['status'] }>;
  /** Per experiment and variant: which blocks took the pretrained weights, and whether the run started from exactly those bytes. */
  transfers: Record<string, Record<string, BlockTransfer & { identical: boolean }>>;
  testOverride?: TestOnlyTrainingOverride;
}

let state: ExperimentsUi = { running: null, pretraining: {}, transfers: {} };
const subs = new Set<() => void>();
function set(p: Partial<ExperimentsUi>) {
  state = { ...state, ...p };
  for (const l of subs) l();
}
export function useExperiments<T>(sel: (s: ExperimentsUi) => T): T {
  return useSyncExternalStore(
    (l) => {
      subs.add(l);
      return () => subs.delete(l);
    },
    () => sel(state),
  );
}

export function setTestOnlyTrainingOverride(o: TestOnlyTrainingOverride | undefined): void {
  set({ testOverride: o });
}
if (typeof window !== 'undefined') (window as unknown as { __nbExperimentsTestOnly?: unknown }).__nbExperimentsTestOnly = { setTrainingOverride: setTestOnlyTrainingOverride };

const withTraining = (g: GraphDoc, over: Record<string, unknown> | undefined): GraphDoc => (over ? { ...g, training: { ...g.training, ...over } } : g);

/** Pretrained weights kept for this tab, by the pretraining graph (with its training settings). */
const pretrainCache = new Map<string, SavedModel>();

type Ended = { ok: true; result: TrainResult; weights?: SavedModel } | { ok: false; message: string };

/** Resolves when the worker ends the run: its result and weights, or what went wrong. */
function runEnded(): Promise<Ended> {
  return new Promise((resolve) => {
    const off = client().on((e) => {
      if (e.t === 'done' || e.t === 'error' || e.t === 'fit' || e.t === 'crash') {
        off();
        resolve(e.t === 'done' ? { ok: true, result: e.result, weights: e.weights } : { ok: false, message: e.t === 'fit' ? e.issues.map((i) => i.message).join('; ') : e.message });
      }
    });
  });
}

let stopAsked = false;
/** Stops the run in progress and the experiment with it (no later variant starts). */
export function stopExperiment(): void {
  stopAsked = true;
  // The worker keeps a stop that arrives while the run still loads its data (src/train/session.ts).
  client().stop();
}

/** Trains `graph` (shown on the canvas, listed in Runs as `label`); extra: fine-tune weights. */
async function trainOne(ex: Experiment, graph: GraphDoc, label: string, extra: Partial<StartRequest> = {}): Promise<Ended> {
  commit(graph);
  const config = parseTrainingConfig(graph.training as Record<string, unknown>).config;
  resetRun();
  tagNextRun({ label, experiment: ex.id });
  const ended = runEnded();
  client().start({ graph, config, source: { kind: 'builtin', name: config.dataset ?? 'mnist', limit: config.limit, seed: config.seed }, ...extra });
  return ended;
}

/** The start weights' carried blocks are byte for byte the trained ones (by weight name). */
function carriedIdentical(start: SavedModel, trained: SavedModel, carried: string[]): boolean {
  const [a, b] = [weightBytes(start), weightBytes(trained)];
  const names = [...a.keys()].filter((n) => carried.some((id) => n.startsWith(`${id}/`)));
  return names.length > 0 && names.every((n) => {
    const [x, y] = [a.get(n)!, b.get(n)];
    return !!y && x.length === y.length && x.every((v, i) => v === y[i]);
  });
}

/** Trains `ex`'s pretraining graph (the card's experiments have one), or reuses this tab's; its weights, or why not. */
async function pretrain(ex: Experiment, doc: GraphDoc): Promise<{ graph: GraphDoc; weights: SavedModel } | string> {
  const graph = withTraining(doc, state.testOverride?.pretrain);
  const key = JSON.stringify(graph);
  const kept = pretrainCache.get(key);
  if (kept) {
    set({ pretraining: { ...state.pretraining, [ex.id]: { ...state.pretraining[ex.id]!, reused: true } } });
    return { graph, weights: kept };
  }
  set({ running: { id: ex.id, step: 'pretraining' } });
  const r = await trainOne(ex, graph, 'pretraining');
  if (!r.ok) return `the pretraining: ${r.message}`;
  if (r.result.status === 'nan') return 'the pretraining stopped at a NaN loss; nothing was fine-tuned';
  if (r.result.status !== 'completed' || stopAsked || !r.weights) return 'Stopped during the pretraining; nothing was fine-tuned.';
  pretrainCache.set(key, r.weights);
  const last = r.result.history.at(-1);
  set({ pretraining: { ...state.pretraining, [ex.id]: { epochs: r.result.history.length, seconds: r.result.seconds, valAccuracy: last?.valAccuracy, reused: false, status: r.result.status } } });
  return { graph, weights: r.weights };
}

/** Runs the pretraining (if any) first, then every variant in turn; 'done', or why it ended early. */
export async function runExperiment(ex: Experiment): Promise<string> {
  listenRuns(client());
  listenGradFlow(client());
  stopAsked = false;
  const over = state.testOverride;
  const pretrains = ex.variants.some((v) => v.pretrain);
  try {
    const pretrained = new Map<string, { graph: GraphDoc; weights: SavedModel }>();
    for (const v of ex.variants) {
      if (!v.pretrain) continue;
      const p = await pretrain(ex, v.pretrain);
      if (typeof p === 'string') return p;
      pretrained.set(v.name, p);
    }
    for (const [i, v] of ex.variants.entries()) {
      let extra: Partial<StartRequest> = {};
      const pre = pretrained.get(v.name);
      const graph = withTraining(v.graph, over?.variants);
      // Every variant of an experiment with a pretraining has the worker send its start weights:
      // e2e/experiment8.spec.ts sees the pretrained variant's fresh head start where the
      // from-scratch one's does; the card checks the carried blocks' bytes.
      if (pretrains) extra = { sendStartWeights: true };
      let start: SavedModel | undefined;
      let off = () => {};
      const transfer = pre ? blockTransfer(pre.graph, graph) : undefined;
      if (pre && transfer) {
        extra = { weights: pre.weights, fresh: transfer.fresh, sendStartWeights: true };
        // the worker sends them before the run's first batch
        off = client().on((e) => {
          if (e.t === 'start-weights') start = e.weights;
        });
      }
      set({ running: { id: ex.id, step: i } });
      const r = await trainOne(ex, graph, v.name, extra).finally(off);
      if (pre && transfer) {
        const identical = !!start && carriedIdentical(start, pre.weights, transfer.carried);
        set({ transfers: { ...state.transfers, [ex.id]: { ...state.transfers[ex.id], [v.name]: { ...transfer, identical } } } });
      }
      if (!r.ok) return `${v.name}: ${r.message}`;
      if (stopAsked || r.result.status === 'stopped') return `Stopped during ${v.name}.`;
    }
    return 'done';
  } finally {
    set({ running: null });
  }
}
