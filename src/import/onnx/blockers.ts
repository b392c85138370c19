// The blocker report of a refused ONNX import, in plain words: the ops with no block grouped by
// op type, with how many nodes, the first few node names, why, and what would cover them (a
// block, or an export option that avoids the op). The CLI prints it; the canvas shows its lines.
import type { UnsupportedOp } from '../types';
import { MHA_OP } from './patterns/attention';

export interface BlockerGroup {
  op: string;
  /** Node names, in graph order. */
  nodes: string[];
  /**
   * The distinct reasons, most frequent first, with how many nodes each: reasons that differ only
   * in the shapes or lists they quote count as one (the first is shown).
   */
  reasons: { reason: string; count: number }[];
  /** What would cover it, where known. */
  cover?: string;
}

const LAYERNORM = 'LayerNorm written out as ReduceMean / Sub / Pow / Sqrt / Div (what torch exports below opset 17): export with opset_version=17, where torch writes one LayerNormalization op (→ LayerNormalization block)';
/** Op type → what would cover it. */
const COVER: Readonly<Record<string, string>> = {
  ReduceMean: LAYERNORM,
  Pow: LAYERNORM,
  Sqrt: LAYERNORM,
  Div: LAYERNORM,
  Erf: 'GELU is mapped when written as torch exports it (x · ½ · (1 + erf(x / √2)) → gelu activation); an Erf on its own has no block',
  ConvTranspose: 'the Conv2DTranspose block (transposed 2-D convolution)',
  MatMul: 'a MatMul of two computed tensors is attention (the MultiHeadAttention block); a MatMul by a constant is a Dense block',
  Expand: 'no block repeats a tensor; write the model so it broadcasts instead',
  Tile: 'no block repeats a tensor; write the model so it broadcasts instead',
  Resize: 'the UpSampling2D block (nearest, integer scale)',
  Upsample: 'the UpSampling2D block (nearest, integer scale)',
  InstanceNormalization: 'no block yet; BatchNormalization and LayerNormalization are mapped',
  BatchNormalization: 'export the model in eval mode (model.eval()) so BatchNorm uses its running statistics',
  Input: 'export with a fixed input shape (torch.onnx.export(model, example_input, …))',
  [MHA_OP]: 'the MultiHeadAttention block: batch-first sequences [batch, steps, features] (batch_first=True), no mask or a causal one (generate_square_subsequent_mask → useCausalMask); export without other masks (e.g. no key_padding_mask for unpadded inputs)',
};

/** The blockers grouped by op type, in the order each op first appears. */
export function groupUnsupported(list: readonly UnsupportedOp[]): BlockerGroup[] {
  const groups = new Map<string, { nodes: string[]; reasons: Map<string, { reason: string; count: number }> }>();
  for (const u of list) {
    const g = groups.get(u.op) ?? { nodes: [], reasons: new Map<string, { reason: string; count: number }>() };
    groups.set(u.op, g);
    g.nodes.push(u.node);
    const key = u.reason.replace(/\[[^\]]*\]/g, '[…]');
    const r = g.reasons.get(key) ?? { reason: u.reason, count: 0 };
    g.reasons.set(key, r);
    r.count++;
  }
  return [...groups].map(([op, g]) => ({
    op,
    nodes: g.nodes,
    reasons: [...g.reasons.values()].sort((a, b) => b.count - a.count),
    ...(COVER[op] ? { cover: COVER[op] } : {}),
  }));
}

/**
 * How the report names an op: ONNX ops as they are; a pattern the importer recognised across
 * several ONNX nodes (an internal "nb.X" op) in words, since no such op is in the user's file.
 */
export function opLabel(op: string): string {
  return op.startsWith('nb.') ? `${op.slice(3)} (recognised from several ONNX ops)` : op;
}

/** "a", "b", "c" and 9 more. */
export function nameList(names: readonly string[], shown = 3): string {
  const head = names.slice(0, shown).map((n) => JSON.stringify(n)).join(', ');
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}

/** One op group of the report, as its lines say it (the canvas' Import report shows these). */
export interface BlockerSection {
  /** "Conv ×3" — the op as the report names it, and how many nodes. */
  title: string;
  /** The most frequent reason ("… (5 of them)" when there are others). */
  reason: string;
  /** The other reasons, each with how many nodes ("… (2)"), at most maxReasons − 1 of them. */
  also: string[];
  /** How many further reasons were left out. */
  otherReasons: number;
  /** "nodes: "a", "b", "c" and 9 more". */
  nodes: string;
  /** Every node name of the group, in graph order. */
  nodeNames: string[];
  /** What would cover it ("as for X above" when an earlier group has the same cover). */
  cover?: string;
}

/**
 * The report in parts: its headline (without formatBlockers' closing "Nothing was written."), then
 * one section per op.
 */
export function blockerReport(source: string, list: readonly UnsupportedOp[], unchecked = 0, maxReasons = 3): { headline: string; sections: BlockerSection[] } {
  const groups = groupUnsupported(list);
  const kinds = groups.length === 1 ? '1 kind of op' : `${groups.length} kinds of op`;
  const later = unchecked ? `; ${unchecked} later node${unchecked === 1 ? '' : 's'} read${unchecked === 1 ? 's' : ''} their outputs and ${unchecked === 1 ? 'was' : 'were'} not checked` : '';
  const headline = `${source} cannot be imported: ${list.length} node${list.length === 1 ? '' : 's'} (${kinds}) ${list.length === 1 ? 'has' : 'have'} no block${later}.`;
  const covered = new Map<string, string>();
  const sections = groups.map((g): BlockerSection => {
    const n = g.nodes.length;
    const [first, ...more] = g.reasons;
    const alike = g.reasons.length > 1 ? ` (${first!.count} of them)` : '';
    const also = more.slice(0, maxReasons - 1).map((r) => `${r.reason} (${r.count})`);
    const otherReasons = Math.max(0, more.length - (maxReasons - 1));
    const s: BlockerSection = { title: `${opLabel(g.op)} ×${n}`, reason: `${first!.reason}${alike}`, also, otherReasons, nodes: `node${n === 1 ? '' : 's'}: ${nameList(g.nodes)}`, nodeNames: g.nodes };
    if (g.cover) s.cover = covered.has(g.cover) ? `as for ${covered.get(g.cover)} above` : g.cover;
    if (g.cover && !covered.has(g.cover)) covered.set(g.cover, opLabel(g.op));
    return s;
  });
  return { headline, sections };
}

/**
 * The report as lines: a headline, then per op "Op ×count: reason" with its nodes and what would
 * cover it (at most `maxReasons` distinct reasons per op).
 */
export function formatBlockers(source: string, list: readonly UnsupportedOp[], unchecked = 0, maxReasons = 3): string[] {
  const r = blockerReport(source, list, unchecked, maxReasons);
  return [`${r.headline} Nothing was written.`, ...r.sections.flatMap(sectionLines)];
}

/** One section as the CLI prints it: "  Op ×n: reason", then its indented details. */
export function sectionLines(s: BlockerSection): string[] {
  const lines = [`  ${s.title}: ${s.reason}`];
  for (const a of s.also) lines.push(`    also: ${a}`);
  if (s.otherReasons) lines.push(`    and ${s.otherReasons} other reason(s)`);
  lines.push(`    ${s.nodes}`);
  if (s.cover) lines.push(`    would cover it: ${s.cover}`);
  return lines;
}
