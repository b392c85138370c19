// The Train panel's Data section: a built-in dataset or the user's own, its facts and a preview,
// and whether it fits the graph's inputs and outputs.
import { useEffect, useState } from 'react';
import { toast, useStore } from '../../store';
import type { TrainingConfig } from '../../../train/config';
import type { FitIssue } from '../../../train/loop';
import { DATASETS } from '../../../data/registry';
import { getTrain, markNodes, setTrain, useTrain } from '../trainState';
import { PixelView } from '../Charts';
import { UserDataDialog } from '../UserData';
import { editTraining, loadSource, sameSource, sourceFor } from '../actions';
import { fmtShape } from '../format';

function Preview() {
  const meta = useTrain((s) => s.meta);
  if (!meta) return null;
  const p = meta.preview;
  if (p.kind === 'images')
    return (
      <div className="nbt-thumbs" data-testid="data-preview">
        {p.items.map((it, i) => (
          <figure key={i}>
            <PixelView data={it.pixels} h={p.h} w={p.w} c={p.c} size={40} />
            <figcaption>{it.label}</figcaption>
          </figure>
        ))}
      </div>
    );
  if (p.kind === 'pairs')
    return (
      <table className="nbt-table" data-testid="data-preview">
        <tbody>
          {p.pairs.slice(0, 6).map(([a, b], i) => (
            <tr key={i}>
              <td className="mono">{a}</td>
              <td className="nb-muted">→</td>
              <td className="mono">{b}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  return (
    <table className="nbt-table" data-testid="data-preview">
      <thead>
        <tr>
          {p.columns.map((c, i) => (
            <th key={i}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {p.rows.slice(0, 6).map((r, i) => (
          <tr key={i}>
            {r.map((v, j) => (
              <td key={j} className="mono">
                {v}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DataSection({ config, fit }: { config: TrainingConfig; fit: FitIssue[] | null }) {
  const source = useTrain((s) => s.source);
  const meta = useTrain((s) => s.meta);
  const loading = useTrain((s) => s.dataLoading);
  const progress = useTrain((s) => s.dataProgress);
  const fraction = useTrain((s) => s.dataFraction);
  const error = useTrain((s) => s.dataError);
  const valSplit = config.validationSplit;
  const [userOpen, setUserOpen] = useState(false);
  const analysisOk = useStore((s) => s.analysis.ok);
  const custom = source?.kind === 'custom';
  useEffect(() => {
    const want = sourceFor(config);
    if (!custom && !sameSource(getTrain().source, want)) loadSource(want);
  }, [config.dataset, config.limit, config.seed, custom]);
  const d = meta?.dataset;
  const nVal = d ? Math.floor(d.train.n * valSplit) : 0;
  return (
    <section className="nbt-section">
      <h4>Data</h4>
      <div className="nbt-row">
        <select
          className="nbt-select"
          data-testid="dataset-select"
          value={custom ? '__custom' : (config.dataset ?? 'mnist')}
          onChange={(e) => {
            if (e.target.value === '__custom') return setUserOpen(true);
            setTrain({ source: null });
            editTraining({ dataset: e.target.value });
          }}
        >
          {DATASETS.map((x) => (
            <option key={x.name} value={x.name}>
              {x.title}
            </option>
          ))}
          {custom && <option value="__custom">{meta?.dataset.title ?? 'Your data'}</option>}
        </select>
        <input
          className="nbt-input narrow"
          data-testid="dataset-limit"
          placeholder="all"
          title="Use at most this many examples (quick runs)"
          defaultValue={config.limit ?? ''}
          onBlur={(e) => {
            const v = e.target.value.trim();
            const n = Number(v);
            if (v === '') editTraining({ limit: undefined });
            else if (Number.isInteger(n) && n >= 10) editTraining({ limit: n });
            else toast(`limit must be a whole number ≥ 10, got ${JSON.stringify(v)}`, 'error');
          }}
        />
        <button className="nb-btn" onClick={() => setUserOpen(true)} data-testid="user-data-open">
          Your data…
        </button>
      </div>
      {userOpen && (
        <UserDataDialog
          onClose={() => setUserOpen(false)}
          onDataset={(ds, key) => {
            setUserOpen(false);
            loadSource({ kind: 'custom', key, dataset: ds });
          }}
        />
      )}
      {loading && (
        <div className="nbt-note" data-testid="data-loading">
          Loading {progress ?? 'data'}…
          {fraction !== undefined && <progress data-testid="data-progress" max={1} value={fraction} style={{ display: 'block', width: '100%' }} />}
        </div>
      )}
      {error && <div className="nbt-note error">{error}</div>}
      {d && !loading && (
        <>
          <div className="nbt-note">{d.description}</div>
          <div className="nbt-facts" data-testid="data-facts">
            <span>
              train <b>{d.train.n - nVal}</b>
            </span>
            <span>
              validation <b>{nVal}</b>
            </span>
            <span>
              test <b>{d.test.n}</b>
            </span>
            <span>
              inputs <b>{d.train.x.map((t) => `${fmtShape(t.shape)} ${t.dtype}`).join(', ')}</b>
            </span>
            <span>
              labels <b>{d.train.y.map((t) => `${fmtShape(t.shape)} ${t.dtype}`).join(', ') || '—'}</b>
              {d.numClasses ? ` (${d.numClasses} ${d.vocab ? 'tokens' : 'classes'})` : ''}
            </span>
          </div>
          <Preview />
        </>
      )}
      {!analysisOk && <div className="nbt-note error">The graph has errors — fix them on the canvas before training.</div>}
      {fit && fit.length > 0 && (
        <div className="nbt-fit" data-testid="fit-issues">
          {fit.map((i, k) => (
            <div key={k} className="nbt-fit-item">
              <span>{i.message}</span>
              {i.node && (
                <button className="nb-btn small" onClick={() => markNodes([i.node!])} title="Select this block on the canvas">
                  show “{i.node}”
                </button>
              )}
            </div>
          ))}
        </div>
      )}
      {fit && fit.length === 0 && (
        <div className="nbt-note good" data-testid="fit-ok">
          ✓ The data fits the graph’s inputs and outputs.
        </div>
      )}
    </section>
  );
}
