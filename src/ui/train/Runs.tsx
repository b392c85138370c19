// The Runs view: every finished training run (kept in IndexedDB), newest first; pick several to
// overlay their curves and see a table of what differs (config and results); export as CSV/JSON.
import { useEffect } from 'react';
import { RUN_FIELDS, runDifferences, runsToCsv, runsToJson, type RunRecord } from '../../train/runs';
import { LineChart, type Series } from './Charts';
import { client } from './trainState';
import { deleteRuns, listenRuns, togglePicked, useRuns } from './runsState';
import { fromRun } from './fineTuneState';
import { download } from './actions';
import { pct } from './format';
import './insight.css';

const PALETTE = ['#4c8dff', '#f5a524', '#46c07a', '#ff5c5c', '#b07cff', '#2ec4d6', '#ff8fd0', '#c3c7cf'];
export const runColor = (i: number) => PALETTE[i % PALETTE.length]!;

const show = (v: string | number | undefined) => (v === undefined ? '—' : typeof v === 'number' && !Number.isInteger(v) ? (Math.abs(v) < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(4)))) : String(v));

/** Curves of several runs on one chart: per epoch, validation when there is some, else training. */
export function RunsOverlay({ runs, metric, testId }: { runs: RunRecord[]; metric: 'loss' | 'accuracy'; testId?: string }) {
  // Series names key the chart's lines: runs of the same graph get their position added.
  const names = runs.map((r) => r.label ?? r.graphName);
  const series: Series[] = runs.map((r, i) => {
    const val = r.epochs.some((e) => (metric === 'loss' ? e.valLoss : e.valAccuracy) !== undefined);
    const get = (e: RunRecord['epochs'][number]) => (metric === 'loss' ? (val ? e.valLoss : e.loss) : val ? e.valAccuracy : e.accuracy);
    const name = names.filter((n) => n === names[i]).length > 1 ? `${names[i]} #${i + 1}` : names[i]!;
    return { name: `${name}${val ? '' : ' (train)'}`, color: runColor(i), dots: true, points: r.epochs.filter((e) => get(e) !== undefined).map((e) => [e.epoch + 1, get(e)!] as [number, number]) };
  });
  return <LineChart testId={testId} series={series} xLabel="epoch" yMin={metric === 'accuracy' ? 0 : undefined} yMax={metric === 'accuracy' ? 1 : undefined} />;
}

export function RunsDiff({ runs }: { runs: RunRecord[] }) {
  const fields = runDifferences(runs);
  return (
    <table className="nbt-table nbr-table" data-testid="runs-diff">
      <thead>
        <tr>
          <th>{runs.length > 1 ? 'differs' : 'field'}</th>
          {runs.map((r, i) => (
            <th key={r.id} style={{ color: runColor(i) }}>
              {r.label ?? r.graphName}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {(fields.length ? fields : RUN_FIELDS.slice(0, 1)).map((f) => (
          <tr key={f.key} data-field={f.key}>
            <td>{f.label}</td>
            {runs.map((r) => (
              <td key={r.id} className="mono diff">
                {show(f.get(r))}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunsSection() {
  useEffect(() => listenRuns(client()), []);
  const runs = useRuns((s) => s.runs);
  const picked = useRuns((s) => s.picked);
  const withWeights = useRuns((s) => s.withWeights);
  if (!runs.length) return null;
  const chosen = runs.filter((r) => picked.includes(r.id));
  return (
    <section className="nbt-section" data-testid="runs">
      <div className="nbt-row">
        <h4>Runs ({runs.length})</h4>
        <span style={{ marginLeft: 'auto', display: 'flex', gap: 6 }}>
          <button className="nb-btn" data-testid="runs-csv" onClick={() => download('runs.csv', runsToCsv(chosen.length ? chosen : runs), 'text/csv')}>
            CSV
          </button>
          <button className="nb-btn" data-testid="runs-json" onClick={() => download('runs.json', runsToJson(chosen.length ? chosen : runs), 'application/json')}>
            JSON
          </button>
          {chosen.length > 0 && (
            <button className="nb-btn" data-testid="runs-delete" onClick={() => deleteRuns(chosen.map((r) => r.id))}>
              Delete {chosen.length}
            </button>
          )}
        </span>
      </div>
      <div style={{ maxHeight: 180, overflowY: 'auto' }}>
        <table className="nbt-table nbr-table" data-testid="runs-table">
          <thead>
            <tr>
              <th />
              <th>run</th>
              <th>data</th>
              <th>optimizer</th>
              <th>epochs</th>
              <th>test acc</th>
              <th>time</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...runs].reverse().map((r) => (
              <tr key={r.id} className={picked.includes(r.id) ? 'picked' : ''} data-run={r.id}>
                <td>
                  <input type="checkbox" checked={picked.includes(r.id)} onChange={(e) => togglePicked(r.id, e.target.checked)} data-testid="run-pick" />
                </td>
                <td title={`graph ${r.graphHash} · ${new Date(r.startedAt).toLocaleString()}`}>{r.label ?? r.graphName}</td>
                <td>{r.dataset}</td>
                <td>{r.config.optimizer}</td>
                <td className="mono">{r.epochs.length}</td>
                <td className="mono">{pct(r.final.testAccuracy)}</td>
                <td className="mono">{r.seconds.toFixed(1)} s</td>
                <td className="nbr-tune">
                  {withWeights.includes(r.id) && (
                    <button className="nb-btn small" onClick={() => void fromRun(r.id)} data-testid="run-finetune" title="Fine-tune from this run's trained weights (the Fine-tune section above)">
                      ⤷ tune
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {chosen.length > 0 && (
        <>
          <div className="nbt-sub">Loss per epoch (validation where there is a split)</div>
          <RunsOverlay runs={chosen} metric="loss" testId="runs-loss" />
          {chosen.some((r) => r.final.accuracy !== undefined) && <RunsOverlay runs={chosen} metric="accuracy" testId="runs-acc" />}
          <RunsDiff runs={chosen} />
        </>
      )}
    </section>
  );
}
