// Training runs kept for comparison: one record per finished run (graph hash, config, curves,
// final metrics, backend, duration), the differences between runs, and CSV/JSON export. Pure
// data functions: the app stores the records in IndexedDB (src/ui/train/runsState.ts).
import type { GraphDoc } from '../core/graph';
import type { TrainingConfig } from './config';
import type { EpochEvent } from './loop';

export interface RunRecord {
  id: string;
  /** The graph's name and the structural hash of what was trained (positions and labels aside). */
  graphName: string;
  graphHash: string;
  /** The app's document id, to tell runs of the open graph from others. */
  docId?: string;
  /** A label (an experiment's variant name). */
  label?: string;
  /** Experiment id when the run was one variant of an experiment. */
  experiment?: string;
  dataset: string;
  config: TrainingConfig;
  backend: string;
  startedAt: number;
  seconds: number;
  status: 'completed' | 'stopped' | 'nan';
  /** Per-epoch curves (the whole training: Train more continues the epochs). */
  epochs: EpochEvent[];
  final: { loss?: number; accuracy?: number; valLoss?: number; valAccuracy?: number; testLoss?: number; testAccuracy?: number };
  /** First block's gradient norm over the last block's, at the last gradient-flow sample. */
  gradRatio?: number;
}

/** FNV-1a over the JSON of what determines the model: types, params, frozen flags, edges, macros. */
export function graphHash(doc: GraphDoc): string {
  const core = {
    nodes: doc.nodes.map((n) => [n.id, n.type, n.params ?? {}, n.trainable ?? true]),
    edges: doc.edges.map((e) => [e.source, e.sourceHandle ?? '', e.target, e.targetHandle ?? '']),
    macros: doc.macros ?? {},
  };
  const s = JSON.stringify(core);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return ((h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0')).slice(0, 12);
}

/** The columns a run is compared on, in order: what was run, then how it ended. */
export const RUN_FIELDS: { key: string; label: string; get: (r: RunRecord) => string | number | undefined }[] = [
  { key: 'label', label: 'run', get: (r) => r.label ?? r.graphName },
  { key: 'graphHash', label: 'graph', get: (r) => r.graphHash },
  { key: 'dataset', label: 'dataset', get: (r) => r.dataset },
  { key: 'optimizer', label: 'optimizer', get: (r) => (r.config.optimizer === 'sgd' && r.config.momentum > 0 ? `sgd+momentum ${r.config.momentum}` : r.config.optimizer) },
  { key: 'learningRate', label: 'learning rate', get: (r) => r.config.learningRate },
  { key: 'lrSchedule', label: 'schedule', get: (r) => r.config.lrSchedule },
  { key: 'batchSize', label: 'batch size', get: (r) => r.config.batchSize },
  { key: 'epochs', label: 'epochs', get: (r) => r.epochs.length },
  { key: 'kernelInitializer', label: 'initializer', get: (r) => r.config.kernelInitializer },
  { key: 'clipNorm', label: 'clip norm', get: (r) => r.config.clipNorm ?? 'off' },
  { key: 'seed', label: 'seed', get: (r) => r.config.seed },
  { key: 'backend', label: 'backend', get: (r) => r.backend },
  { key: 'status', label: 'status', get: (r) => r.status },
  { key: 'seconds', label: 'seconds', get: (r) => Number(r.seconds.toFixed(1)) },
  { key: 'loss', label: 'train loss', get: (r) => r.final.loss },
  { key: 'valLoss', label: 'val loss', get: (r) => r.final.valLoss },
  { key: 'valAccuracy', label: 'val accuracy', get: (r) => r.final.valAccuracy },
  { key: 'testAccuracy', label: 'test accuracy', get: (r) => r.final.testAccuracy },
  { key: 'testLoss', label: 'test loss', get: (r) => r.final.testLoss },
  { key: 'gradRatio', label: 'first/last grad', get: (r) => r.gradRatio },
];

/** The fields whose values are not the same in every one of the runs (all fields for one run). */
export function runDifferences(runs: RunRecord[]): typeof RUN_FIELDS {
  if (runs.length < 2) return RUN_FIELDS;
  return RUN_FIELDS.filter((f) => new Set(runs.map((r) => String(f.get(r)))).size > 1);
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per run, one column per field (the curves are in the JSON export). */
export function runsToCsv(runs: RunRecord[]): string {
  const head = ['id', 'startedAt', ...RUN_FIELDS.map((f) => f.key)];
  const rows = runs.map((r) => [r.id, new Date(r.startedAt).toISOString(), ...RUN_FIELDS.map((f) => f.get(r))].map(csvCell).join(','));
  return [head.join(','), ...rows].join('\n') + '\n';
}

export function runsToJson(runs: RunRecord[]): string {
  return JSON.stringify({ format: 'neural-blocks.runs', version: 1, runs }, null, 2) + '\n';
}

/** The last epoch's metrics, and the test set's when evaluated. */
export function finalMetrics(epochs: EpochEvent[], test?: { loss: number; accuracy?: number }): RunRecord['final'] {
  const e = epochs[epochs.length - 1];
  return { loss: e?.loss, accuracy: e?.accuracy, valLoss: e?.valLoss, valAccuracy: e?.valAccuracy, testLoss: test?.loss, testAccuracy: test?.accuracy };
}
