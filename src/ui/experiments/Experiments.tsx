// The Experiments gallery (in the Train panel): one click runs an experiment's graph variants one
// after another (each opens on the canvas while it trains, so its gradient flow shows there), then
// overlays their curves and tables what differs. Each card states the result measured here with
// scripts/measure-experiments.ts (tfjs WASM) and shows the numbers this browser measured next to it.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { EXPERIMENTS, type Column, type Experiment, type ExperimentResults, type VariantResult } from '../../../templates/experiments/experiments';
import RESULTS from '../../../templates/experiments/results.json';
import { parseTrainingConfig } from '../../train/config';
import type { RunRecord } from '../../train/runs';
import { powerOfTen } from '../../train/gradFlow';
import { commit } from '../store';
import { client, resetRun } from '../train/trainState';
import { listenRuns, tagNextRun, useRuns } from '../train/runsState';
import { listenGradFlow } from '../train/gradFlowState';
import { RunsDiff, RunsOverlay } from '../train/Runs';
import '../train/insight.css';

const results = RESULTS as unknown as ExperimentResults;

let running: { id: string; variant: number } | null = null;
const subs = new Set<() => void>();
function setRunning(r: typeof running) {
  running = r;
  for (const l of subs) l();
}
function useRunning() {
  return useSyncExternalStore(
    (l) => {
      subs.add(l);
      return () => subs.delete(l);
    },
    () => running,
  );
}

/** Resolves with 'done', or the error's message, when the worker ends the run. */
function runEnded(): Promise<string> {
  return new Promise((resolve) => {
    const off = client().on((e) => {
      if (e.t === 'done' || e.t === 'error' || e.t === 'fit' || e.t === 'crash') {
        off();
        resolve(e.t === 'done' ? 'done' : e.t === 'fit' ? e.issues.map((i) => i.message).join('; ') : e.message);
      }
    });
  });
}

/** Runs every variant in turn; stops at the first that fails. */
export async function runExperiment(ex: Experiment): Promise<string> {
  // The worker starts a run from a whole saved model only; carrying a pretrained encoder into a
  // graph with a new head is done by scripts/measure-experiments.ts so far.
  const pre = ex.variants.find((v) => v.pretrain);
  if (pre) return `${pre.name}: its pretraining runs in scripts/measure-experiments.ts only for now (npx tsx scripts/measure-experiments.ts --only ${ex.id}); the card shows what it measured`;
  listenRuns(client());
  listenGradFlow(client());
  try {
    for (const [i, v] of ex.variants.entries()) {
      setRunning({ id: ex.id, variant: i });
      commit(v.graph);
      const config = parseTrainingConfig(v.graph.training as Record<string, unknown>).config;
      resetRun();
      tagNextRun({ label: v.name, experiment: ex.id });
      const ended = runEnded();
      client().start({ graph: v.graph, config, source: { kind: 'builtin', name: config.dataset ?? 'mnist', limit: config.limit, seed: config.seed } });
      const r = await ended;
      if (r !== 'done') return `${v.name}: ${r}`;
    }
    return 'done';
  } finally {
    setRunning(null);
  }
}

/** The latest run of each variant, in the experiment's order. */
function latestRuns(ex: Experiment, runs: RunRecord[]): RunRecord[] {
  return ex.variants.map((v) => runs.filter((r) => r.experiment === ex.id && r.label === v.name).at(-1)).filter((r): r is RunRecord => !!r);
}

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(1)}%`);
const ratio = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x < 0.01 ? `${x.toExponential(1)} (${powerOfTen(x)})` : `${x.toFixed(2)}×`);

/** The card's measured columns: heading and how a results.json entry shows. */
const COLUMNS: Record<Column, [string, (m: VariantResult) => string]> = {
  gradRatioFirst: ['first/last grad', (m) => ratio(m.gradRatioFirst)],
  testAccuracy: ['test acc', (m) => pct(m.testAccuracy)],
  trainAccuracy: ['train acc', (m) => pct(m.trainAccuracy)],
  valAccuracy: ['val acc', (m) => pct(m.valAccuracy)],
  gap: ['gap', (m) => (m.trainAccuracy === undefined || m.valAccuracy === undefined ? '—' : `${(100 * (m.trainAccuracy - m.valAccuracy)).toFixed(1)} pts`)],
  maxGradNorm: ['max grad norm', (m) => (m.maxGradNorm === undefined || !Number.isFinite(m.maxGradNorm) ? '—' : m.maxGradNorm.toPrecision(3))],
  status: ['ended', (m) => (m.status === 'nan' ? 'loss NaN, stopped' : (m.status ?? '—'))],
};

function Card({ ex }: { ex: Experiment }) {
  const runs = useRuns((s) => s.runs);
  const now = useRunning();
  const [error, setError] = useState<string>();
  const measured = results.experiments[ex.id] ?? {};
  const mine = latestRuns(ex, runs);
  const busy = now !== null;
  return (
    <div className="nbx-card" data-testid={`experiment-${ex.id}`}>
      <h5>{ex.title}</h5>
      <div>{ex.claim}</div>
      <table className="nbt-table" data-testid="experiment-measured">
        <thead>
          <tr>
            <th>variant</th>
            {ex.columns.map((c) => (
              <th key={c}>{COLUMNS[c][0]}</th>
            ))}
            <th>here (browser)</th>
          </tr>
        </thead>
        <tbody>
          {ex.variants.map((v) => {
            const m = measured[v.name];
            const r = mine.find((x) => x.label === v.name);
            return (
              <tr key={v.name} data-variant={v.name}>
                <td>{v.name}</td>
                {ex.columns.map((c) => (
                  <td key={c} className="mono" data-column={c}>
                    {m ? COLUMNS[c][1](m) : '—'}
                  </td>
                ))}
                <td className="mono" data-testid="experiment-browser">
                  {r ? `${r.status === 'nan' ? 'NaN · ' : ''}${pct(r.final.testAccuracy)} · ${ratio(r.gradRatio)}` : now?.id === ex.id && ex.variants[now.variant]?.name === v.name ? 'training…' : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="nbt-note">
        Measured: {ex.measures}. {ex.shows} <i>({results.measuredWith}; the browser column: gradient ratio at the last sample.)</i>
      </div>
      <button
        className="nb-btn"
        disabled={busy}
        data-testid={`run-experiment-${ex.id}`}
        onClick={() => {
          setError(undefined);
          void runExperiment(ex).then((r) => r !== 'done' && setError(r));
        }}
      >
        {now?.id === ex.id ? `Running ${ex.variants[now.variant]?.name} (${now.variant + 1}/${ex.variants.length})…` : `▶ Run the ${ex.variants.length} variants`}
      </button>
      {error && <div className="nbt-note error">{error}</div>}
      {mine.length > 0 && (
        <div data-testid={`experiment-overlay-${ex.id}`}>
          <RunsOverlay runs={mine} metric="loss" testId="experiment-loss" />
          <RunsOverlay runs={mine} metric="accuracy" testId="experiment-acc" />
          <RunsDiff runs={mine} />
        </div>
      )}
    </div>
  );
}

export function ExperimentsSection() {
  useEffect(() => listenRuns(client()), []);
  const [open, setOpen] = useState(false);
  return (
    <section className="nbt-section" data-testid="experiments">
      <div className="nbt-row">
        <h4>Experiments</h4>
        <button className="nb-btn" style={{ marginLeft: 'auto' }} onClick={() => setOpen(!open)} data-testid="experiments-toggle">
          {open ? 'Hide' : `Show ${EXPERIMENTS.length}`}
        </button>
      </div>
      {open && EXPERIMENTS.map((ex) => <Card key={ex.id} ex={ex} />)}
    </section>
  );
}
