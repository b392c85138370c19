// The Train panel's gradient-flow section: per block, over the run, the gradient norm (or the
// update/weight ratio, or its output's spread or dead fraction) on a log scale, one line per
// block from the input side (blue) to the output side (red); flags for vanishing and exploding
// gradients naming the blocks; and the latest numbers per block.
import { useEffect, useState } from 'react';
import type { BlockFlow, GradFlowSample } from '../../train/gradFlow';
import { powerOfTen } from '../../train/gradFlow';
import { client } from './trainState';
import { listenGradFlow, useGradFlow } from './gradFlowState';
import './insight.css';

const METRICS = {
  grad: { label: 'gradient norm', get: (b: BlockFlow) => b.gradNorm, log: true },
  update: { label: 'update / weight', get: (b: BlockFlow) => b.updateRatio, log: true },
  std: { label: 'output std', get: (b: BlockFlow) => b.act?.std, log: true },
  zeros: { label: 'output zeros (dead ReLUs)', get: (b: BlockFlow) => b.act?.zeros, log: false },
} as const;
type Metric = keyof typeof METRICS;

/** Input side blue → output side red. */
export function blockColor(i: number, n: number): string {
  const t = n > 1 ? i / (n - 1) : 0;
  return `hsl(${Math.round(220 - 215 * t)}, 75%, 60%)`;
}

interface Line {
  name: string;
  color: string;
  points: [number, number][];
}

/** A line chart whose y axis is log10 (ticks at powers of ten) or linear in [0, 1]. */
export function FlowChart({ lines, log, testId, xLabel = 'batch' }: { lines: Line[]; log: boolean; testId?: string; xLabel?: string }) {
  const W = 400;
  const H = 170;
  const pad = { l: 40, r: 8, t: 8, b: 20 };
  const tr = (v: number) => (log ? Math.log10(v) : v);
  const pts = lines.flatMap((l) => l.points).filter((p) => Number.isFinite(tr(p[1])));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => tr(p[1]));
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = Math.max(x0 + 1, ...xs);
  let y0 = log ? Math.floor(ys.length ? Math.min(...ys) : -3) : 0;
  let y1 = log ? Math.ceil(ys.length ? Math.max(...ys) : 0) : 1;
  if (y1 <= y0) [y0, y1] = [y0 - 1, y1 + 1];
  const sx = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const sy = (y: number) => pad.t + (1 - (y - y0) / (y1 - y0)) * (H - pad.t - pad.b);
  const step = Math.max(1, Math.ceil((y1 - y0) / 6));
  const ticks: number[] = [];
  for (let t = y0; t <= y1; t += log ? step : 0.25) ticks.push(t);
  return (
    <div className="nbt-chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" width="100%" height={H}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={W - pad.r} y1={sy(t)} y2={sy(t)} className="nbt-gridline" />
            <text x={pad.l - 4} y={sy(t) + 3} className="nbt-tick" textAnchor="end">
              {log ? powerOfTen(10 ** t) : t.toFixed(2)}
            </text>
          </g>
        ))}
        <text x={W - pad.r} y={H - 5} className="nbt-tick" textAnchor="end">
          {xLabel} {Math.round(x1)}
        </text>
        {lines.map((l) => (
          <polyline
            key={l.name}
            data-series={l.name}
            data-n={l.points.length}
            fill="none"
            stroke={l.color}
            strokeWidth={1.6}
            vectorEffect="non-scaling-stroke"
            points={l.points
              .filter((p) => Number.isFinite(tr(p[1])))
              .map((p) => `${sx(p[0]).toFixed(1)},${sy(tr(p[1])).toFixed(1)}`)
              .join(' ')}
          />
        ))}
      </svg>
      <div className="nbt-legend">
        {lines.map((l) => (
          <span key={l.name}>
            <i style={{ background: l.color }} />
            {l.name}
          </span>
        ))}
      </div>
    </div>
  );
}

function linesOf(samples: GradFlowSample[], metric: Metric): Line[] {
  const last = samples[samples.length - 1];
  const nodes = last?.blocks.map((b) => b.node) ?? [];
  const get = METRICS[metric].get;
  return nodes.map((node, i) => ({
    name: node,
    color: blockColor(i, nodes.length),
    points: samples.flatMap((s) => {
      const b = s.blocks.find((x) => x.node === node);
      const v = b && get(b);
      return v === undefined ? [] : [[s.step, v] as [number, number]];
    }),
  }));
}

const sci = (v: number | undefined) => (v === undefined ? '—' : v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toPrecision(3) : v.toExponential(1));

export function GradFlowSection() {
  useEffect(() => listenGradFlow(client()), []);
  const samples = useGradFlow((s) => s.samples);
  const flags = useGradFlow((s) => s.flags);
  const [metric, setMetric] = useState<Metric>('grad');
  if (!samples.length) return null;
  const last = samples[samples.length - 1]!;
  return (
    <section className="nbt-section" data-testid="gradflow">
      <div className="nbt-row">
        <h4>Gradient flow</h4>
        <select className="nbt-select small" value={metric} onChange={(e) => setMetric(e.target.value as Metric)} data-testid="gradflow-metric">
          {Object.entries(METRICS).map(([k, m]) => (
            <option key={k} value={k}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <FlowChart testId="gradflow-chart" lines={linesOf(samples, metric)} log={METRICS[metric].log} />
      {flags.slice(0, 4).map((f) => (
        <div key={f.node + f.kind} className={`nbt-note ${f.kind === 'vanishing' ? 'info' : 'warn'}`} data-testid="gradflow-flag" data-kind={f.kind} data-node={f.node}>
          {f.kind === 'vanishing' ? '❄ ' : '🔥 '}
          {f.message}
        </div>
      ))}
      {flags.length > 4 && <div className="nbt-note">and {flags.length - 4} more blocks flagged (see the table)</div>}
      <table className="nbt-table" data-testid="gradflow-table">
        <thead>
          <tr>
            <th>block</th>
            <th>‖grad‖</th>
            <th>update/w</th>
            <th>out mean</th>
            <th>out std</th>
            <th>zeros</th>
          </tr>
        </thead>
        <tbody>
          {last.blocks.map((b) => (
            <tr key={b.node} data-node={b.node}>
              <td>{b.node}</td>
              <td className="mono">{sci(b.gradNorm)}</td>
              <td className="mono">{sci(b.updateRatio)}</td>
              <td className="mono">{sci(b.act?.mean)}</td>
              <td className="mono">{sci(b.act?.std)}</td>
              <td className="mono">{b.act ? `${(b.act.zeros * 100).toFixed(0)}%` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="nbt-note">
        Sampled every few batches (batch {last.step} last). Healthy steps change a block&apos;s weights by about 10⁻³ per batch; a block whose gradient is 10⁻³ of the
        strongest block&apos;s or less barely learns (vanishing).
      </div>
    </section>
  );
}
