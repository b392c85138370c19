// Small plain-SVG and canvas views for the training panel: line charts, the confusion matrix,
// image thumbnails, heatmaps (attention maps, filters, activations) and a drawing pad.
import { useEffect, useRef } from 'react';

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  dots?: boolean;
}

function niceTicks(lo: number, hi: number, n = 4): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(10)));
  return out;
}

const fmtTick = (v: number) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(v % 1000 ? 1 : 0)}k` : Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(0) : String(Number(v.toPrecision(3))));

export function LineChart({ series, height = 150, yMin, yMax, xLabel, testId }: { series: Series[]; height?: number; yMin?: number; yMax?: number; xLabel?: string; testId?: string }) {
  const W = 400;
  const H = height;
  const pad = { l: 38, r: 8, t: 8, b: 20 };
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter(Number.isFinite);
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs, x0 + 1) : 1;
  let y0 = yMin ?? (ys.length ? Math.min(...ys) : 0);
  let y1 = yMax ?? (ys.length ? Math.max(...ys) : 1);
  if (y1 - y0 < 1e-9) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const sx = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const sy = (y: number) => pad.t + (1 - (y - y0) / (y1 - y0)) * (H - pad.t - pad.b);
  return (
    <div className="nbt-chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" width="100%" height={H}>
        {niceTicks(y0, y1).map((t) => (
          <g key={`y${t}`}>
            <line x1={pad.l} x2={W - pad.r} y1={sy(t)} y2={sy(t)} className="nbt-gridline" />
            <text x={pad.l - 4} y={sy(t) + 3} className="nbt-tick" textAnchor="end">
              {fmtTick(t)}
            </text>
          </g>
        ))}
        {niceTicks(x0, x1, 5).map((t) => (
          <text key={`x${t}`} x={sx(t)} y={H - 5} className="nbt-tick" textAnchor="middle">
            {fmtTick(t)}
          </text>
        ))}
        {xLabel && (
          <text x={W - pad.r} y={H - 5} className="nbt-tick" textAnchor="end">
            {xLabel}
          </text>
        )}
        {series.map((s) =>
          s.points.length ? (
            <g key={s.name} data-series={s.name} data-n={s.points.length} data-last-x={s.points[s.points.length - 1]![0]}>
              <polyline
                fill="none"
                stroke={s.color}
                strokeWidth={1.6}
                strokeDasharray={s.dashed ? '4 3' : undefined}
                vectorEffect="non-scaling-stroke"
                points={s.points.filter((p) => Number.isFinite(p[1])).map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ')}
              />
              {s.dots && s.points.map((p, i) => <circle key={i} cx={sx(p[0])} cy={sy(p[1])} r={2.5} fill={s.color} />)}
            </g>
          ) : null,
        )}
      </svg>
      <div className="nbt-legend">
        {series.map((s) => (
          <span key={s.name}>
            <i style={{ background: s.color, opacity: s.dashed ? 0.6 : 1 }} />
            {s.name}
            {s.points.length ? <b> {s.points[s.points.length - 1]![1].toFixed(4)}</b> : null}
          </span>
        ))}
      </div>
    </div>
  );
}

export function ConfusionMatrix({ m, labels }: { m: number[][]; labels: string[] }) {
  const rowMax = m.map((r) => Math.max(1, r.reduce((a, b) => a + b, 0)));
  const short = (s: string) => (s.length > 6 ? `${s.slice(0, 5)}…` : s);
  return (
    <div className="nbt-confusion" data-testid="confusion-matrix">
      <table>
        <thead>
          <tr>
            <th className="nbt-cm-corner">true ↓ / pred →</th>
            {labels.map((l, j) => (
              <th key={j} title={l}>
                {short(l)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.map((row, i) => (
            <tr key={i}>
              <th title={labels[i]}>{short(labels[i] ?? String(i))}</th>
              {row.map((v, j) => {
                const f = v / rowMax[i]!;
                const bg = i === j ? `rgba(70, 192, 122, ${0.12 + 0.8 * f})` : v ? `rgba(255, 92, 92, ${0.15 + 0.85 * f})` : 'transparent';
                return (
                  <td key={j} style={{ background: bg }} title={`true ${labels[i]}, predicted ${labels[j]}: ${v}`}>
                    {v || ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Draws h×w×c values in [0,1] (or normalised from [min,max]) onto a canvas, scaled up. */
export function PixelView({ data, h, w, c = 1, size = 56, normalize = false, diverging = false, title, onClick, selected, testId }: { data: ArrayLike<number>; h: number; w: number; c?: number; size?: number; normalize?: boolean; diverging?: boolean; title?: string; onClick?: () => void; selected?: boolean; testId?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const cv = ref.current;
    if (!cv) return;
    cv.width = w;
    cv.height = h;
    const ctx = cv.getContext('2d')!;
    const img = ctx.createImageData(w, h);
    let lo = 0;
    let hi = 1;
    if (normalize || diverging) {
      lo = Infinity;
      hi = -Infinity;
      for (let i = 0; i < h * w * c; i++) {
        lo = Math.min(lo, data[i]!);
        hi = Math.max(hi, data[i]!);
      }
      if (diverging) {
        const a = Math.max(Math.abs(lo), Math.abs(hi), 1e-9);
        lo = -a;
        hi = a;
      }
      if (hi - lo < 1e-9) hi = lo + 1;
    }
    for (let p = 0; p < h * w; p++) {
      const px = (k: number) => Math.max(0, Math.min(1, (data[p * c + k]! - lo) / (hi - lo)));
      if (diverging) {
        const v = px(0) * 2 - 1;
        img.data[p * 4] = v > 0 ? 255 * (0.15 + 0.85 * v) : 40;
        img.data[p * 4 + 1] = 40 + 60 * (1 - Math.abs(v));
        img.data[p * 4 + 2] = v < 0 ? 255 * (0.15 - 0.85 * v) : 40;
      } else if (c >= 3) {
        img.data[p * 4] = 255 * px(0);
        img.data[p * 4 + 1] = 255 * px(1);
        img.data[p * 4 + 2] = 255 * px(2);
      } else {
        const v = 255 * px(0);
        img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = v;
      }
      img.data[p * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [data, h, w, c, normalize, diverging]);
  const aspect = w / h;
  return (
    <canvas
      ref={ref}
      className={`nbt-pixels${onClick ? ' clickable' : ''}${selected ? ' selected' : ''}`}
      style={{ width: aspect >= 1 ? size : size * aspect, height: aspect >= 1 ? size / aspect : size }}
      title={title}
      onClick={onClick}
      data-testid={testId}
    />
  );
}

/** A map of weights (rows × cols) in [0,1] with row and column labels: attention scores. */
export function Heatmap({ data, rows, cols, rowLabels, colLabels }: { data: ArrayLike<number>; rows: number; cols: number; rowLabels: string[]; colLabels: string[] }) {
  const cell = Math.max(12, Math.min(26, Math.floor(300 / Math.max(cols, 1))));
  return (
    <div className="nbt-heatmap" data-testid="attention-heatmap" data-rows={rows} data-cols={cols}>
      <table>
        <thead>
          <tr>
            <th />
            {colLabels.slice(0, cols).map((l, j) => (
              <th key={j} style={{ width: cell }}>
                {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i}>
              <th>{rowLabels[i] ?? ''}</th>
              {Array.from({ length: cols }, (_, j) => {
                const v = data[i * cols + j]!;
                return <td key={j} style={{ width: cell, height: cell, background: `rgba(76, 141, 255, ${Math.min(1, v).toFixed(3)})` }} title={v.toFixed(3)} data-v={v} />;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A drawing pad: white strokes on black, read out as a size×size grey image in [0,1]. */
export function DrawPad({ size, onImage }: { size: number; onImage(pixels: Float32Array): void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const S = 168;
  useEffect(() => {
    const ctx = ref.current!.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, S, S);
  }, []);
  const read = () => {
    const src = ref.current!;
    const tmp = document.createElement('canvas');
    tmp.width = size;
    tmp.height = size;
    const t = tmp.getContext('2d')!;
    // MNIST digits sit in the middle 20×20 of the 28×28 frame: keep a margin when shrinking.
    t.fillStyle = '#000';
    t.fillRect(0, 0, size, size);
    t.imageSmoothingQuality = 'high';
    t.drawImage(src, 0, 0, size, size);
    const d = t.getImageData(0, 0, size, size).data;
    const px = new Float32Array(size * size);
    for (let i = 0; i < px.length; i++) px[i] = d[i * 4]! / 255;
    onImage(px);
  };
  const pos = (e: React.PointerEvent) => {
    const r = ref.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * S, y: ((e.clientY - r.top) / r.height) * S };
  };
  const stroke = (e: React.PointerEvent) => {
    const ctx = ref.current!.getContext('2d')!;
    const p = pos(e);
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(p.x, p.y, 9, 0, Math.PI * 2);
    ctx.fill();
  };
  return (
    <div className="nbt-drawpad">
      <canvas
        ref={ref}
        width={S}
        height={S}
        data-testid="draw-pad"
        onPointerDown={(e) => {
          drawing.current = true;
          (e.target as HTMLCanvasElement).setPointerCapture(e.pointerId);
          stroke(e);
        }}
        onPointerMove={(e) => drawing.current && stroke(e)}
        onPointerUp={() => {
          drawing.current = false;
          read();
        }}
      />
      <button
        className="nb-btn"
        onClick={() => {
          const ctx = ref.current!.getContext('2d')!;
          ctx.fillStyle = '#000';
          ctx.fillRect(0, 0, S, S);
        }}
      >
        Clear
      </button>
    </div>
  );
}
