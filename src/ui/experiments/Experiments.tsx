// The Experiments gallery (in the Train panel): one click runs an experiment's graph variants one
// after another (each opens on the canvas while it trains, so its gradient flow shows there), then
// overlays their curves and tables what differs. Each card states the result measured here with
// scripts/measure-experiments.ts (tfjs WASM) and shows the numbers this browser measured next to it.
// Running lives in runExperiment.ts (experiment 8's pretraining, then its variants, included).
import { useEffect, useState } from 'react';
import { EXPERIMENTS, type Column, type Experiment, type ExperimentResults, type VariantResult } from '../../../templates/experiments/experiments';
import RESULTS from '../../../templates/experiments/results.json';
import type { RunRecord } from '../../train/runs';
import { powerOfTen } from '../../train/gradFlow';
import { client, useTrain } from '../train/trainState';
import { listenRuns, useRuns } from '../train/runsState';
import { RunsDiff, RunsOverlay } from '../train/Runs';
import { runExperiment, stopExperiment, useExperiments } from './runExperiment';
import '../train/insight.css';

const results = RESULTS as unknown as ExperimentResults;

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

/** What the running step is doing, for the Run button. */
function Progress({ ex }: { ex: Experiment }) {
  const now = useExperiments((s) => s.running);
  const last = useTrain((s) => s.last);
  if (now?.id !== ex.id) return null;
  const what = now.step === 'pretraining' ? 'the pretraining' : ex.variants[now.step]?.name;
  const steps = ex.variants.length + (ex.variants.some((v) => v.pretrain) ? 1 : 0);
  const at = now.step === 'pretraining' ? 1 : now.step + 1 + steps - ex.variants.length;
  const progress = last ? ` — epoch ${last.epoch + 1}, ${Math.round(100 * last.progress)}%` : '';
  return (
    <span data-testid="experiment-progress">
      Running {what} ({at}/{steps}){progress}…
    </span>
  );
}

/** Experiment 8: the pretraining this tab ran, and what each pretrained variant carried over from it. */
function PretrainNotes({ ex }: { ex: Experiment }) {
  const pre = useExperiments((s) => s.pretraining[ex.id]);
  const transfers = useExperiments((s) => s.transfers[ex.id]);
  const took = Object.values(results.experiments[ex.id] ?? {}).find((m) => m.pretrainSeconds)?.pretrainSeconds;
  if (!pre && !transfers)
    return took ? (
      <div className="nbt-note" data-testid="experiment-pretrain-note">
        The pretraining runs first, once per tab (the measurement’s took {Math.round(took / 60)} min on a CPU); its progress shows here and in Training, and Stop ends the experiment.
      </div>
    ) : null;
  return (
    <div className="nbt-note">
      {pre && (
        <div data-testid="experiment-pretrain-note">
          Pretrained here: {pre.epochs} epoch{pre.epochs === 1 ? '' : 's'} in {pre.seconds.toFixed(1)} s{pre.valAccuracy !== undefined ? `, filling ${pct(pre.valAccuracy)} of the masked digits of its validation split` : ''}
          {pre.reused ? ' (run earlier in this tab, reused)' : ''}.
        </div>
      )}
      {Object.entries(transfers ?? {}).map(([name, t]) => (
        <div key={name} data-testid="experiment-transfer" data-variant={name}>
          “{name}” started from the pretraining’s weights for {t.carried.join(', ')} ({t.identical ? 'bit-identical to the pretraining’s final weights' : 'NOT the pretraining’s bytes'}); fresh weights for {t.fresh.join(', ') || 'no block'}.
        </div>
      ))}
    </div>
  );
}

function Card({ ex }: { ex: Experiment }) {
  const runs = useRuns((s) => s.runs);
  const now = useExperiments((s) => s.running);
  const override = useExperiments((s) => s.testOverride);
  const [error, setError] = useState<string>();
  const measured = results.experiments[ex.id] ?? {};
  const mine = latestRuns(ex, runs);
  const busy = now !== null;
  const pretrains = ex.variants.some((v) => v.pretrain);
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
          {ex.variants.map((v, i) => {
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
                  {r ? `${r.status === 'nan' ? 'NaN · ' : ''}${pct(r.final.testAccuracy)} · ${ratio(r.gradRatio)}` : now?.id === ex.id && now.step === i ? 'training…' : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="nbt-note">
        Measured: {ex.measures}. {ex.shows} <i>({results.measuredWith}; the browser column: test accuracy and gradient ratio at the last sample{pretrains ? ', after this tab’s own pretraining' : ''}.)</i>
      </div>
      {override && (
        <div className="nbt-note warn" data-testid="experiment-test-override">
          Test-only training override in effect (pretraining {JSON.stringify(override.pretrain ?? {})}, variants {JSON.stringify(override.variants ?? {})}): the browser numbers are a reduced run, not the card’s measurement.
        </div>
      )}
      <PretrainNotes ex={ex} />
      <div className="nbt-row">
        <button
          className="nb-btn"
          disabled={busy}
          data-testid={`run-experiment-${ex.id}`}
          onClick={() => {
            setError(undefined);
            void runExperiment(ex).then((r) => r !== 'done' && setError(r), (e: unknown) => setError((e as Error)?.message ?? String(e)));
          }}
        >
          {now?.id === ex.id ? <Progress ex={ex} /> : pretrains ? `▶ Pretrain, then run the ${ex.variants.length} variants` : `▶ Run the ${ex.variants.length} variants`}
        </button>
        {now?.id === ex.id && (
          <button className="nb-btn" onClick={stopExperiment} data-testid={`stop-experiment-${ex.id}`}>
            ■ Stop
          </button>
        )}
      </div>
      {error && (
        <div className={`nbt-note${error.startsWith('Stopped') ? '' : ' error'}`} data-testid="experiment-error">
          {error}
        </div>
      )}
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
