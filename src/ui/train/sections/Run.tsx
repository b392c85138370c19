// The Train panel's run controls: train, pause, resume, stop, train more; progress and the run's message.
import { useState } from 'react';
import { useStore } from '../../store';
import type { TrainingConfig } from '../../../train/config';
import type { FitIssue } from '../../../train/loop';
import { client, setTrain, useTrain } from '../trainState';
import { keepLastGood, startRun } from '../actions';
import { fmtSecs } from '../format';

export function RunSection({ config, fit }: { config: TrainingConfig; fit: FitIssue[] | null }) {
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
  const training = run === 'training' || run === 'paused' || run === 'stopping' || run === 'loading';
  return (
    <section className="nbt-section">
      <div className="nbt-controls wrap">
        <button className="nb-btn primary" disabled={!canStart} onClick={() => startRun(config, fit, source!)} data-testid="train-start">
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
                onClick={() => keepLastGood(nan)}
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
