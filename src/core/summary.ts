// Model summary: per node output shapes, trainable and non-trainable params, MACs; totals.
// Counts come from each BlockSpec (pure functions of shapes and params) and are checked against
// tfjs' countParams() in the contract test.
import type { Analysis } from './infer';
import type { Shape } from './spec';
import { fmtShape } from './shapes';

export interface SummaryRow {
  id: string;
  type: string;
  outputShapes: Record<string, Shape>;
  trainableParams: number;
  nonTrainableParams: number;
  macs: number;
  /** The block is frozen ("trainable": false): its trainable params count as non-trainable. */
  frozen?: true;
}

export interface Summary {
  nodes: SummaryRow[];
  /** frozenParams (only when some block is frozen): the params of frozen blocks that would otherwise train, part of nonTrainableParams. */
  totals: { trainableParams: number; nonTrainableParams: number; frozenParams?: number; macs: number };
}

/**
 * Summary in document order; nodes whose shapes are unknown (errors upstream) count as 0.
 * `frozen`: the frozen blocks' ids (core/frozen.ts), counted as tfjs and Keras count them.
 */
export function summarize(a: Analysis, docOrder?: string[], frozen?: ReadonlySet<string>): Summary {
  const ids = docOrder ?? [...a.nodes.keys()];
  const nodes: SummaryRow[] = ids.map((id) => {
    const n = a.nodes.get(id)!;
    const trainable = n.paramCount?.trainable ?? 0;
    const nonTrainable = n.paramCount?.nonTrainable ?? 0;
    const row: SummaryRow = { id, type: n.type, outputShapes: n.outputShapes ?? {}, trainableParams: trainable, nonTrainableParams: nonTrainable, macs: n.macs ?? 0 };
    if (frozen?.has(id)) Object.assign(row, { frozen: true, trainableParams: 0, nonTrainableParams: trainable + nonTrainable });
    return row;
  });
  const totals: Summary['totals'] = { trainableParams: 0, nonTrainableParams: 0, macs: 0 };
  for (const r of nodes) {
    if (r.frozen) totals.frozenParams = (totals.frozenParams ?? 0) + (a.nodes.get(r.id)?.paramCount?.trainable ?? 0);
    totals.trainableParams += r.trainableParams;
    totals.nonTrainableParams += r.nonTrainableParams;
    totals.macs += r.macs;
  }
  return { nodes, totals };
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Human-readable MACs: 1.82 G, 3.4 M, 120 k. */
export function formatMacs(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** A plain-text table, as `neural-blocks summary` prints it. */
export function formatSummaryTable(s: Summary): string {
  const head = ['node', 'type', 'output shape', 'trainable', 'non-trainable', 'MACs'];
  const rows = s.nodes.map((r) => [
    r.frozen ? `${r.id} (frozen)` : r.id,
    r.type,
    Object.entries(r.outputShapes)
      .map(([p, sh]) => (Object.keys(r.outputShapes).length > 1 ? `${p}: ${fmtShape(sh)}` : fmtShape(sh)))
      .join(' ') || '?',
    formatCount(r.trainableParams),
    formatCount(r.nonTrainableParams),
    formatMacs(r.macs),
  ]);
  rows.push(['total', '', '', formatCount(s.totals.trainableParams), formatCount(s.totals.nonTrainableParams), formatMacs(s.totals.macs)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  const table = [line(head), sep, ...rows.slice(0, -1).map(line), sep, line(rows[rows.length - 1]!)].join('\n');
  return s.totals.frozenParams ? `${table}\n${formatCount(s.totals.frozenParams)} params frozen (counted as non-trainable)` : table;
}
