// The Train tab: backend, data (built-in or your own) with a preview and the fit check, the
// training config (stored in the graph's `training` object through an undoable edit), the run
// controls, live curves, the test result and confusion matrix, a try-it panel, and keeping and
// taking away the model (IndexedDB, tfjs files, ONNX, and a check in onnxruntime-web).
import { useEffect, useMemo, useRef, useState } from 'react';
import { commit, getState, toast, useStore } from '../store';
import { setTraining } from '../../core/edit';
import { parseTrainingConfig, LOSSES, OPTIMIZERS, INITIALIZERS, LR_SCHEDULES, type TrainingConfig } from '../../train/config';
import { planData, DataFitError, type FitIssue } from '../../train/loop';
import type { CompiledModel } from '../../core/compile';
import { getBlock } from '../../../blocks/index';
import { DATASETS } from '../../data/registry';
import { BACKEND_LABELS, type BackendChoice } from '../../train/backends';
import type { DataSource, Prediction } from '../../train/protocol';
import { detokenize, tokenize } from '../../data/preview';
import { graphFromModelJson, type SavedModel } from '../../train/weights';
import { client, getTrain, markNodes, persistWeights, resetRun, restoreWeights, setTrain, useTrain } from './trainState';
import { ConfusionMatrix, DrawPad, Heatmap, LineChart, PixelView } from './Charts';
import { UserDataDialog } from './UserData';
import './train.css';
import { GradFlowSection } from './GradFlow';
import { RunsSection } from './Runs';
import { ExperimentsSection } from '../experiments/Experiments';

const fmtShape = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? '?').join(', ')}]`;
const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
// Rounded to whole seconds first, so 479.7 s reads "8 min 0 s", not "7 min 60 s".
const fmtSecs = (s: number) => {
  if (!Number.isFinite(s)) return '—';
  const r = Math.round(s);
  return r < 60 ? `${r} s` : `${Math.floor(r / 60)} min ${r % 60} s`;
};

function download(name: string, data: BlobPart, type = 'application/octet-stream') {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

function useConfig(): { config: TrainingConfig; issues: { field: string; message: string }[] } {
  const raw = useStore((s) => s.doc.training);
  return useMemo(() => parseTrainingConfig(raw), [raw]);
}

function editTraining(patch: Record<string, unknown>, coalesce?: string) {
  commit(setTraining(getState().doc, patch), coalesce ? { coalesce: `training:${coalesce}` } : {});
}

// ---------- Backend ----------

function BackendSection() {
  const choice = useTrain((s) => s.backendChoice);
  const info = useTrain((s) => s.backend);
  const fallbacks = useTrain((s) => s.fallbacks);
  const run = useTrain((s) => s.run);
  const pick = (c: BackendChoice) => {
    setTrain({ backendChoice: c, backend: undefined });
    client()
      .setBackend(c)
      .then(async (b) => {
        if (getTrain().backendChoice !== c) return; // a later choice won
        setTrain({ backend: b });
        // The model lives on the backend: bring the kept weights over to the new one.
        const w = getTrain().weights;
        const s = getState();
        if (w) await client().loadWeights(s.doc, parseTrainingConfig(s.doc.training).config, w);
      })
      .catch((e: Error) => toast(e.message, 'error'));
  };
  useEffect(() => {
    if (!getTrain().backend)
      client()
        .setBackend(getTrain().backendChoice)
        .then((b) => b.requested === getTrain().backendChoice && setTrain({ backend: b }))
        .catch((e: Error) => setTrain({ message: { kind: 'error', text: e.message } }));
  }, []);
  return (
    <section className="nbt-section">
      <div className="nbt-row">
        <h4>Backend</h4>
        <span className={`nbt-backend ${info ? info.name : 'pending'}`} data-testid="backend-indicator" title={info?.summary}>
          {info ? BACKEND_LABELS[info.name] : 'starting…'}
        </span>
        <select value={choice} disabled={run !== 'idle'} onChange={(e) => pick(e.target.value as BackendChoice)} data-testid="backend-select" className="nbt-select small">
          <option value="auto">Auto (the fastest, measured on this model)</option>
          <option value="webgpu">WebGPU</option>
          <option value="webgl">WebGL</option>
          <option value="wasm">WASM</option>
          <option value="cpu">CPU</option>
        </select>
      </div>
      {info && (
        <div className="nbt-note" data-testid="backend-summary">
          {info.summary}
        </div>
      )}
      {fallbacks.map((f, i) => (
        <div key={i} className="nbt-note warn" data-testid="backend-fallback">
          {f}
        </div>
      ))}
    </section>
  );
}

// ---------- Data ----------

function sourceFor(config: TrainingConfig): DataSource {
  return { kind: 'builtin', name: config.dataset ?? 'mnist', limit: config.limit, seed: config.seed };
}

function sameSource(a: DataSource | null, b: DataSource): boolean {
  if (!a) return false;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'custom' && b.kind === 'custom') return a.key === b.key;
  return JSON.stringify(a) === JSON.stringify(b);
}

function loadSource(src: DataSource) {
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

function useFitIssues(config: TrainingConfig): FitIssue[] | null {
  const analysis = useStore((s) => s.analysis);
  const meta = useTrain((s) => s.meta);
  return useMemo(() => {
    if (!meta || !analysis.ok) return null;
    try {
      // planData reads only the analysis and the data's shapes (the examples stay in the worker).
      planData({ analysis: analysis.flat } as CompiledModel, meta.dataset, config);
      return [];
    } catch (e) {
      if (e instanceof DataFitError) return e.issues;
      return [{ node: null, message: (e as Error).message }];
    }
  }, [analysis, meta, config]);
}

function DataSection({ config, fit }: { config: TrainingConfig; fit: FitIssue[] | null }) {
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

// ---------- Config ----------

function NumField({ label, field, value, int, min, max, allowEmpty, testId }: { label: string; field: string; value: number | null | undefined; int?: boolean; min?: number; max?: number; allowEmpty?: boolean; testId?: string }) {
  const [text, setText] = useState(value === null || value === undefined ? '' : String(value));
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    if (Number(text) !== value && !(text === '' && (value === null || value === undefined))) setText(value === null || value === undefined ? '' : String(value));
  }, [value]);
  return (
    <label className="nbt-field">
      <span>{label}</span>
      <input
        className={`nbt-input${err ? ' invalid' : ''}`}
        value={text}
        placeholder={allowEmpty ? 'off' : undefined}
        data-testid={testId ?? `cfg-${field}`}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (t.trim() === '' && allowEmpty) {
            setErr(null);
            return editTraining({ [field]: null }, field);
          }
          const n = Number(t);
          const bad = t.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n)) || (min !== undefined && n < min) || (max !== undefined && n > max);
          if (bad) setErr(`${int ? 'a whole number' : 'a number'}${min !== undefined ? ` ≥ ${min}` : ''}${max !== undefined ? ` ≤ ${max}` : ''}`);
          else {
            setErr(null);
            editTraining({ [field]: n }, field);
          }
        }}
      />
      {err && <em className="nbt-err">needs {err}</em>}
    </label>
  );
}

function SelectField({ label, field, value, options }: { label: string; field: string; value: string; options: readonly string[] }) {
  return (
    <label className="nbt-field">
      <span>{label}</span>
      <select className="nbt-select" value={value} data-testid={`cfg-${field}`} onChange={(e) => editTraining({ [field]: e.target.value })}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

function ConfigSection({ config, issues }: { config: TrainingConfig; issues: { field: string; message: string }[] }) {
  const outputs = useStore((s) => s.analysis.flat.outputs);
  const perOutput = typeof config.loss === 'object';
  const hasSampling = useStore((s) => s.doc.nodes.some((n) => getBlock(n.type)?.addsLoss));
  return (
    <section className="nbt-section">
      <h4>Training config</h4>
      {issues.length > 0 && <div className="nbt-note error">{issues.map((i) => i.message).join('; ')}</div>}
      <div className="nbt-grid">
        {!perOutput || outputs.length <= 1 ? (
          <SelectField label="loss" field="loss" value={typeof config.loss === 'string' ? config.loss : (Object.values(config.loss)[0] ?? LOSSES[0])} options={LOSSES} />
        ) : (
          outputs.map((o) => (
            <label key={o.node} className="nbt-field">
              <span>loss · {o.node}</span>
              <select className="nbt-select" value={(config.loss as Record<string, string>)[o.node] ?? LOSSES[0]} onChange={(e) => editTraining({ loss: { ...(config.loss as object), [o.node]: e.target.value } })}>
                {LOSSES.map((l) => (
                  <option key={l}>{l}</option>
                ))}
              </select>
            </label>
          ))
        )}
        <SelectField label="optimizer" field="optimizer" value={config.optimizer} options={OPTIMIZERS} />
        <NumField label="learning rate" field="learningRate" value={config.learningRate} min={1e-7} max={9.99} />
        <SelectField label="lr schedule" field="lrSchedule" value={config.lrSchedule} options={LR_SCHEDULES} />
        {config.optimizer === 'sgd' && <NumField label="momentum" field="momentum" value={config.momentum} min={0} max={0.999} />}
        <NumField label="batch size" field="batchSize" value={config.batchSize} int min={1} max={65536} />
        <NumField label="epochs" field="epochs" value={config.epochs} int min={1} />
        <NumField label="validation split" field="validationSplit" value={config.validationSplit} min={0} max={0.9} />
        <NumField label="clip norm" field="clipNorm" value={config.clipNorm} min={1e-6} allowEmpty />
        <NumField label="seed" field="seed" value={config.seed} int />
        <SelectField label="kernel init" field="kernelInitializer" value={config.kernelInitializer} options={INITIALIZERS} />
        <NumField label="augment: shift (px)" field="augmentShift" value={config.augmentShift} int min={0} max={16} />
        <NumField label="augment: rotate (°)" field="augmentRotate" value={config.augmentRotate} min={0} max={45} />
      </div>
      <label className="nbt-check" title="Images only: mirror each training image left–right at random (right for clothes and photos, wrong for digits).">
        <input type="checkbox" data-testid="cfg-augmentFlip" checked={config.augmentFlip} onChange={(e) => editTraining({ augmentFlip: e.target.checked })} /> augment: random left–right flip
      </label>
      {outputs.length > 1 && (
        <label className="nbt-check">
          <input type="checkbox" checked={perOutput} onChange={(e) => editTraining({ loss: e.target.checked ? Object.fromEntries(outputs.map((o) => [o.node, typeof config.loss === 'string' ? config.loss : LOSSES[0]])) : LOSSES[0] })} /> a loss per output
        </label>
      )}
      {hasSampling && <div className="nbt-note">The Sampling block adds the VAE’s KL term to the loss automatically.</div>}
    </section>
  );
}

// ---------- Run ----------

function RunSection({ config, fit }: { config: TrainingConfig; fit: FitIssue[] | null }) {
  const run = useTrain((s) => s.run);
  const runNote = useTrain((s) => s.runNote);
  const last = useTrain((s) => s.last);
  const source = useTrain((s) => s.source);
  const message = useTrain((s) => s.message);
  const nan = useTrain((s) => s.nanWeights);
  const hasModel = useTrain((s) => !!s.result && s.result.status !== 'nan');
  const [more, setMore] = useState(2);
  const [restart, setRestart] = useState(false);
  const analysisOk = useStore((s) => s.analysis.ok);
  const canStart = run === 'idle' && !!source && analysisOk && !!fit && fit.length === 0;
  const startRun = () => {
    if (fit && fit.length) {
      markNodes(fit.map((i) => i.node).filter((x): x is string => !!x));
      toast('The data does not fit the graph: see the Data section.', 'error');
      return;
    }
    resetRun();
    const s = getState();
    client().start({ graph: s.doc, config, source: source! });
  };
  const training = run === 'training' || run === 'paused' || run === 'stopping' || run === 'loading';
  return (
    <section className="nbt-section">
      <div className="nbt-controls wrap">
        <button className="nb-btn primary" disabled={!canStart} onClick={startRun} data-testid="train-start">
          ▶ Train
        </button>
        {run === 'paused' ? (
          <button className="nb-btn" onClick={() => client().resume()} data-testid="train-resume">
            ▶ Resume
          </button>
        ) : (
          <button className="nb-btn" disabled={run !== 'training'} onClick={() => client().pause()} data-testid="train-pause">
            ❚❚ Pause
          </button>
        )}
        <button className="nb-btn" disabled={!training || run === 'stopping'} onClick={() => client().stop()} data-testid="train-stop">
          ■ Stop
        </button>
        <span className="nb-spacer" />
        <input className="nbt-input narrow" value={more} onChange={(e) => setMore(Math.max(1, Math.floor(Number(e.target.value)) || 1))} title="Epochs to add" data-testid="train-more-epochs" />
        <button
          className="nb-btn"
          disabled={run !== 'idle' || !hasModel}
          onClick={() => {
            // The curves and the epoch count carry on; only the last run's message goes.
            setTrain({ message: undefined });
            client().more(more, config, restart && config.lrSchedule === 'cosine');
          }}
          data-testid="train-more"
          title="Continue training: the optimizer's state, the data order and the learning rate carry on from where the run ended"
        >
          + Train more
        </button>
        {config.lrSchedule === 'cosine' && (
          <label
            className="nbt-check"
            title="Off: the extra epochs stay at the rate the cosine schedule ended at, so the model keeps improving. On: the schedule starts again from the full learning rate (a warm restart) — the model first gets worse, and can end better after several epochs."
          >
            <input type="checkbox" checked={restart} onChange={(e) => setRestart(e.target.checked)} data-testid="train-more-restart" /> restart schedule
          </label>
        )}
      </div>
      {(training || last) && (
        <div className="nbt-progress" data-testid="train-progress">
          <div className="nbt-bar">
            <div style={{ width: `${((last?.progress ?? 0) * 100).toFixed(1)}%` }} />
          </div>
          <div className="nbt-progress-text">
            {run === 'loading' ? (
              <span>{runNote ?? 'starting'}…</span>
            ) : last ? (
              <>
                <span>
                  epoch {last.epoch + 1} · batch {last.batch + 1}/{last.batchesPerEpoch}
                </span>
                <span>{Math.round(last.examplesPerSec)} ex/s</span>
                <span>{run === 'idle' ? 'done' : run === 'paused' ? 'paused' : run === 'stopping' ? 'stopping: finishing this batch, then testing the model…' : `ETA ${fmtSecs(last.etaSec)}`}</span>
              </>
            ) : (
              <span>compiling shaders…</span>
            )}
          </div>
        </div>
      )}
      {message && (
        <div className={`nbt-note ${message.kind}`} data-testid="train-message">
          {message.text}
          {nan && (
            <div className="nbt-row" style={{ marginTop: 6 }}>
              <button
                className="nb-btn small"
                data-testid="keep-last-good"
                onClick={() => {
                  setTrain({ weights: nan, nanWeights: undefined, weightsNote: 'last good weights before the NaN', weightsDocId: getState().docId });
                  void persistWeights(getState().docId, nan, 'last good weights before the NaN');
                  toast('Kept the last good weights.', 'success');
                }}
              >
                Keep the last good weights
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function ChartsSection() {
  const batches = useTrain((s) => s.batches);
  const epochs = useTrain((s) => s.epochs);
  const last = useTrain((s) => s.last);
  if (!batches.length) return null;
  const bpe = last?.batchesPerEpoch ?? 1;
  const ep = (f: (e: (typeof epochs)[number]) => number | undefined) => epochs.filter((e) => f(e) !== undefined).map((e) => [(e.epoch + 1) * bpe, f(e)!] as [number, number]);
  const hasAcc = batches.some((b) => b.acc !== undefined);
  return (
    <section className="nbt-section" data-testid="train-charts">
      <h4>Loss</h4>
      <LineChart
        testId="loss-chart"
        xLabel="batch"
        series={[
          { name: 'train (batch)', color: 'rgba(76,141,255,0.55)', points: batches.map((b) => [b.step, b.loss]) },
          { name: 'train (epoch)', color: '#4c8dff', points: ep((e) => e.loss), dots: true },
          { name: 'validation', color: '#f5a524', points: ep((e) => e.valLoss), dots: true, dashed: true },
        ]}
      />
      {hasAcc && (
        <>
          <h4>Accuracy</h4>
          <LineChart
            testId="acc-chart"
            xLabel="batch"
            yMin={0}
            yMax={1}
            series={[
              { name: 'train (batch)', color: 'rgba(70,192,122,0.5)', points: batches.filter((b) => b.acc !== undefined).map((b) => [b.step, b.acc!]) },
              { name: 'train (epoch)', color: '#46c07a', points: ep((e) => e.accuracy), dots: true },
              { name: 'validation', color: '#f5a524', points: ep((e) => e.valAccuracy), dots: true, dashed: true },
            ]}
          />
        </>
      )}
    </section>
  );
}

function ResultsSection() {
  const ev = useTrain((s) => s.evaluation);
  const meta = useTrain((s) => s.meta);
  const result = useTrain((s) => s.result);
  if (!ev) return null;
  return (
    <section className="nbt-section" data-testid="test-results">
      <h4>Test set</h4>
      <div className="nbt-facts big">
        {ev.accuracy !== undefined && (
          <span>
            accuracy <b data-testid="test-accuracy">{pct(ev.accuracy)}</b>
          </span>
        )}
        {ev.exactMatch !== undefined && (
          <span>
            exact match <b>{pct(ev.exactMatch)}</b>
          </span>
        )}
        <span>
          loss <b data-testid="test-loss">{ev.loss.toFixed(4)}</b>
        </span>
        <span>
          examples <b>{ev.n}</b>
        </span>
        {result && (
          <span>
            time <b>{fmtSecs(result.seconds)}</b>
          </span>
        )}
      </div>
      {ev.confusion && <ConfusionMatrix m={ev.confusion} labels={meta?.dataset.classNames ?? ev.confusion.map((_, i) => String(i))} />}
    </section>
  );
}

// ---------- Try it ----------

function Bars({ probs, labels }: { probs: ArrayLike<number>; labels: string[] }) {
  const idx = Array.from({ length: probs.length }, (_, i) => i).sort((a, b) => probs[b]! - probs[a]!);
  return (
    <div className="nbt-bars" data-testid="prediction-bars">
      {idx.slice(0, 5).map((i, k) => (
        <div key={i} className={`nbt-barrow${k === 0 ? ' top' : ''}`} data-class={i} data-p={probs[i]}>
          <span className="nbt-barlabel">{labels[i] ?? i}</span>
          <span className="nbt-barfill">
            <i style={{ width: `${(probs[i]! * 100).toFixed(1)}%` }} />
          </span>
          <span className="mono">{(probs[i]! * 100).toFixed(1)}%</span>
        </div>
      ))}
    </div>
  );
}

function ProbeViews({ pred, srcLabels, tgtLabels }: { pred: Prediction; srcLabels?: string[]; tgtLabels?: string[] }) {
  const filters = pred.probes.find((p) => p.kind === 'filters');
  const acts = pred.probes.find((p) => p.kind === 'activations');
  const attn = pred.probes.find((p) => p.kind === 'attention');
  return (
    <>
      {filters && filters.shape.length === 4 && (
        <div className="nbt-probe" data-testid="conv-filters">
          <div className="nbt-sub">First conv layer “{filters.node}”: {filters.shape[3]} filters ({filters.shape[0]}×{filters.shape[1]})</div>
          <div className="nbt-thumbs tight">
            {Array.from({ length: Math.min(32, filters.shape[3]!) }, (_, f) => {
              const [kh, kw, cin, cout] = filters.shape as [number, number, number, number];
              const d = new Float32Array(kh * kw);
              for (let i = 0; i < kh * kw; i++) for (let c = 0; c < cin; c++) d[i]! += filters.data[(i * cin + c) * cout + f]!;
              return <PixelView key={f} data={d} h={kh} w={kw} size={26} diverging title={`filter ${f}`} />;
            })}
          </div>
        </div>
      )}
      {acts && acts.shape.length === 4 && (
        <div className="nbt-probe" data-testid="conv-activations">
          <div className="nbt-sub">Activations of “{acts.node}” for this input</div>
          <div className="nbt-thumbs tight">
            {Array.from({ length: Math.min(32, acts.shape[3]!) }, (_, f) => {
              const [, h, w, C] = acts.shape as [number, number, number, number];
              const d = new Float32Array(h * w);
              for (let i = 0; i < h * w; i++) d[i] = acts.data[i * C + f]!;
              return <PixelView key={f} data={d} h={h} w={w} size={38} normalize title={`channel ${f}`} />;
            })}
          </div>
        </div>
      )}
      {attn && attn.shape.length >= 3 && (
        <div className="nbt-probe">
          <div className="nbt-sub">Attention weights of “{attn.node}” (rows: output steps, columns: input steps)</div>
          <Heatmap data={attn.data.subarray(0, attn.shape[attn.shape.length - 2]! * attn.shape[attn.shape.length - 1]!)} rows={Math.min(attn.shape[attn.shape.length - 2]!, tgtLabels?.length ?? Infinity)} cols={attn.shape[attn.shape.length - 1]!} rowLabels={tgtLabels ?? []} colLabels={srcLabels ?? []} />
        </div>
      )}
    </>
  );
}

function TryItSection() {
  const meta = useTrain((s) => s.meta);
  const hasModel = useTrain((s) => !!s.weights);
  const [pred, setPred] = useState<Prediction | null>(null);
  const [picked, setPicked] = useState<number | null>(null);
  const [word, setWord] = useState('');
  const [decoded, setDecoded] = useState<{ text: string; src: string[]; tgt: string[] } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [row, setRow] = useState<string | null>(null);
  if (!meta || !hasModel) return null;
  const d = meta.dataset;
  const x0 = d.train.x[0]!;
  const width = x0.shape.reduce((a, b) => a * b, 1);
  const labels = d.classNames ?? Array.from({ length: d.numClasses ?? 0 }, (_, i) => String(i));
  const isImage = meta.preview.kind === 'images';
  const run = (inputs: Float32Array) =>
    client()
      .predict([{ shape: x0.shape, dtype: 'float32', data: inputs }])
      .then((p) => {
        setPred(p);
        setErr(null);
      })
      .catch((e: Error) => setErr(e.message));
  const probs = pred?.outputs[0] && pred.outputs[0].shape.length === 2 ? pred.outputs[0].data : null;
  return (
    <section className="nbt-section" data-testid="try-it">
      <h4>Try it</h4>
      {isImage && meta.preview.kind === 'images' && (
        <>
          <div className="nbt-tryrow">
            {x0.shape[0] === x0.shape[1] && x0.shape[2] === 1 && (
              <div>
                <div className="nbt-sub">Draw</div>
                <DrawPad
                  size={x0.shape[0]!}
                  onImage={(px) => {
                    setPicked(null);
                    void run(px);
                  }}
                />
              </div>
            )}
            <div style={{ flex: 1 }}>
              <div className="nbt-sub">…or pick a test image</div>
              <div className="nbt-thumbs tight">
                {meta.preview.items.map((it, i) => (
                  <PixelView
                    key={i}
                    data={it.pixels}
                    h={meta.preview.kind === 'images' ? meta.preview.h : 0}
                    w={meta.preview.kind === 'images' ? meta.preview.w : 0}
                    c={meta.preview.kind === 'images' ? meta.preview.c : 1}
                    size={34}
                    selected={picked === i}
                    testId={`pick-${i}`}
                    onClick={() => {
                      setPicked(i);
                      void run(it.pixels);
                    }}
                  />
                ))}
              </div>
              {probs && <Bars probs={probs} labels={labels} />}
            </div>
          </div>
          {pred && <ProbeViews pred={pred} />}
        </>
      )}
      {d.task === 'seq2seq' && d.vocab && (
        <>
          <div className="nbt-row">
            <input className="nbt-input" placeholder={`type an input, e.g. ${meta.preview.kind === 'pairs' ? meta.preview.pairs[0]?.[0] : ''}`} value={word} onChange={(e) => setWord(e.target.value)} data-testid="seq-input" />
            <button
              className="nb-btn"
              data-testid="seq-decode"
              onClick={() => {
                const sv = d.sourceVocab ?? d.vocab!;
                const { ids, unknown } = tokenize(word, sv);
                if (unknown.length) return setErr(`not in the input vocabulary: ${unknown.join(' ')}`);
                if (meta.decoderStart === undefined) return setErr('this data gives no decoder input to read the start token from');
                client()
                  .decode(Int32Array.from(ids), d.train.x[1]?.shape[0] ?? 20, meta.decoderStart, d.vocab!.indexOf('</s>'))
                  .then(({ tokens, prediction }) => {
                    setDecoded({ text: detokenize(tokens, d.vocab!), src: ids.map((i) => sv[i]!), tgt: tokens.map((t) => d.vocab![t]!) });
                    setPred(prediction);
                    setErr(null);
                  })
                  .catch((e: Error) => setErr(e.message));
              }}
            >
              Decode
            </button>
          </div>
          {decoded && (
            <div className="nbt-note good mono" data-testid="seq-output">
              → {decoded.text || '(empty)'}
            </div>
          )}
          {pred && decoded && <ProbeViews pred={pred} srcLabels={decoded.src} tgtLabels={decoded.tgt} />}
        </>
      )}
      {!isImage && meta.preview.kind === 'rows' && x0.dtype === 'float32' && (
        <>
          <div className="nbt-sub">
            {width} input value{width === 1 ? '' : 's'}, as the model sees them (numeric columns standardised, categorical ones one-hot)
          </div>
          <div className="nbt-row">
            <input className="nbt-input" value={row ?? new Array(width).fill(0).join(', ')} onChange={(e) => setRow(e.target.value)} data-testid="row-input" />
            <button
              className="nb-btn"
              data-testid="row-predict"
              onClick={() => {
                const text = row ?? new Array(width).fill(0).join(', ');
                const vals = text.split(/[\s,;]+/).filter(Boolean).map(Number);
                if (vals.length !== width || vals.some((v) => !Number.isFinite(v))) return setErr(`type ${width} numbers separated by commas (got ${JSON.stringify(text)})`);
                void run(Float32Array.from(vals));
              }}
            >
              Predict
            </button>
          </div>
          {probs && <Bars probs={probs} labels={labels} />}
          {!probs && pred?.outputs[0] && (
            <div className="nbt-note mono" data-testid="row-output">
              → {Array.from(pred.outputs[0].data.slice(0, 8), (v) => v.toPrecision(4)).join(', ')}
            </div>
          )}
        </>
      )}
      {err && <div className="nbt-note error">{err}</div>}
    </section>
  );
}

// ---------- Keep and take away ----------

function ModelSection() {
  const weights = useTrain((s) => s.weights);
  const note = useTrain((s) => s.weightsNote);
  const ort = useTrain((s) => s.ort);
  const busy = useTrain((s) => s.busy);
  const run = useTrain((s) => s.run);
  const docName = useStore((s) => s.doc.name ?? 'model');
  const fileRef = useRef<HTMLInputElement>(null);
  const base = docName.replace(/[^A-Za-z0-9_-]+/g, '-').toLowerCase() || 'model';
  const doBusy = async (what: string, fn: () => Promise<void>) => {
    setTrain({ busy: what });
    try {
      await fn();
    } catch (e) {
      toast(`${what} failed: ${(e as Error).message}`, 'error');
      setTrain({ message: { kind: 'error', text: `${what} failed: ${(e as Error).message}` } });
    } finally {
      setTrain({ busy: undefined });
    }
  };
  const upload = async (list: File[]) => {
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
  };
  return (
    <section className="nbt-section">
      <h4>Model</h4>
      <div className="nbt-note" data-testid="weights-note">
        {weights ? `Weights: ${note ?? 'trained'} · kept with this graph in the browser` : 'No trained weights yet.'}
      </div>
      <div className="nbt-controls wrap">
        <button
          className="nb-btn"
          disabled={!weights || !!busy}
          data-testid="download-tfjs"
          onClick={() =>
            doBusy('Download', async () => {
              const w = await client().getWeights();
              download('model.json', JSON.stringify(w.modelJson), 'application/json');
              download('weights.bin', w.weights);
            })
          }
        >
          ⤓ tfjs model
        </button>
        <button className="nb-btn" disabled={run !== 'idle' || !!busy} onClick={() => fileRef.current?.click()} data-testid="upload-tfjs">
          ⤒ Load weights…
        </button>
        <input ref={fileRef} type="file" multiple accept=".json,.bin" hidden data-testid="upload-tfjs-input" onChange={(e) => {
            const list = [...(e.target.files ?? [])];
            e.target.value = ''; // choosing the same files again must fire again
            if (list.length) void doBusy('Loading weights', () => upload(list));
          }}
        />
        <button
          className="nb-btn"
          disabled={!weights || !!busy}
          data-testid="export-onnx"
          onClick={() =>
            doBusy('ONNX export', async () => {
              const bytes = await client().exportOnnx();
              download(`${base}.onnx`, bytes as BlobPart);
              toast(`Exported ${base}.onnx (${(bytes.length / 1024).toFixed(0)} KB).`, 'success');
            })
          }
        >
          ⤓ Export ONNX
        </button>
        <button
          className="nb-btn"
          disabled={!weights || !!busy || run !== 'idle'}
          data-testid="run-ort"
          onClick={() =>
            doBusy('ONNX Runtime check', async () => {
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
            })
          }
        >
          ▶ Run in ONNX Runtime
        </button>
      </div>
      {busy && <div className="nbt-note">{busy}…</div>}
      {ort && (
        <div className={`nbt-ort ${ort.maxDiff <= 1e-4 ? 'good' : 'bad'}`} data-testid="ort-result">
          <div>
            onnxruntime-web ({ort.provider === 'webgpu' ? 'WebGPU' : 'WASM'}) on {ort.n} test inputs: largest difference from tfjs <b data-testid="ort-diff">{ort.maxDiff.toExponential(2)}</b> {ort.maxDiff <= 1e-4 ? '✓' : '✗ (> 1e-4)'}
          </div>
          <div>
            latency for the batch: ORT <b>{ort.ortMs.toFixed(2)} ms</b> · tfjs <b>{ort.tfjsMs.toFixed(2)} ms</b>
          </div>
          {ort.fallbackReason && <div className="nb-muted">WebGPU provider not used: {ort.fallbackReason}</div>}
        </div>
      )}
    </section>
  );
}

/** On opening a graph: bring back its kept weights (trained earlier, before a reload). */
function useRestore() {
  const docId = useStore((s) => s.docId);
  useEffect(() => {
    if (getTrain().weightsDocId === docId) return;
    setTrain({ weights: undefined, weightsNote: undefined, weightsDocId: undefined, evaluation: undefined, result: undefined, batches: [], epochs: [], last: undefined, ort: undefined });
    let alive = true;
    void restoreWeights(docId).then(async (w) => {
      if (!alive || !w) return;
      const s = getState();
      try {
        await client().loadWeights(s.doc, parseTrainingConfig(s.doc.training).config, { modelJson: w.modelJson, weights: w.weights });
        if (alive) setTrain({ weights: { modelJson: w.modelJson, weights: w.weights }, weightsNote: `${w.note} — restored`, weightsDocId: docId });
      } catch (e) {
        if (alive) setTrain({ message: { kind: 'warn', text: `The kept weights no longer fit this graph (${(e as Error).message}); train again.` } });
      }
    });
    return () => {
      alive = false;
    };
  }, [docId]);
}

export default function TrainPanel() {
  const { config, issues } = useConfig();
  const fit = useFitIssues(config);
  useRestore();
  return (
    <div className="nbt" data-testid="train-panel">
      <BackendSection />
      <DataSection config={config} fit={fit} />
      {/* The ▶ Train controls right after the data, above the config's many fields (in view at 1440×900). */}
      <RunSection config={config} fit={fit} />
      <ConfigSection config={config} issues={issues} />
      <ChartsSection />
      <GradFlowSection />
      <ResultsSection />
      <RunsSection />
      <ExperimentsSection />
      <TryItSection />
      <ModelSection />
    </div>
  );
}
