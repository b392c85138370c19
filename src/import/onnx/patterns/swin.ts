// torchvision 0.14's Swin transformer pieces, as torch 1.13 exports them for a fixed image size:
//
// shifted_window_attention(x [N, H, W, C]) → one `nb.ShiftedWindowAttention` node:
//   Pad(x, pads)                      pad H, W to window multiples (pads computed from the size)
//   [roll: Concat(Slice(·, s, end), Slice(·, 0, s)) on axis 1, then on axis 2]
//   Reshape [N, H/w, w, W/w, w, C] → Transpose [0,1,3,2,4,5] → Reshape [N·nW, w², C]
//   MatMul Wqkv (+ b) → Reshape [·, ·, 3, heads, C/heads] → Transpose [2,0,3,1,4] → Gather 0 / 1 / 2
//   q · scale, MatMul kᵀ (Transpose [0,1,3,2]), + relative position bias
//   [Reshape → + shift mask → Reshape], Softmax, [Dropout], MatMul v, Transpose [0,2,1,3], Reshape
//   MatMul Wproj (+ b) [Dropout] → Reshape [N, H/w, W/w, w, w, C] → Transpose → Reshape [N, H, W, C]
//   [roll back by +s], Slice [:H] on axis 1, Slice [:W] on axis 2.
// What is fixed in the file's structure is checked here (op types, permutations, the Gather
// indices, the window size and head count in the reshape shapes, roll slice bounds). The values
// torch computes at run time from the size — the pads, q's scale, the relative position bias
// and the shift mask (folded to constants during the walk, fold.ts) and the crop ends — are
// inputs of the fused node, checked against what the block computes by ops/swin.ts.
//
// _patch_merging_pad(x) → one `nb.PatchMerging` node: Pad(x, pads) → x[:, 0::2, 0::2],
// x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2] (two step-2 Slices each) → Concat on the
// channels, in that order.
//
// The window attention's size arithmetic reads the padded map's shape (Shape(Pad(x))); those
// Shape nodes become `nb.PadShape` (x's shape plus the pads, folded in the walk), so the Pad
// itself can go into the fused node.
import { attrInt, attrInts, attrString, attrs, type PNode } from '../proto';
import type { GraphIndex } from './graph';
import type { Fusion } from './types';

export const SWIN_ATTENTION_OP = 'nb.ShiftedWindowAttention';
export const PATCH_MERGING_OP = 'nb.PatchMerging';
export const PAD_SHAPE_OP = 'nb.PadShape';

export interface SwinSpec {
  windowSize: number;
  numHeads: number;
  /** Roll amounts along H and W (0 where the graph does not roll that axis). */
  shifts: [number, number];
}

const specs = new WeakMap<PNode, SwinSpec>();
export const swinSpec = (n: PNode): SwinSpec | undefined => specs.get(n);

/**
 * Positions of the synthetic node's inputs ("" where absent). The weights are inputs too, so the
 * walk reads them through the Identity nodes torch writes for equal parameters.
 */
export const SWIN_IN = { x: 0, pads: 1, scale: 2, bias: 3, mask: 4, cropH: 5, cropW: 6, qkvW: 7, qkvB: 8, projW: 9, projB: 10 } as const;

const BIG = 2 ** 31 - 1;
const perm = (n: PNode | undefined) => (n ? attrInts(attrs(n), 'perm')?.join() : undefined);

/** The reader of `v` that is `op` (every other reader must be a Shape). */
function next(g: GraphIndex, v: string | undefined, op: string, nodes: Set<PNode>): PNode | undefined {
  const r = g.only(v);
  if (r?.op_type !== op) return undefined;
  nodes.add(r);
  return r;
}

/** Reshape's shape as Concat pieces: the constant pieces' values (undefined for computed ones). */
function shapePieces(g: GraphIndex, reshape: PNode): (number | undefined)[] | undefined {
  const cat = g.made(reshape.input?.[1], 'Concat');
  if (!cat) {
    const c = g.constant(reshape.input?.[1]);
    return c ? Array.from(c.data, Number) : undefined;
  }
  return (cat.input ?? []).map((p) => {
    const c = g.constant(p);
    return c && c.data.length === 1 ? Number(c.data[0]) : undefined;
  });
}

/** MatMul(x, W) [+ b] starting at the MatMul reading `v`: [weight, bias, output]. */
function linear(g: GraphIndex, v: string, nodes: Set<PNode>): { w: string; b: string; out: string } | undefined {
  const mm = next(g, v, 'MatMul', nodes);
  const w = mm?.input?.[1];
  if (!mm || mm.input?.[0] !== v || g.constant(w)?.dims.length !== 2) return undefined;
  const add = g.only(mm.output?.[0]);
  if (add?.op_type !== 'Add') return { w: w!, b: '', out: mm.output![0]! };
  const b = add.input?.find((i) => i !== mm.output![0]);
  if (!b || g.constant(b)?.dims.length !== 1) return { w: w!, b: '', out: mm.output![0]! };
  nodes.add(add);
  return { w: w!, b, out: add.output![0]! };
}

/** An eval Dropout (ratio 0 or absent) reading `v`, or `v` itself when none follows. */
function skipDropout(g: GraphIndex, v: string, nodes: Set<PNode>): string | undefined {
  const d = g.only(v);
  if (d?.op_type !== 'Dropout') return v;
  const ratio = d.input?.[1] ? g.scalar(d.input[1]) : 0;
  if (ratio !== 0) return undefined;
  nodes.add(d);
  return d.output![0];
}

/** A roll on `axis` reading `v`: Concat(Slice(v, a, end), Slice(v, 0, a)); a (the start) or undefined. */
function rollAt(g: GraphIndex, v: string, nodes: Set<PNode>): { axis: number; start: number; out: string } | undefined {
  const rs = g.readers(v).filter((r) => r.op_type !== 'Shape');
  if (rs.length !== 2 || rs.some((r) => r.op_type !== 'Slice' || r.input?.[0] !== v || (r.input?.[4] && g.scalar(r.input[4]) !== 1))) return undefined;
  const cat = g.sole(rs[0]!.output?.[0]);
  if (cat?.op_type !== 'Concat' || g.sole(rs[1]!.output?.[0]) !== cat || cat.input?.length !== 2) return undefined;
  const [s1, s2] = cat.input.map((o) => rs.find((r) => r.output?.[0] === o));
  const axis = attrInt(attrs(cat), 'axis', 0);
  const [a1, a2] = [s1, s2].map((s) => s && g.scalar(s.input?.[3]));
  const [st1, en1, st2, en2] = [s1?.input?.[1], s1?.input?.[2], s2?.input?.[1], s2?.input?.[2]].map((x) => g.scalar(x));
  if (!s1 || !s2 || a1 !== axis || a2 !== axis || (axis !== 1 && axis !== 2) || st1 === undefined || en1 === undefined || en1 < BIG || st2 !== 0 || en2 !== st1) return undefined;
  nodes.add(s1).add(s2).add(cat);
  return { axis, start: st1, out: cat.output![0]! };
}

/** Up to two rolls (axes 1 and 2) reading `v`: the roll starts per axis and the last output. */
function rolls(g: GraphIndex, v: string, nodes: Set<PNode>): { starts: [number, number]; out: string } | undefined {
  const starts: [number, number] = [0, 0];
  const seen = new Set<number>();
  for (let k = 0; k < 2; k++) {
    const r = rollAt(g, v, nodes);
    if (!r) break;
    if (seen.has(r.axis)) return undefined;
    seen.add(r.axis);
    starts[r.axis - 1] = r.start;
    v = r.out;
  }
  return { starts, out: v };
}

/** The swin attention fused at the qkv Transpose [2,0,3,1,4], plus its PadShape rewrites. */
export function matchSwinAttention(g: GraphIndex, t: PNode): Fusion[] | undefined {
  if (t.op_type !== 'Transpose' || perm(t) !== '2,0,3,1,4') return undefined;
  const nodes = new Set<PNode>([t]);
  // Backward: Reshape ← qkv linear ← Reshape ← Transpose ← Reshape ← [rolls] ← Pad ← x.
  const r5 = g.made(t.input?.[0], 'Reshape');
  const pieces5 = r5 && shapePieces(g, r5);
  if (!r5 || pieces5?.length !== 5 || pieces5[2] !== 3 || !pieces5[3]) return undefined;
  const numHeads = pieces5[3];
  const add = g.made(r5.input?.[0], 'Add');
  const mm = add ? (g.made(add.input?.[0], 'MatMul') ?? g.made(add.input?.[1], 'MatMul')) : g.made(r5.input?.[0], 'MatMul');
  if (!mm) return undefined;
  const r3 = g.made(mm.input?.[0], 'Reshape');
  const tr = r3 && g.made(r3.input?.[0], 'Transpose');
  const r6 = tr && g.made(tr.input?.[0], 'Reshape');
  const p3 = r3 && shapePieces(g, r3);
  const p6 = r6 && shapePieces(g, r6);
  if (!r3 || !tr || !r6 || perm(tr) !== '0,1,3,2,4,5' || p6?.length !== 6 || !p6[2] || p6[4] !== p6[2] || p3?.length !== 3) return undefined;
  const ws = p6[2];
  if (p3[1] !== ws * ws) return undefined;
  // From the partition back through the rolls (two Slices of one value, concatenated) to Pad.
  let v0 = r6.input![0]!;
  for (let k = 0; k < 2; k++) {
    const back = g.made(g.made(v0, 'Concat')?.input?.[0], 'Slice');
    if (!back) break;
    v0 = back.input![0]!;
  }
  const pad = g.made(v0, 'Pad');
  const rolled = pad && rolls(g, pad.output![0]!, nodes);
  if (!pad || !rolled || rolled.out !== r6.input![0] || (attrString(attrs(pad), 'mode') ?? 'constant') !== 'constant') return undefined;
  if ((pad.input?.[2] && g.scalar(pad.input[2]) !== 0) || pad.input?.[3]) return undefined;
  const shifts = rolled.starts;
  const x = pad.input![0]!;
  [pad, r6, tr, r3, mm, r5].forEach((q) => nodes.add(q));
  if (add) nodes.add(add);
  const qkvW = mm.input![1]!;
  const qkvB = add ? (add.input!.find((i) => i !== mm.output![0]) ?? '') : '';
  if (g.constant(qkvW)?.dims.length !== 2 || (add && g.constant(qkvB)?.dims.length !== 1)) return undefined;
  // Forward: q, k, v = Gather 0 / 1 / 2.
  const gathers = g.readers(t.output![0]!);
  const pick = (i: number) => gathers.find((r) => r.op_type === 'Gather' && attrInt(attrs(r), 'axis', 0) === 0 && g.scalar(r.input?.[1]) === i && g.constant(r.input?.[1])?.dims.length === 0);
  const [gq, gk, gv] = [0, 1, 2].map(pick);
  if (!gq || !gk || !gv || gathers.length !== 3) return undefined;
  [gq, gk, gv].forEach((q) => nodes.add(q));
  const mul = g.only(gq.output?.[0]);
  const kt = next(g, gk.output?.[0], 'Transpose', nodes);
  if (mul?.op_type !== 'Mul' || perm(kt) !== '0,1,3,2') return undefined;
  nodes.add(mul);
  const scale = mul.input!.find((i) => i !== gq.output![0]);
  if (!scale) return undefined;
  const qk = next(g, mul.output?.[0], 'MatMul', nodes);
  if (!qk || qk.input?.[0] !== mul.output![0] || qk.input?.[1] !== kt!.output![0]) return undefined;
  const bAdd = next(g, qk.output?.[0], 'Add', nodes);
  const bias = bAdd?.input?.find((i) => i !== qk.output![0]);
  if (!bAdd || !bias) return undefined;
  // [Reshape [N, nW, heads, L, L] → + mask → Reshape [-1, heads, L, L]] → Softmax.
  let v = bAdd.output![0]!;
  let mask = '';
  const mr = g.only(v);
  if (mr?.op_type === 'Reshape') {
    const pm = shapePieces(g, mr);
    const mAdd = g.only(mr.output?.[0]);
    const mr2 = mAdd?.op_type === 'Add' ? g.only(mAdd.output?.[0]) : undefined;
    const pm2 = mr2?.op_type === 'Reshape' ? shapePieces(g, mr2) : undefined;
    if (pm?.length !== 5 || pm[2] !== numHeads || !mAdd || !mr2 || pm2?.length !== 4 || pm2[1] !== numHeads) return undefined;
    mask = mAdd.input!.find((i) => i !== mr.output![0])!;
    [mr, mAdd, mr2].forEach((q) => nodes.add(q));
    v = mr2.output![0]!;
  }
  const sm = next(g, v, 'Softmax', nodes);
  // The axis is required: below opset 13 its default is 1.
  if (!sm || ![-1, 3].includes(attrInt(attrs(sm), 'axis', 1))) return undefined;
  const probs = skipDropout(g, sm.output![0]!, nodes);
  const av = probs && next(g, probs, 'MatMul', nodes);
  if (!av || av.input?.[0] !== probs || av.input?.[1] !== gv.output![0] || g.readers(gv.output![0]!).length !== 1) return undefined;
  const at = next(g, av.output?.[0], 'Transpose', nodes);
  const ar = at && perm(at) === '0,2,1,3' ? next(g, at.output?.[0], 'Reshape', nodes) : undefined;
  if (!ar || shapePieces(g, ar)?.length !== 3) return undefined;
  const proj = linear(g, ar.output![0]!, nodes);
  const po = proj && skipDropout(g, proj.out, nodes);
  // Window merge: Reshape [N, H/w, W/w, w, w, C] → Transpose → Reshape [N, H, W, C].
  const m6 = po ? next(g, po, 'Reshape', nodes) : undefined;
  const q6 = m6 && shapePieces(g, m6);
  const mt = m6 && next(g, m6.output?.[0], 'Transpose', nodes);
  const m4 = mt && perm(mt) === '0,1,3,2,4,5' ? next(g, mt.output?.[0], 'Reshape', nodes) : undefined;
  if (!proj || !m4 || q6?.length !== 6 || q6[3] !== ws || q6[4] !== ws || shapePieces(g, m4)?.length !== 4) return undefined;
  // Roll back by +s on the same axes, then the crop.
  const back = rolls(g, m4.output![0]!, nodes)!;
  const undo = (s: number) => (s === 0 ? 0 : -s);
  if (back.starts[0] !== undo(shifts[0]) || back.starts[1] !== undo(shifts[1])) return undefined;
  const c1 = next(g, back.out, 'Slice', nodes);
  const c2 = c1 && next(g, c1.output?.[0], 'Slice', nodes);
  const crop = (s: PNode | undefined, axis: number) => s && g.scalar(s.input?.[1]) === 0 && g.scalar(s.input?.[3]) === axis && (!s.input?.[4] || g.scalar(s.input[4]) === 1);
  if (!crop(c1, 1) || !crop(c2, 2)) return undefined;
  // Nothing outside reads an inner value (Shapes do: the size arithmetic, dropped unless read).
  for (const q of nodes) if (q !== c2) for (const o of q.output ?? []) if (o && g.graphOutputs.has(o)) return undefined;
  for (const q of nodes) if (q !== c2) for (const o of q.output ?? []) if (o && g.readers(o).some((r) => !nodes.has(r) && r.op_type !== 'Shape')) return undefined;
  const synth: PNode = { name: scopeName(t), op_type: SWIN_ATTENTION_OP, input: [x, pad.input?.[1] ?? '', scale, bias, mask, c1!.input![2]!, c2!.input![2]!, qkvW, qkvB, proj.w, proj.b], output: c2!.output };
  specs.set(synth, { windowSize: ws, numHeads, shifts });
  const out: Fusion[] = [{ nodes, exit: c2!, synth }];
  for (const s of g.readers(pad.output![0]!))
    if (s.op_type === 'Shape') out.push({ nodes: new Set([s]), exit: s, synth: { ...s, op_type: PAD_SHAPE_OP, input: [x, pad.input?.[1] ?? ''] } });
  return out;
}

/** The attention module's scope ("/features/features.1/features.1.1/attn") for messages and ids. */
function scopeName(n: PNode): string {
  const name = n.name ?? '';
  const cut = name.lastIndexOf('/');
  return cut > 0 ? name.slice(0, cut) : name || 'swin_attention';
}

/** PatchMerging: Pad → four step-2 Slice pairs → Concat on the last axis. */
export function matchPatchMerging(g: GraphIndex, cat: PNode): Fusion | undefined {
  if (cat.op_type !== 'Concat' || cat.input?.length !== 4 || ![-1, 3].includes(attrInt(attrs(cat), 'axis', 0))) return undefined;
  const nodes = new Set<PNode>([cat]);
  let src: string | undefined;
  const offsets: string[] = [];
  for (const part of cat.input) {
    const s2 = g.made(part, 'Slice');
    const s1 = s2 && g.made(s2.input?.[0], 'Slice');
    if (!s1 || !s2 || g.sole(part) !== cat) return undefined;
    const off: Record<number, number> = {};
    for (const s of [s1, s2]) {
      const [st, en, ax, sp] = [1, 2, 3, 4].map((k) => g.scalar(s.input?.[k]));
      if (sp !== 2 || (ax !== 1 && ax !== 2) || (st !== 0 && st !== 1) || en === undefined || en < BIG || off[ax] !== undefined) return undefined;
      off[ax] = st;
    }
    if (src !== undefined && s1.input![0] !== src) return undefined;
    src = s1.input![0]!;
    offsets.push(`${off[1]},${off[2]}`);
    nodes.add(s1).add(s2);
  }
  // torchvision's order: x0 = [0::2, 0::2], x1 = [1::2, 0::2], x2 = [0::2, 1::2], x3 = [1::2, 1::2].
  if (offsets.join(' ') !== '0,0 1,0 0,1 1,1') return undefined;
  const pad = g.made(src, 'Pad');
  // Each first-axis Slice may be shared by two parts; everything else reads only inside.
  for (const q of nodes) if (q !== cat && g.readers(q.output![0]!).some((r) => !nodes.has(r))) return undefined;
  if (!pad || g.readers(src!).some((r) => !nodes.has(r)) || (pad.input?.[2] && g.scalar(pad.input[2]) !== 0) || pad.input?.[3]) return undefined;
  const mode = attrString(attrs(pad), 'mode');
  if (mode !== undefined && mode !== 'constant') return undefined;
  nodes.add(pad);
  return { nodes, exit: cat, synth: { name: cat.name, op_type: PATCH_MERGING_OP, input: [pad.input![0]!, pad.input?.[1] ?? ''], output: cat.output } };
}
