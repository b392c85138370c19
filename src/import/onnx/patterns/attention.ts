// Multi-head attention spelt out in primitive ops — as torch 1.13 exports nn.MultiheadAttention
// (and so nn.TransformerEncoderLayer / vision transformers) and as our own exporter writes the
// MultiHeadAttention block — becomes one node that ops/attention.ts maps to that block:
//
//   q, k, v = projections of the inputs (MatMul + Add, or Gemm; torch's packed in-projection is
//             one MatMul whose output is cut in three by Slices, or — encoder–decoder attention —
//             its weight is split into q's rows and k/v's rows, the latter projection cut in two)
//   each reshaped into heads and transposed (Reshape / Transpose), q or the scores scaled by a
//   constant (Div or Mul), k transposed on its last two axes;
//   out = Softmax(q · kᵀ [+ causal mask]) · v, transposed / reshaped back, out-projected.
//   Any other mask added to the scores (masks.ts) still fuses, so the refusal names it.
//
// The block scales by 1/√keyDim, so the constant scale gives the head size; the projections'
// widths then give the number of heads. The transposes are checked to keep heads and steps
// apart (k is q's order with its last two axes swapped, v is q's order, the output undoes it),
// which also tells whether the projections run time-major (torch: [T, N, E]) or batch-major.
import { attrFloat, attrInt, attrInts, attrs, type PNode } from '../proto';
import { scopeOf, type GraphIndex } from './graph';
import { isCausalMask, otherMask } from './masks';
import type { Fusion } from './types';

/** The op type of the fused node (not an ONNX op; it never leaves the importer). */
export const MHA_OP = 'nb.MultiHeadAttention';

export interface Projection {
  /** The projected input. */
  x: string;
  /** The weight ([in, out]; [out, in] when transB) and bias ("" when none). */
  w: string;
  b: string;
  transB: boolean;
  /** Output columns kept (torch's chunk of its packed q/k/v projection). */
  cols?: [number, number];
}

export interface AttentionSpec {
  q: Projection;
  k: Projection;
  v: Projection;
  o: Projection;
  numHeads: number;
  keyDim: number;
  valueDim: number;
  /** 0: the projections see [T, N, E] (torch); 1: [N, T, E]. */
  timeAxis: 0 | 1;
  causal: boolean;
  /** A mask added to the scores that no block has (not causal), in words: a blocker. */
  mask?: string;
}

const specs = new WeakMap<PNode, AttentionSpec>();

/** The attention a fused node stands for. */
export function attentionSpec(n: PNode): AttentionSpec | undefined {
  return specs.get(n);
}

/** out[i] = in[c[i]] after applying the permutations in order. */
function compose(perms: number[][], rank: number): number[] {
  let c = Array.from({ length: rank }, (_, i) => i);
  for (const p of perms) c = p.map((j) => c[j]!);
  return c;
}

interface Proj extends Projection {
  nodes: PNode[];
  units: number;
  /** The value the projection makes (before any Slice). */
  out: string;
  /** The weight's output columns this projection computes (torch's split of its packed weight). */
  part?: [number, number];
}

/**
 * A weight or bias that is a constant, or rows [r0, r1) of one (torch's split of its packed
 * in_proj_weight / in_proj_bias for encoder–decoder attention, whose bounds it computes from the
 * width E of the query), maybe transposed [1, 0] (torch's linear()).
 */
interface Part {
  name: string;
  dims: number[];
  rows?: [number, number];
  transposed: boolean;
}

function constPart(g: GraphIndex, v: string | undefined, lastDim: (x: string) => number | undefined): Part | undefined {
  let transposed = false;
  const t = g.made(v, 'Transpose');
  if (t) {
    if (attrInts(attrs(t), 'perm')?.join() !== '1,0' || !g.only(v)) return undefined;
    transposed = true;
    v = t.input?.[0];
  }
  const c = g.constant(v);
  if (c) return { name: v!, dims: c.dims, transposed };
  const s = g.made(v, 'Slice');
  const base = s && g.constant(s.input?.[0]);
  if (!s || !base || !g.only(v)) return undefined;
  const len = base.dims[0]!;
  const one = (k: number) => {
    const r = s.input?.[k] ? g.ints(s.input[k]!, lastDim) : undefined;
    return r && !r.fromEnd && r.v.length === 1 && r.v[0] !== null ? r.v[0]! : undefined;
  };
  const [r0, r1] = [one(1), one(2)];
  if (r0 === undefined || r1 === undefined || (s.input?.[3] && one(3) !== 0) || (s.input?.[4] && one(4) !== 1)) return undefined;
  const clamp = (i: number) => Math.max(0, Math.min(len, i < 0 ? i + len : i));
  return clamp(r1) > clamp(r0) ? { name: s.input![0]!, dims: base.dims, rows: [clamp(r0), clamp(r1)], transposed } : undefined;
}

/** The constant a weight is made from, through a [1, 0] Transpose and a Slice. */
function baseOf(g: GraphIndex, v: string | undefined): string | undefined {
  const t = g.made(v, 'Transpose');
  if (t) v = t.input?.[0];
  const s = g.made(v, 'Slice');
  return s ? s.input?.[0] : v;
}

/** The projection making `v`: MatMul(x, W) [+ b] or Gemm(x, W, b). */
function projection(g: GraphIndex, v: string): Proj | undefined {
  const n = g.producer.get(v);
  if (!n) return undefined;
  if (n.op_type === 'Gemm') {
    const a = attrs(n);
    const [x, w, b] = n.input ?? [];
    const W = g.constant(w);
    if (!x || !W || W.dims.length !== 2 || attrInt(a, 'transA', 0) || attrFloat(a, 'alpha', 1) !== 1 || attrFloat(a, 'beta', 1) !== 1 || (b && g.constant(b)?.dims.length !== 1)) return undefined;
    const transB = attrInt(a, 'transB', 0) === 1;
    return { x, w: w!, b: b ?? '', transB, nodes: [n], units: W.dims[transB ? 0 : 1]!, out: v };
  }
  let add: PNode | undefined;
  let mm = n;
  let bias: string | undefined;
  if (n.op_type === 'Add') {
    const [a, b] = n.input ?? [];
    const m = g.made(a, 'MatMul') ?? g.made(b, 'MatMul');
    if (!m || g.only(m.output?.[0]) !== n) return undefined;
    [add, mm, bias] = [n, m, m.output![0] === a ? b : a];
  }
  const [x, w] = mm.input ?? [];
  if (mm.op_type !== 'MatMul' || !x || g.isConst(x)) return undefined;
  // torch's split bounds come from E = q.size(-1): the width of a value this packed weight multiplies.
  const packed = baseOf(g, w);
  const E = g.constant(packed)?.dims[1];
  const lastDim = (val: string) => (g.readers(val).some((r) => r.op_type === 'MatMul' && r.input?.[0] === val && baseOf(g, r.input?.[1]) === packed) ? E : undefined);
  const W = constPart(g, w, lastDim);
  if (!W || W.dims.length !== 2 || (W.rows && !W.transposed)) return undefined;
  const units = W.rows ? W.rows[1] - W.rows[0] : W.dims[W.transposed ? 0 : 1]!;
  let b = '';
  if (bias !== undefined) {
    const B = constPart(g, bias, lastDim);
    // The bias is cut like the weight (or whole when the weight is).
    if (!B || B.transposed || B.dims.length !== 1 || B.rows?.join() !== W.rows?.join() || B.dims[0] !== (W.rows ? W.dims[0] : units)) return undefined;
    b = B.name;
  }
  const nodes = [mm, ...(add ? [add] : [])];
  return { x, w: W.name, b, transB: W.transposed, nodes, units, out: v, ...(W.rows ? { part: W.rows } : {}) };
}

interface Branch {
  proj: Proj;
  perms: number[][];
  scale: number;
  nodes: PNode[];
  /** Constant reshape targets (their last entry is the head size). */
  targets: number[][];
  slice?: PNode;
}

/**
 * The one reader of `v` for its values. Shape ops do not count, nor a view read only by Shape ops
 * (torch's src_len = k.size(1) of k's transposed view, traced when there is a key_padding_mask).
 */
function valueReader(g: GraphIndex, v: string): PNode | undefined {
  if (g.graphOutputs.has(v)) return undefined;
  const shapeOnly = (n: PNode) => (n.op_type === 'Transpose' || n.op_type === 'Reshape') && (n.output ?? []).every((o) => !g.graphOutputs.has(o) && g.readers(o).every((r) => r.op_type === 'Shape'));
  const r = g.readers(v).filter((n) => n.op_type !== 'Shape' && !shapeOnly(n));
  return r.length === 1 ? r[0] : undefined;
}

/** From a head tensor back to its projection, through reshapes, transposes and a constant scale. */
function branch(g: GraphIndex, start: string): Branch | undefined {
  const perms: number[][] = [];
  const nodes: PNode[] = [];
  const targets: number[][] = [];
  let scale = 1;
  let v = start;
  for (let step = 0; step < 12; step++) {
    if (!valueReader(g, v)) return undefined;
    const n = g.producer.get(v);
    if (!n) return undefined;
    const input = n.input?.[0];
    if (n.op_type === 'Transpose' || n.op_type === 'Reshape' || n.op_type === 'Identity') {
      if (n.op_type === 'Transpose') {
        const p = attrInts(attrs(n), 'perm');
        if (!p) return undefined;
        perms.unshift(p);
      }
      if (n.op_type === 'Reshape' && g.constant(n.input?.[1])) targets.push(Array.from(g.constant(n.input![1])!.data, Number));
      nodes.push(n);
      v = input!;
      continue;
    }
    if (n.op_type === 'Mul' || n.op_type === 'Div') {
      const c = g.constOperand(n);
      const s = c && g.scalar(c[0]);
      if (!c || s === undefined || (n.op_type === 'Div' && c[1] !== n.input![0])) return undefined;
      scale *= n.op_type === 'Div' ? 1 / s : s;
      nodes.push(n);
      v = c[1];
      continue;
    }
    if (n.op_type === 'Slice') {
      const proj = projection(g, input!);
      return proj && { proj, perms, scale, nodes: [...nodes, n], targets, slice: n };
    }
    const proj = projection(g, v);
    return proj && { proj, perms, scale, nodes: [...nodes, ...proj.nodes], targets };
  }
  return undefined;
}

/** Columns [start, end) a Slice keeps of the last axis of a projection `units` wide. */
function sliceCols(g: GraphIndex, s: PNode, p: Proj): [number, number] | undefined {
  const [, st, en, ax, steps] = s.input ?? [];
  const last = (x: string) => (x === p.out ? p.units : undefined);
  const one = (x: string | undefined) => {
    const r = x ? g.ints(x, last) : undefined;
    return r && !r.fromEnd && r.v.length === 1 && r.v[0] !== null ? r.v[0]! : undefined;
  };
  const start = one(st);
  const end = one(en);
  if (start === undefined || end === undefined || one(ax) !== -1 || (steps && one(steps) !== 1)) return undefined;
  const clamp = (i: number) => Math.max(0, Math.min(p.units, i < 0 ? i + p.units : i));
  return clamp(end) > clamp(start) ? [clamp(start), clamp(end)] : undefined;
}

/** Whether `v` is q · kᵀ, maybe scaled by constants (baddbmm's alpha, a 1/√d). */
function isScores(g: GraphIndex, v: string | undefined): boolean {
  for (let step = 0; v && step < 3; step++) {
    if (g.made(v, 'MatMul')) return true;
    const n = g.producer.get(v);
    const c = n && (n.op_type === 'Mul' || n.op_type === 'Div') ? g.constOperand(n) : undefined;
    if (!c || g.scalar(c[0]) === undefined) return false;
    v = c[1];
  }
  return false;
}

/**
 * Softmax(q · kᵀ · scale [+ causal mask]) · v: multi-head (projections into heads) or, on
 * sequences as they are, the single-head dot-product Attention block.
 */
export function matchAttention(g: GraphIndex, softmax: PNode): Fusion | undefined {
  if (softmax.op_type !== 'Softmax' || attrInt(attrs(softmax), 'axis', -1) !== -1) return undefined;
  const nodes = new Set<PNode>([softmax]);
  const m2 = g.only(softmax.output?.[0]);
  if (m2?.op_type !== 'MatMul' || m2.input?.[0] !== softmax.output![0]) return undefined;
  nodes.add(m2);
  // Scores: MatMul(q, kᵀ), maybe scaled, maybe plus our causal mask.
  let s = softmax.input![0]!;
  let scale = 1;
  let causal = false;
  let mask: string | undefined;
  for (let step = 0; step < 4 && !g.made(s, 'MatMul'); step++) {
    const n = g.producer.get(s);
    if (!n || !g.only(s)) return undefined;
    const c = n.op_type === 'Mul' || n.op_type === 'Div' ? g.constOperand(n) : undefined;
    const k = c && g.scalar(c[0]);
    if (c && k !== undefined && (n.op_type === 'Mul' || c[1] === n.input![0])) {
      scale *= n.op_type === 'Div' ? 1 / k : k;
      s = c[1];
    } else if (n.op_type === 'Add' && !causal && !mask && (n.input ?? []).length === 2) {
      // The scores plus a mask: causal → useCausalMask; any other mask is named as a blocker.
      const [a, b] = n.input!;
      const side = isScores(g, a) ? 0 : isScores(g, b) ? 1 : -1;
      if (side < 0 || isScores(g, n.input![1 - side])) return undefined;
      const m = n.input![1 - side]!;
      if (isCausalMask(g, m)) causal = true;
      else mask = otherMask(g, m);
      s = n.input![side]!;
    } else return undefined;
    nodes.add(n);
  }
  const m1 = g.made(s, 'MatMul');
  if (!m1 || !g.only(s)) return undefined;
  nodes.add(m1);
  const core: Core = { softmax, m1, m2, scale, causal, mask };
  return matchHeads(g, core, new Set(nodes)) ?? (mask ? undefined : matchDot(g, core, nodes));
}

interface Core {
  softmax: PNode;
  m1: PNode;
  m2: PNode;
  scale: number;
  causal: boolean;
  mask?: string;
}

/** Multi-head attention with its four projections (see the module comment). */
function matchHeads(g: GraphIndex, { softmax, m1, m2, scale, causal, mask }: Core, nodes: Set<PNode>): Fusion | undefined {
  const q = branch(g, m1.input![0]!);
  const k = branch(g, m1.input![1]!);
  const v = branch(g, m2.input![1]!);
  if (!q || !k || !v || v.scale !== 1) return undefined;
  // Heads and steps stay apart: k is q's order with its last two axes swapped, v is q's order.
  const rank = q.perms[0]?.length ?? 0;
  if (rank < 3 || [q, k, v].some((b) => b.perms.some((p) => p.length !== rank))) return undefined;
  const cq = compose(q.perms, rank);
  const ck = compose(k.perms, rank);
  const swapped = [...cq.slice(0, -2), cq[rank - 1]!, cq[rank - 2]!];
  if (ck.join() !== swapped.join() || compose(v.perms, rank).join() !== cq.join() || cq[rank - 1] !== rank - 1) return undefined;
  const timeAxis = cq[rank - 2];
  if (timeAxis !== 0 && timeAxis !== 1) return undefined;
  // The block scales q·kᵀ by 1/√keyDim: the constant scale gives the head size.
  const total = scale * q.scale * k.scale;
  const keyDim = Math.round(1 / (total * total));
  if (!(keyDim >= 1) || Math.abs(total * Math.sqrt(keyDim) - 1) > 1e-5) return undefined;
  const cols = (b: Branch) => (b.slice ? sliceCols(g, b.slice, b.proj) : ([0, b.proj.units] as [number, number]));
  const [qc, kc, vc] = [cols(q), cols(k), cols(v)];
  if (!qc || !kc || !vc) return undefined;
  const width = (c: [number, number]) => c[1] - c[0];
  const numHeads = width(qc) / keyDim;
  const valueDim = width(vc) / numHeads;
  if (!Number.isInteger(numHeads) || width(kc) !== width(qc) || !Number.isInteger(valueDim)) return undefined;
  if ([...q.targets, ...k.targets].some((t) => t.at(-1) !== keyDim && t.at(-1) !== -1) || v.targets.some((t) => t.at(-1) !== valueDim && t.at(-1) !== -1)) return undefined;
  // A packed projection is cut in parts read only by these branches (and Shape ops).
  const sliced = [q, k, v].filter((b) => b.slice);
  for (const b of sliced) {
    const mine = new Set(sliced.filter((o) => o.proj.out === b.proj.out).map((o) => o.slice));
    if (g.graphOutputs.has(b.proj.out) || g.readers(b.proj.out).some((r) => !mine.has(r) && r.op_type !== 'Shape')) return undefined;
    for (const n of b.proj.nodes.slice(0, -1)) if (!g.only(n.output?.[0])) return undefined;
  }
  // The way back: transposes undoing q's order, reshapes, the output projection.
  const outPerms: number[][] = [];
  let o = m2.output![0]!;
  for (let n = g.only(o); n && (n.op_type === 'Transpose' || n.op_type === 'Reshape'); n = g.only(o)) {
    if (n.op_type === 'Transpose') outPerms.push(attrInts(attrs(n), 'perm') ?? []);
    nodes.add(n);
    o = n.output![0]!;
  }
  if (compose([cq, ...outPerms], rank).some((x, i) => x !== i)) return undefined;
  const reader = g.only(o);
  const biased = reader?.op_type === 'MatMul' ? g.only(reader.output?.[0]) : undefined;
  const outProj = reader && ((biased?.op_type === 'Add' && projection(g, biased.output![0]!)) || projection(g, reader.output![0]!));
  if (!outProj || outProj.x !== o) return undefined;
  outProj.nodes.forEach((n) => nodes.add(n));
  let exit = outProj.nodes.at(-1)!;
  // Time-major (torch): the output projection ran on [T·N, E]; the Reshape back to [T, N, E] ends it.
  if (timeAxis === 0) {
    const back = g.only(exit.output?.[0]);
    if (back?.op_type !== 'Reshape') return undefined;
    nodes.add(back);
    exit = back;
  }
  for (const b of [q, k, v]) for (const n of b.nodes) nodes.add(n);
  const proj = (p: Proj, c: [number, number]): Projection => {
    // Columns of the whole (packed) weight: this projection's part of it, then the branch's slice.
    const at = p.part?.[0] ?? 0;
    return { x: p.x, w: p.w, b: p.b, transB: p.transB, ...(p.part || c[0] !== 0 || c[1] !== p.units ? { cols: [at + c[0], at + c[1]] as [number, number] } : {}) };
  };
  const spec: AttentionSpec = { q: proj(q.proj, qc), k: proj(k.proj, kc), v: proj(v.proj, vc), o: proj(outProj, [0, outProj.units]), numHeads, keyDim, valueDim, timeAxis, causal, ...(mask ? { mask } : {}) };
  const synth: PNode = { name: scopeOf(softmax, 'attention'), op_type: MHA_OP, input: [spec.q.x, spec.k.x, spec.v.x, ...[spec.q, spec.k, spec.v, spec.o].flatMap((p) => [p.w, p.b])], output: [exit.output![0]!] };
  specs.set(synth, spec);
  return { nodes, exit, synth };
}

/** The op type of fused dot-product attention (the Attention block). */
export const DOT_OP = 'nb.Attention';

export interface DotSpec {
  /** The constant the scores are multiplied by (the block's learned scale when not 1). */
  scale: number;
  causal: boolean;
}

const dotSpecs = new WeakMap<PNode, DotSpec>();

/** The dot-product attention a fused node stands for. */
export function dotSpec(n: PNode): DotSpec | undefined {
  return dotSpecs.get(n);
}

/** Softmax(q · Transpose(k, [0, 2, 1]) · scale) · v on [batch, steps, features] sequences. */
function matchDot(g: GraphIndex, { softmax, m1, m2, scale, causal }: Core, nodes: Set<PNode>): Fusion | undefined {
  const kT = g.made(m1.input?.[1], 'Transpose');
  if (!kT || attrInts(attrs(kT), 'perm')?.join() !== '0,2,1' || !g.only(kT.output?.[0])) return undefined;
  const [q, k, v] = [m1.input![0]!, kT.input![0]!, m2.input![1]!];
  if ([q, k, v].some((x) => g.isConst(x))) return undefined;
  nodes.add(kT);
  const synth: PNode = { name: scopeOf(softmax, 'attention'), op_type: DOT_OP, input: k === v ? [q, v] : [q, v, k], output: [m2.output![0]!] };
  dotSpecs.set(synth, { scale, causal });
  return { nodes, exit: m2, synth };
}
