// Constant folding: the shape arithmetic exporters write (Shape → Gather → Unsqueeze → Concat →
// Reshape, ConstantOfShape for zero initial states, Identity of initializers) is computed at
// import time, with the batch dimension carried symbolically ("N"); whole tensors of constants
// (index and mask arithmetic, foldMore.ts) are computed too. One table entry per op; an op
// that does not fold here (or whose inputs are not all constants) goes to the op importers.
import type { Converter } from './converter';
import { castBool, foldArithmetic, foldCompare, foldConcatN, foldExpand, foldGatherN, foldNot, foldRange, foldScatterND, foldSliceN, foldTranspose, foldWhere } from './foldMore';
import { NOT_BATCH_FIRST } from './layout';
import { PAD_SHAPE_OP } from './patterns/swin';
import { DT_BOOL, DT_DOUBLE, DT_FLOAT, DT_INT32, DT_INT64, Unsupported, attrInt, attrInts, checkedCount, tensorValues, type Attrs, type PNode } from './proto';
import { constInts, prod, type ConstVal, type Sym, type Val } from './values';

/** Folds node `n` given its inputs' values (undefined where not known at import time). */
type Folder = (cv: Converter, n: PNode, a: Attrs, ins: (Val | undefined)[]) => Val[] | undefined;
/** Folds node `n` whose inputs are all constants: `c(k)` is input k. */
type ConstFolder = (cv: Converter, n: PNode, a: Attrs, c: (k: number) => ConstVal | undefined) => Val[] | undefined;

function foldConstant(_cv: Converter, n: PNode, a: Attrs): Val[] | undefined {
  const t = a.get('value')?.t;
  if (t) {
    const v = tensorValues(t, `Constant "${n.name}"`);
    return [{ kind: 'const', dims: v.dims, float: v.float, data: v.data }];
  }
  const vf = a.get('value_float')?.f ?? a.get('value_floats')?.floats;
  if (vf !== undefined) return [{ kind: 'const', dims: Array.isArray(vf) ? [vf.length] : [], float: true, data: Float32Array.from(Array.isArray(vf) ? vf : [vf]) }];
  const vi = a.get('value_int')?.i ?? a.get('value_ints')?.ints;
  if (vi !== undefined) return [constInts(Array.isArray(vi) ? [vi.length] : [], (Array.isArray(vi) ? vi : [vi]).map(Number))];
  throw new Unsupported('Constant without a tensor, float or int value');
}

/** The shape of any value: its dims, the batch "N" where it is the first ONNX axis. */
function foldShape(_cv: Converter, _n: PNode, a: Attrs, ins: (Val | undefined)[]): Val[] | undefined {
  const v = ins[0];
  if (!v) return undefined;
  return shapeSlice(a, v.kind === 'const' ? v.dims : v.shape.map((d, i) => (d === null ? (i === 0 && !NOT_BATCH_FIRST.has(v.layout) ? 'N' : null) : d)));
}

/** Shape's start / end attributes applied to the dims. */
function shapeSlice(a: Attrs, dims: Sym[]): Val[] {
  const start = attrInt(a, 'start', 0);
  const endA = a.get('end');
  const sl = dims.slice(start, endA ? Number(endA.i) : undefined);
  return [constInts([sl.length], sl)];
}

/**
 * The shape of Pad(x, pads) (patterns/swin.ts puts the Pad into a fused node and keeps the size
 * arithmetic that reads its shape): x's shape plus each axis' begin and end pads.
 */
function foldPadShape(cv: Converter, n: PNode, a: Attrs, ins: (Val | undefined)[]): Val[] | undefined {
  const shape = foldShape(cv, n, new Map(), ins.slice(0, 1))?.[0] as ConstVal | undefined;
  const pads = ins[1];
  if (!shape) return undefined;
  const dims = (shape.data as Sym[]).slice();
  if (pads) {
    const p = cv.ints(cv.constant(n.input![1], 'Pad pads'), 'Pad pads');
    if (p.length !== 2 * dims.length) throw new Unsupported(`Pad pads ${JSON.stringify(p)} are not 2 × the rank ${dims.length}`);
    dims.forEach((d, i) => {
      const [b, e] = [p[i], p[i + dims.length]];
      if (typeof b !== 'number' || typeof e !== 'number') throw new Unsupported('Pad pads depend on the batch size');
      if (b !== 0 || e !== 0) dims[i] = typeof d === 'number' ? d + b + e : null;
    });
  }
  return shapeSlice(a, dims);
}

function foldCast(cv: Converter, _n: PNode, a: Attrs, c: (k: number) => ConstVal | undefined): Val[] | undefined {
  const x = c(0)!;
  const to = attrInt(a, 'to', DT_FLOAT);
  if (to === DT_FLOAT || to === DT_DOUBLE) return [{ ...x, float: true, data: x.fill !== undefined ? x.data : Float32Array.from(cv.ints(x, 'Cast input') as number[]) }];
  if (to === DT_INT64 || to === DT_INT32) return [{ ...x, float: false, data: x.data instanceof Float32Array ? Array.from(x.data, Math.trunc) : x.data }];
  return to === DT_BOOL ? castBool(x) : undefined;
}

function foldGather(cv: Converter, _n: PNode, a: Attrs, c: (k: number) => ConstVal | undefined): Val[] | undefined {
  const x = c(0)!;
  const idx = cv.ints(c(1)!, 'Gather indices');
  const axis = attrInt(a, 'axis', 0);
  if (x.dims.length !== 1 || axis !== 0) return foldGatherN(cv, _n, a, c);
  const src = Array.from(x.data as ArrayLike<Sym>);
  const pick = idx.map((i) => {
    if (typeof i !== 'number') throw new Unsupported('Gather index depends on the batch size');
    return src[i < 0 ? i + src.length : i]!;
  });
  return [{ kind: 'const', dims: c(1)!.dims, float: x.float, data: x.float ? Float32Array.from(pick as number[]) : pick }];
}

/** Squeeze and Unsqueeze. */
function foldSqueeze(cv: Converter, n: PNode, a: Attrs, c: (k: number) => ConstVal | undefined): Val[] | undefined {
  const x = c(0)!;
  const axes = (n.input?.[1] ? cv.ints(c(1)!, 'axes') : (attrInts(a, 'axes') ?? [])) as number[];
  let dims = x.dims.slice();
  if (n.op_type === 'Unsqueeze') {
    const r = dims.length + axes.length;
    for (const ax of axes.map((q) => (q < 0 ? q + r : q)).sort((p, q) => p - q)) dims.splice(ax, 0, 1);
  } else {
    const r = dims.length;
    const drop = axes.length ? axes.map((q) => (q < 0 ? q + r : q)) : dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    dims = dims.filter((_, i) => !drop.includes(i));
  }
  return [{ ...x, dims }];
}

function foldConcat(cv: Converter, n: PNode, a: Attrs): Val[] | undefined {
  const parts = (n.input ?? []).filter((x) => x).map((x) => cv.values.get(x) as ConstVal);
  if (parts.some((p) => p.dims.length !== 1)) return foldConcatN(cv, n, a);
  const data = parts.flatMap((p) => Array.from(p.data as ArrayLike<Sym>));
  return [{ kind: 'const', dims: [data.length], float: parts[0]!.float, data: parts[0]!.float ? Float32Array.from(data as number[]) : data }];
}

function foldSlice(cv: Converter, n: PNode, a: Attrs, c: (k: number) => ConstVal | undefined): Val[] | undefined {
  const x = c(0)!;
  if (x.dims.length !== 1) return sliceUniform(cv, n, a, c) ?? foldSliceN(cv, n, c);
  const src = Array.from(x.data as ArrayLike<Sym>);
  const starts = cv.ints(c(1)!, 'starts') as number[];
  const ends = cv.ints(c(2)!, 'ends') as number[];
  const steps = n.input?.[4] ? (cv.ints(c(4)!, 'steps') as number[]) : [1];
  if (steps[0] !== 1) return foldSliceN(cv, n, c);
  const L = src.length;
  const cl = (v: number) => Math.max(0, Math.min(L, v < 0 ? v + L : v));
  const out = src.slice(cl(starts[0]!), cl(ends[0]!));
  return [{ kind: 'const', dims: [out.length], float: x.float, data: x.float ? Float32Array.from(out as number[]) : out }];
}

/**
 * A Slice of a constant whose elements are all equal (PyTorch's zero initial state of a
 * multi-layer RNN, sliced per layer): the same constant with the sliced dims.
 */
function sliceUniform(cv: Converter, n: PNode, _a: Attrs, c: (k: number) => ConstVal | undefined): Val[] | undefined {
  const x = c(0)!;
  const fill = x.fill ?? (x.data.length && Array.from(x.data as ArrayLike<Sym>).every((v) => v === x.data[0]) ? x.data[0] : undefined);
  if (typeof fill !== 'number' || !n.input?.[3]) return undefined;
  const starts = cv.ints(c(1)!, 'starts');
  const ends = cv.ints(c(2)!, 'ends');
  const axes = cv.ints(c(3)!, 'axes');
  const steps = n.input?.[4] ? cv.ints(c(4)!, 'steps') : axes.map(() => 1);
  const dims = x.dims.slice();
  for (let i = 0; i < axes.length; i++) {
    const ax = axes[i]!;
    const [s, e] = [starts[i], ends[i]];
    if (typeof ax !== 'number' || typeof s !== 'number' || typeof e !== 'number' || steps[i] !== 1) return undefined;
    const r = ax < 0 ? ax + dims.length : ax;
    const L = dims[r]!;
    if (L < 0) return undefined;
    const cl = (v: number) => Math.max(0, Math.min(L, v < 0 ? v + L : v));
    dims[r] = Math.max(0, cl(e) - cl(s));
  }
  if (dims.some((d) => d < 0)) return [{ ...x, dims, data: [], fill }];
  return [{ ...x, dims, data: x.float ? new Float32Array(prod(dims)).fill(fill) : new Array<Sym>(prod(dims)).fill(fill), fill: undefined }];
}

function foldConstantOfShape(cv: Converter, n: PNode, a: Attrs, c: (k: number) => ConstVal | undefined): Val[] | undefined {
  const shape = cv.ints(c(0)!, 'shape');
  const t = a.get('value')?.t;
  const fill = t ? Number(tensorValues(t, 'ConstantOfShape value').data[0]) : 0;
  const float = t ? (t.data_type ?? DT_FLOAT) === DT_FLOAT : true;
  if (shape.every((d) => typeof d === 'number')) {
    const dims = shape as number[];
    checkedCount(dims, `ConstantOfShape "${n.name ?? ''}"`);
    return [{ kind: 'const', dims, float, data: float ? new Float32Array(prod(dims)).fill(fill) : new Array<Sym>(prod(dims)).fill(fill) }];
  }
  return [{ kind: 'const', dims: shape.map((d) => (typeof d === 'number' ? d : -1)), float, data: [], fill }];
}

function foldReshape(cv: Converter, _n: PNode, _a: Attrs, c: (k: number) => ConstVal | undefined): Val[] | undefined {
  const x = c(0)!;
  if (x.fill !== undefined) return undefined;
  const shape = cv.ints(c(1)!, 'shape') as number[];
  const total = x.data.length;
  const known = shape.map((d, i) => (d === 0 ? x.dims[i]! : d));
  const neg = known.indexOf(-1);
  if (neg >= 0) known[neg] = total / prod(known.filter((d) => d !== -1));
  return [{ ...x, dims: known }];
}

/** Ops folded whatever their inputs are (Shape reads only a value's shape). */
const ANY_INPUTS: Readonly<Record<string, Folder>> = { Constant: foldConstant, Shape: foldShape, [PAD_SHAPE_OP]: foldPadShape };

/** Ops folded when every input is a constant. */
const ON_CONSTANTS: Readonly<Record<string, ConstFolder>> = {
  Identity: (_cv, _n, _a, c) => [c(0)!],
  Cast: foldCast,
  Gather: foldGather,
  Unsqueeze: foldSqueeze,
  Squeeze: foldSqueeze,
  Concat: foldConcat,
  Slice: foldSlice,
  ConstantOfShape: foldConstantOfShape,
  Add: foldArithmetic,
  Sub: foldArithmetic,
  Mul: foldArithmetic,
  Div: foldArithmetic,
  Mod: foldArithmetic,
  Pow: foldArithmetic,
  Equal: foldCompare,
  Greater: foldCompare,
  Less: foldCompare,
  Not: foldNot,
  Where: foldWhere,
  Expand: foldExpand,
  Range: foldRange,
  Transpose: foldTranspose,
  ScatterND: foldScatterND,
  Reshape: foldReshape,
};

/** Ops the import only folds (no block): after a refused value they are unchecked, not blockers. */
export const FOLDABLE: ReadonlySet<string> = new Set([...Object.keys(ANY_INPUTS), ...Object.keys(ON_CONSTANTS)]);

/** The node's output values when it folds to constants, else undefined. */
export function foldConst(cv: Converter, n: PNode, a: Attrs): Val[] | undefined {
  const ins = (n.input ?? []).map((x) => (x ? cv.values.get(x) : undefined));
  if (Object.hasOwn(ANY_INPUTS, n.op_type)) return ANY_INPUTS[n.op_type]!(cv, n, a, ins);
  const allConst = (n.input ?? []).every((x, k) => !x || ins[k]?.kind === 'const');
  if (!allConst || !ins.some((v) => v) || !Object.hasOwn(ON_CONSTANTS, n.op_type)) return undefined;
  return ON_CONSTANTS[n.op_type]!(cv, n, a, (k) => ins[k] as ConstVal | undefined);
}
