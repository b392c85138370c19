// The Train panel's Backend section: which backend trains, why, and any fallback after a lost device.
import { useEffect } from 'react';
import { BACKEND_LABELS, type BackendChoice } from '../../../train/backends';
import { useTrain } from '../trainState';
import { pickBackend, startBackend } from '../actions';

export function BackendSection() {
  const choice = useTrain((s) => s.backendChoice);
  const info = useTrain((s) => s.backend);
  const fallbacks = useTrain((s) => s.fallbacks);
  const run = useTrain((s) => s.run);
  useEffect(startBackend, []);
  return (
    <section className="nbt-section">
      <div className="nbt-row">
        <h4>Backend</h4>
        <span className={`nbt-backend ${info ? info.name : 'pending'}`} data-testid="backend-indicator" title={info?.summary}>
          {info ? BACKEND_LABELS[info.name] : 'starting…'}
        </span>
        <select value={choice} disabled={run !== 'idle'} onChange={(e) => pickBackend(e.target.value as BackendChoice)} data-testid="backend-select" className="nbt-select small">
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
