// What the Try-it panel shows of one prediction: the top classes as bars, the first conv layer's
// filters and activations, and an attention heatmap.
import type { Prediction } from '../../../train/protocol';
import { Heatmap, PixelView } from '../Charts';

/** `shown` says which request the bars answer (data-n, data-source), so a reader can wait for a fresh one. */
export function Bars({ probs, labels, shown }: { probs: ArrayLike<number>; labels: string[]; shown?: { n: number; source: string } }) {
  const idx = Array.from({ length: probs.length }, (_, i) => i).sort((a, b) => probs[b]! - probs[a]!);
  return (
    <div className="nbt-bars" data-testid="prediction-bars" data-n={shown?.n} data-source={shown?.source}>
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

export function ProbeViews({ pred, srcLabels, tgtLabels }: { pred: Prediction; srcLabels?: string[]; tgtLabels?: string[] }) {
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
