// The Train panel's Model section: the kept weights, tfjs download and upload, ONNX export and the
// check in onnxruntime-web.
import { useRef } from 'react';
import { useStore } from '../../store';
import { useTrain } from '../trainState';
import { checkInOrt, downloadOnnx, downloadTfjs, uploadWeights, whileBusy } from '../actions';

export function ModelSection() {
  const weights = useTrain((s) => s.weights);
  const note = useTrain((s) => s.weightsNote);
  const ort = useTrain((s) => s.ort);
  const busy = useTrain((s) => s.busy);
  const run = useTrain((s) => s.run);
  const docName = useStore((s) => s.doc.name ?? 'model');
  const fileRef = useRef<HTMLInputElement>(null);
  const base = docName.replace(/[^A-Za-z0-9_-]+/g, '-').toLowerCase() || 'model';
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
          onClick={() => whileBusy('Download', downloadTfjs)}
        >
          ⤓ tfjs model
        </button>
        <button className="nb-btn" disabled={run !== 'idle' || !!busy} onClick={() => fileRef.current?.click()} data-testid="upload-tfjs">
          ⤒ Load weights…
        </button>
        <input ref={fileRef} type="file" multiple accept=".json,.bin" hidden data-testid="upload-tfjs-input" onChange={(e) => {
            const list = [...(e.target.files ?? [])];
            e.target.value = ''; // choosing the same files again must fire again
            if (list.length) void whileBusy('Loading weights', () => uploadWeights(list));
          }}
        />
        <button
          className="nb-btn"
          disabled={!weights || !!busy}
          data-testid="export-onnx"
          onClick={() => whileBusy('ONNX export', () => downloadOnnx(base))}
        >
          ⤓ Export ONNX
        </button>
        <button
          className="nb-btn"
          disabled={!weights || !!busy || run !== 'idle'}
          data-testid="run-ort"
          onClick={() => whileBusy('ONNX Runtime check', checkInOrt)}
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
