// Additive (Bahdanau) attention, as our exporter writes the AdditiveAttention block:
//   scores = ReduceSum(tanh(Unsqueeze(q, 2) + Unsqueeze(k, 1)) [· scale], last axis, keepdims 0)
//   out = Softmax(scores [+ causal mask], last axis) · v
// on batch-first sequences q [N, Tq, D], k [N, Tk, D], v [N, Tk, Dv]. PyTorch writes the same
// score as a Linear(D, 1) on the tanh — MatMul by a [D, 1] weight (a bias, the same for every
// key, leaves the softmax unchanged) and Squeeze of the last axis — which is read the same way.
// The fused node stands for one AdditiveAttention block (ops/additive.ts).
import { attrInt, attrInts, attrs, type PNode } from '../proto';
import { scopeOf, type GraphIndex } from './graph';
import type { Fusion } from './types';

export const ADDITIVE_OP = 'nb.AdditiveAttention';

export interface AdditiveSpec {
  /** The per-feature scale (Bahdanau's v: a [D] vector, or torch's [D, 1] Linear weight): a constant's name; none is useScale off. */
  scale?: string;
  causal?: boolean;
  /** torch's Linear(D, 1) bias: one value added to every score, which the softmax ignores. */
  bias?: string;
}

const specs = new WeakMap<PNode, AdditiveSpec>();

/** The additive attention a fused node stands for. */
export function additiveSpec(n: PNode): AdditiveSpec | undefined {
  return specs.get(n);
}

/** An Unsqueeze's axes (attribute below opset 13, a constant input from 13). */
function unsqueezeAxes(g: GraphIndex, n: PNode): number[] | undefined {
  if (n.input?.[1]) {
    const c = g.constant(n.input[1]);
    return c ? Array.from(c.data, Number) : undefined;
  }
  return attrInts(attrs(n), 'axes');
}

/** A reduction or squeeze over the last axis of a rank-4 value (axes [-1] or [3]). */
function lastAxis(g: GraphIndex, n: PNode): boolean {
  const axes = n.input?.[1] ? Array.from(g.constant(n.input[1])?.data ?? [], Number) : attrInts(attrs(n), 'axes');
  return axes?.length === 1 && (axes[0] === -1 || axes[0] === 3);
}

/** The score before its softmax: Σ_d scale_d · tanh(…)_d. Returns the tanh's node and the scale. */
function score(g: GraphIndex, s: string, nodes: Set<PNode>): { tanh: PNode; spec: AdditiveSpec } | undefined {
  const red = g.made(s, 'ReduceSum');
  if (red) {
    if (!g.only(s) || attrInt(attrs(red), 'keepdims', 1) !== 0 || !lastAxis(g, red)) return undefined;
    nodes.add(red);
    let t = red.input![0]!;
    const mul = g.made(t, 'Mul');
    const c = mul && g.only(t) ? g.constOperand(mul) : undefined;
    const spec: AdditiveSpec = {};
    if (c) {
      if (g.constant(c[0])?.dims.length !== 1) return undefined;
      nodes.add(mul!);
      spec.scale = c[0];
      t = c[1];
    }
    const tanh = g.made(t, 'Tanh');
    return tanh && g.only(t) ? { tanh, spec } : undefined;
  }
  // torch: Squeeze(MatMul(tanh, w [D, 1]) [+ bias], -1).
  const sq = g.made(s, 'Squeeze');
  if (!sq || !g.only(s) || !lastAxis(g, sq)) return undefined;
  nodes.add(sq);
  let t = sq.input![0]!;
  const bias = g.made(t, 'Add');
  const bc = bias && g.only(t) ? g.constOperand(bias) : undefined;
  if (bc) {
    if (g.constant(bc[0])?.data.length !== 1) return undefined;
    nodes.add(bias!);
    t = bc[1];
  }
  const mm = g.made(t, 'MatMul');
  const w = mm?.input?.[1];
  const wc = g.constant(w);
  if (!mm || !g.only(t) || wc?.dims.length !== 2 || wc.dims[1] !== 1) return undefined;
  nodes.add(mm);
  const tanh = g.made(mm.input![0], 'Tanh');
  return tanh && g.only(mm.input![0]) ? { tanh, spec: { scale: w, ...(bc ? { bias: bc[0] } : {}) } } : undefined;
}

export function matchAdditive(g: GraphIndex, softmax: PNode): Fusion | undefined {
  if (softmax.op_type !== 'Softmax') return undefined;
  const axis = attrInt(attrs(softmax), 'axis', -1);
  if (axis !== -1 && axis !== 2) return undefined;
  const m2 = g.only(softmax.output?.[0]);
  if (m2?.op_type !== 'MatMul' || m2.input?.[0] !== softmax.output![0]) return undefined;
  const nodes = new Set<PNode>([softmax, m2]);
  let s = softmax.input![0]!;
  // Our exporter's causal mask, added to the scores before the softmax.
  const masked = g.made(s, 'Add');
  const causal = !!masked && g.only(s) === softmax && (masked.input ?? []).some((x) => g.isCausalMask(x));
  if (causal) {
    nodes.add(masked);
    s = masked.input!.find((x) => !g.isCausalMask(x))!;
  }
  const sc = score(g, s, nodes);
  if (!sc) return undefined;
  nodes.add(sc.tanh);
  const add = g.made(sc.tanh.input?.[0], 'Add');
  if (!add || !g.only(add.output?.[0])) return undefined;
  nodes.add(add);
  // One operand is q with a key axis (2), the other k with a query axis (1).
  let q: string | undefined;
  let k: string | undefined;
  for (const x of add.input ?? []) {
    const u = g.made(x, 'Unsqueeze');
    const ax = u && g.only(x) ? unsqueezeAxes(g, u) : undefined;
    if (!u || ax?.length !== 1) return undefined;
    nodes.add(u);
    if (ax[0] === 2 || ax[0] === -2) q = u.input![0];
    else if (ax[0] === 1 || ax[0] === -3) k = u.input![0];
  }
  const v = m2.input![1]!;
  if (!q || !k || [q, k, v].some((x) => g.isConst(x))) return undefined;
  const synth: PNode = { name: scopeOf(softmax, 'attention'), op_type: ADDITIVE_OP, input: k === v ? [q, v] : [q, v, k], output: [m2.output![0]!] };
  specs.set(synth, { ...sc.spec, causal });
  return { nodes, exit: m2, synth };
}
