// Constant folding of whole tensors (fold.ts folds the shape vectors): the index and mask
// arithmetic torch writes for a fixed input size — torchvision Swin's shifted-window mask is
// ConstantOfShape → ScatterND (with Range / Expand / Where-built indices) → Reshape / Transpose →
// Sub → Equal / Not / Where; its padding is Mod / Sub / Concat / a reversed Slice / Transpose; its
// q scale is Pow of a size. Every op here works on constants of any rank with ONNX (numpy)
// broadcasting. Values holding the symbolic batch "N", or of run-time shape, are not folded; nor
// is a result of more than FOLD_CAP elements (the node is then left to the op importers, which
// name it): a file never makes the import allocate more than it can check.
import type { Converter } from './converter';
import { attrInt, attrInts, attrString, type Attrs, type PNode } from './proto';
import { prod, type ConstVal, type Val } from './values';

/** Elements of the largest tensor folded at import time (a 56×56 Swin mask is 154k). */
export const FOLD_CAP = 1 << 22;

type C = (k: number) => ConstVal | undefined;

/**
 * The constant's elements as numbers, or undefined where one is symbolic, its shape is, or it is
 * over FOLD_CAP (an initializer may hold 2^28: no copy of that is made here).
 */
function nums(c: ConstVal | undefined): ArrayLike<number> | undefined {
  if (!c || c.fill !== undefined || c.dims.some((d) => d < 0) || c.data.length > FOLD_CAP) return undefined;
  if (c.data instanceof Float32Array) return c.data;
  return c.data.every((v) => typeof v === 'number') ? (c.data as number[]) : undefined;
}

function make(dims: number[], data: ArrayLike<number>, float: boolean): Val[] {
  return [{ kind: 'const', dims, float, data: float ? Float32Array.from(data) : Array.from(data) }];
}

/** The broadcast shape of `shapes` (ONNX multidirectional broadcasting), or undefined. */
function broadcastDims(shapes: number[][]): number[] | undefined {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[i - rank + s.length] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) return undefined;
      d = v;
    }
    out.push(d);
  }
  return out;
}

/** For each element of an `out`-shaped result, the flat index of the element of `dims` it reads. */
function sourceIndex(out: number[], dims: number[]): Int32Array {
  const n = prod(out);
  const idx = new Int32Array(n);
  const rank = out.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i + rank - dims.length] = dims[i] === 1 ? 0 : s;
    s *= dims[i]!;
  }
  const at = new Array<number>(rank).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = off;
    for (let i = rank - 1; i >= 0; i--) {
      at[i]!++;
      off += strides[i]!;
      if (at[i]! < out[i]!) break;
      off -= strides[i]! * at[i]!;
      at[i] = 0;
    }
  }
  return idx;
}

/** f applied element-wise to the broadcast inputs; undefined when one is not a plain constant. */
function elementwise(ins: (ConstVal | undefined)[], float: boolean, f: (...v: number[]) => number): Val[] | undefined {
  const data = ins.map(nums);
  if (data.some((d) => !d)) return undefined;
  const out = broadcastDims(ins.map((c) => c!.dims));
  if (!out || prod(out) > FOLD_CAP) return undefined;
  const idx = ins.map((c) => sourceIndex(out, c!.dims));
  const n = prod(out);
  const res = new Array<number>(n);
  const args = new Array<number>(ins.length);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < ins.length; j++) args[j] = data[j]![idx[j]![k]!]!;
    res[k] = f(...args);
  }
  return make(out, res, float);
}

/** Add, Sub, Mul, Div, Mod, Pow with broadcasting (integer Div truncates, as ONNX's). */
export function foldArithmetic(_cv: Converter, n: PNode, a: Attrs, c: C): Val[] | undefined {
  const x = c(0)!;
  const fmod = attrInt(a, 'fmod', 0) === 1;
  if (n.op_type === 'Mod' && x.float && !fmod) return undefined;
  const f = {
    Add: (p: number, q: number) => p + q,
    Sub: (p: number, q: number) => p - q,
    Mul: (p: number, q: number) => p * q,
    Div: (p: number, q: number) => (x.float ? p / q : Math.trunc(p / q)),
    // Integer Mod takes the divisor's sign (fmod 0; torch's window padding (w - W % w) % w); fmod 1 the dividend's.
    Mod: (p: number, q: number) => (fmod ? p % q : ((p % q) + q) % q),
    Pow: (p: number, q: number) => (x.float ? Math.fround(p ** q) : Math.trunc(p ** q)),
  }[n.op_type as 'Add'];
  return elementwise([x, c(1)], x.float, f);
}

/** Equal, Greater, Less → bool (0 / 1 ints). */
export function foldCompare(_cv: Converter, n: PNode, _a: Attrs, c: C): Val[] | undefined {
  const f = { Equal: (p: number, q: number) => +(p === q), Greater: (p: number, q: number) => +(p > q), Less: (p: number, q: number) => +(p < q) }[n.op_type as 'Equal'];
  return elementwise([c(0), c(1)], false, f);
}

export const foldNot = (_cv: Converter, _n: PNode, _a: Attrs, c: C) => elementwise([c(0)], false, (p) => +!p);

export function foldWhere(_cv: Converter, _n: PNode, _a: Attrs, c: C): Val[] | undefined {
  const [x, y] = [c(1), c(2)];
  if (!x || !y || x.float !== y.float) return undefined;
  return elementwise([c(0), x, y], x.float, (p, q, r) => (p ? q : r));
}

/** Cast to bool (x ≠ 0); the other casts are fold.ts's. */
export function castBool(c: ConstVal): Val[] | undefined {
  return elementwise([c], false, (p) => +(p !== 0));
}

export function foldExpand(cv: Converter, _n: PNode, _a: Attrs, c: C): Val[] | undefined {
  const x = c(0)!;
  const shape = cv.ints(c(1)!, 'Expand shape');
  if (shape.some((d) => typeof d !== 'number' || d < 0)) return undefined;
  const out = broadcastDims([x.dims, shape as number[]]);
  const d = nums(x);
  if (!out || !d || prod(out) > FOLD_CAP) return undefined;
  const idx = sourceIndex(out, x.dims);
  return make(out, Array.from(idx, (i) => d[i]!), x.float);
}

export function foldRange(_cv: Converter, _n: PNode, _a: Attrs, c: C): Val[] | undefined {
  const [s, l, d] = [0, 1, 2].map((k) => nums(c(k)));
  if (!s || !l || !d || s.length !== 1 || l.length !== 1 || d.length !== 1 || d[0] === 0) return undefined;
  const count = Math.max(Math.ceil((l[0]! - s[0]!) / d[0]!), 0);
  if (!Number.isFinite(count) || count > FOLD_CAP) return undefined;
  return make([count], Array.from({ length: count }, (_, i) => s[0]! + i * d[0]!), c(0)!.float);
}

export function foldTranspose(_cv: Converter, _n: PNode, a: Attrs, c: C): Val[] | undefined {
  const x = c(0)!;
  const d = nums(x);
  const rank = x.dims.length;
  const perm = attrInts(a, 'perm') ?? x.dims.map((_, i) => rank - 1 - i);
  if (!d || perm.length !== rank || new Set(perm).size !== rank || perm.some((p) => p < 0 || p >= rank)) return undefined;
  const out = perm.map((p) => x.dims[p]!);
  // Reading the input with permuted strides walks the output in order.
  const strides = x.dims.map((_, i) => prod(x.dims.slice(i + 1)));
  const idx = new Int32Array(prod(out));
  const at = new Array<number>(rank).fill(0);
  for (let k = 0; k < idx.length; k++) {
    let off = 0;
    for (let i = 0; i < rank; i++) off += at[i]! * strides[perm[i]!]!;
    idx[k] = off;
    for (let i = rank - 1; i >= 0 && ++at[i]! >= out[i]!; i--) at[i] = 0;
  }
  return make(out, Array.from(idx, (i) => d[i]!), x.float);
}

/** Slice of any rank, negative steps included (ONNX's clamping rules). */
export function foldSliceN(cv: Converter, n: PNode, c: C): Val[] | undefined {
  const x = c(0)!;
  const d = nums(x);
  if (!d) return undefined;
  const r = x.dims.length;
  const starts = cv.ints(c(1)!, 'starts');
  const ends = cv.ints(c(2)!, 'ends');
  const axes = n.input?.[3] ? cv.ints(c(3)!, 'axes') : starts.map((_, i) => i);
  const steps = n.input?.[4] ? cv.ints(c(4)!, 'steps') : starts.map(() => 1);
  if ([starts, ends, axes, steps].some((v) => v.length !== starts.length || v.some((e) => typeof e !== 'number'))) return undefined;
  const pick = x.dims.map((len) => Array.from({ length: len }, (_, i) => i));
  for (let i = 0; i < starts.length; i++) {
    const ax = (axes[i] as number) < 0 ? (axes[i] as number) + r : (axes[i] as number);
    const step = steps[i] as number;
    if (ax < 0 || ax >= r || step === 0) return undefined;
    const len = x.dims[ax]!;
    const norm = (v: number) => (v < 0 ? v + len : v);
    const [lo, hi] = step > 0 ? [0, len] : [-1, len - 1];
    let s = Math.max(lo, Math.min(hi, norm(starts[i] as number)));
    const e = Math.max(lo, Math.min(hi, norm(ends[i] as number)));
    const kept: number[] = [];
    for (; step > 0 ? s < e : s > e; s += step) kept.push(s);
    pick[ax] = kept;
  }
  const out = pick.map((p) => p.length);
  const strides = x.dims.map((_, i) => prod(x.dims.slice(i + 1)));
  const res: number[] = [];
  const at = new Array<number>(r).fill(0);
  for (let k = 0, total = prod(out); k < total; k++) {
    let off = 0;
    for (let i = 0; i < r; i++) off += pick[i]![at[i]!]! * strides[i]!;
    res.push(d[off]!);
    for (let i = r - 1; i >= 0 && ++at[i]! >= out[i]!; i--) at[i] = 0;
  }
  return make(out, res, x.float);
}

/** Gather along any axis of a constant of any rank (fold.ts keeps the 1-D shape vectors). */
export function foldGatherN(_cv: Converter, _n: PNode, a: Attrs, c: C): Val[] | undefined {
  const [x, ic] = [c(0)!, c(1)!];
  const [d, ind] = [nums(x), nums(ic)];
  if (!d || !ind) return undefined;
  const r = x.dims.length;
  const ax = attrInt(a, 'axis', 0) < 0 ? attrInt(a, 'axis', 0) + r : attrInt(a, 'axis', 0);
  if (ax < 0 || ax >= r) return undefined;
  const len = x.dims[ax]!;
  const outer = prod(x.dims.slice(0, ax));
  const inner = prod(x.dims.slice(ax + 1));
  const out = [...x.dims.slice(0, ax), ...ic.dims, ...x.dims.slice(ax + 1)];
  if (prod(out) > FOLD_CAP || Array.from(ind).some((i) => i < -len || i >= len)) return undefined;
  const res: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const i of Array.from(ind)) {
      const base = (o * len + (i < 0 ? i + len : i)) * inner;
      for (let k = 0; k < inner; k++) res.push(d[base + k]!);
    }
  return make(out, res, x.float);
}

/** Concat of constants of any rank along `axis`. */
export function foldConcatN(cv: Converter, n: PNode, a: Attrs): Val[] | undefined {
  const parts = (n.input ?? []).filter((x) => x).map((x) => cv.values.get(x) as ConstVal);
  const data = parts.map(nums);
  const r = parts[0]!.dims.length;
  const ax = attrInt(a, 'axis', 0) < 0 ? attrInt(a, 'axis', 0) + r : attrInt(a, 'axis', 0);
  if (data.some((v) => !v) || data.reduce((t, v) => t + (v?.length ?? 0), 0) > FOLD_CAP || ax < 0 || ax >= r || parts.some((p) => p.dims.length !== r || p.float !== parts[0]!.float || p.dims.some((q, i) => i !== ax && q !== parts[0]!.dims[i]))) return undefined;
  const outer = prod(parts[0]!.dims.slice(0, ax));
  const res: number[] = [];
  for (let o = 0; o < outer; o++)
    parts.forEach((p, j) => {
      const chunk = prod(p.dims.slice(ax));
      for (let k = 0; k < chunk; k++) res.push(data[j]![o * chunk + k]!);
    });
  const out = parts[0]!.dims.slice();
  out[ax] = parts.reduce((s, p) => s + p.dims[ax]!, 0);
  return make(out, res, parts[0]!.float);
}

/** ScatterND without reduction: a copy of data with the indexed slices replaced by updates. */
export function foldScatterND(_cv: Converter, _n: PNode, a: Attrs, c: C): Val[] | undefined {
  const [x, ic, uc] = [c(0)!, c(1)!, c(2)!];
  const [d, ind, upd] = [nums(x), nums(ic), nums(uc)];
  if (!d || !ind || !upd || (attrString(a, 'reduction') ?? 'none') !== 'none' || x.float !== uc.float) return undefined;
  const k = ic.dims[ic.dims.length - 1]!;
  if (!(k >= 1 && k <= x.dims.length)) return undefined;
  const inner = prod(x.dims.slice(k));
  const count = ind.length / k;
  if (upd.length !== count * inner) return undefined;
  const res = Array.from(d);
  for (let j = 0; j < count; j++) {
    let off = 0;
    for (let q = 0; q < k; q++) {
      const len = x.dims[q]!;
      const i = ind[j * k + q]!;
      if (i < -len || i >= len) return undefined;
      off = off * len + (i < 0 ? i + len : i);
    }
    for (let e = 0; e < inner; e++) res[off * inner + e] = upd[j * inner + e]!;
  }
  return make(x.dims.slice(), res, x.float);
}
