// Pooling: MaxPool / AveragePool (2-D, NCHW; ceil_mode → the blocks' ceilMode), global pooling, and ReduceMean / ReduceMax over
// the spatial (or time) axes, which is global pooling written as a reduction.
import type { Converter, OpTable } from '../converter';
import { image } from '../layout';
import { convertPool1d, reduceSequence } from './pool1d';
import { ceilPoolLength } from '../../../core/layers/pooling';
import { Unsupported, attrInt, attrInts, attrString, type Attrs, type PNode } from '../proto';
import { describeLayout, fmt, type Dim, type Layout, type TensorVal, type Val } from '../values';
import { padMode, tfSamePads, windowOut, zeroPad, type PadMode } from '../window';

function convertPool(cv: Converter, n: PNode, a: Attrs): TensorVal {
  const inp = n.input ?? [];
  const t0 = cv.tensor(inp[0]!);
  if (t0.shape.length === 3) return convertPool1d(cv, n, a, t0);
  if (t0.shape.length !== 4) throw new Unsupported(`${n.op_type} on a rank-${t0.shape.length} input: only 1-D ([N, C, L]) and 2-D (NCHW) pooling are mapped`);
  // An Indices output nothing reads is fine (our exporter adds one to stop onnxruntime's PadFusion).
  const indices = (n.output ?? [])[1];
  if (indices && (cv.uses.get(indices) ?? 0) > 0) throw new Unsupported('MaxPool with an Indices output has no block');
  const k = attrInts(a, 'kernel_shape')!;
  const s = attrInts(a, 'strides') ?? [1, 1];
  const d = attrInts(a, 'dilations') ?? [1, 1];
  if (d.some((v) => v !== 1)) throw new Unsupported(`pooling dilations ${JSON.stringify(d)} have no block`);
  const max = n.op_type === 'MaxPool';
  let pm = padMode(a, t0.shape.slice(2), k, s, d, n.op_type);
  const ceil = attrInt(a, 'ceil_mode', 0) === 1 && ceilMatters(n.op_type, t0.shape, pm, a, k, s);
  // ceil_mode is a "valid" pool with one more, partial window (the block's ceilMode), after any
  // explicit pads: pads that happen to equal tfjs "same" are made explicit for it.
  if (ceil && pm.mode === 'same') pm = { mode: 'explicit', pads: [tfSamePads(t0.shape[2] as number, k[0]!, s[0]!, 1), tfSamePads(t0.shape[3] as number, k[1]!, s[1]!, 1)] };
  // A 1×1 window with stride 1 and no padding is an identity (torchvision's AdaptiveAvgPool at
  // its native size exports as one).
  if (pm.mode === 'valid' && k.every((v) => v === 1) && s.every((v) => v === 1)) return t0;
  const x = image(cv, inp[0]!, t0);
  let src = x;
  let padding = pm.mode === 'same' ? 'same' : 'valid';
  const countPad = attrInt(a, 'count_include_pad', 0) === 1;
  if (pm.mode === 'same' && !max && countPad) padding = 'explicit';
  if (pm.mode === 'explicit' || padding === 'explicit') {
    const pads =
      pm.mode === 'explicit'
        ? pm.pads
        : ([tfSamePads(x.shape[2] as number, k[0]!, s[0]!, 1), tfSamePads(x.shape[3] as number, k[1]!, s[1]!, 1)] as [[number, number], [number, number]]);
    if (max && !x.nonNeg)
      throw new Unsupported(
        `MaxPool pads ${JSON.stringify(pads)} on an input that may be negative: ONNX pads with -∞, a ZeroPadding2D would change the max (only after a Relu-like op is it exact), and the pads are not tfjs "same"`,
      );
    if (!max && !countPad) throw new Unsupported(`AveragePool pads ${JSON.stringify(pads)} with count_include_pad 0 are not tfjs "same" padding; no block averages over a custom border`);
    src = zeroPad(cv, x, pads);
    padding = 'valid';
  }
  const id = cv.add(max ? 'MaxPooling2D' : 'AveragePooling2D', { poolSize: k, strides: s, padding, ...(ceil ? { ceilMode: true } : {}) }, [src.ref]);
  const hw = ceil ? ([0, 1].map((i) => ceilPoolLength(src.shape[2 + i] as number, k[i]!, s[i]!)) as [Dim, Dim]) : windowOut(src, padding === 'same', k, s, [1, 1]);
  const shape: Dim[] = [src.shape[0]!, src.shape[1]!, ...hw];
  return { ...src, ref: { node: id, port: 'out' }, shape };
}

/**
 * Whether ceil_mode 1 changes the output size (else it is dropped). Where it does, the block's
 * ceilMode on the padded input must give PyTorch's / ONNX's size: the last window starts inside
 * the input or its left padding.
 */
function ceilMatters(op: string, shape: Dim[], pm: PadMode, a: Attrs, k: number[], s: number[]): boolean {
  if ((attrString(a, 'auto_pad') ?? 'NOTSET') !== 'NOTSET') return false; // ceil_mode does not apply to auto_pad
  const hw = shape.slice(2);
  if (hw.some((v) => v == null)) throw new Unsupported(`${op} with ceil_mode 1 on ${fmt(shape)}: the spatial size must be known`);
  const pads = pm.mode === 'explicit' ? pm.pads : pm.mode === 'same' ? hw.map((v, i) => tfSamePads(v!, k[i]!, s[i]!, 1)) : [[0, 0], [0, 0]];
  let matters = false;
  for (let i = 0; i < 2; i++) {
    const [b, e] = pads[i]!;
    const len = hw[i]! + b! + e!;
    const floor = Math.floor((len - k[i]!) / s[i]!) + 1;
    let torch = Math.ceil((len - k[i]!) / s[i]!) + 1;
    if ((torch - 1) * s[i]! >= hw[i]! + b!) torch--;
    if (torch === floor) continue;
    if (ceilPoolLength(len, k[i]!, s[i]!) !== torch)
      throw new Unsupported(`${op} with ceil_mode 1 and pads ${JSON.stringify(pads)}: its last window would start in the end padding, which the block's ceilMode counts differently`);
    matters = true;
  }
  return matters;
}

function convertGlobalPool(cv: Converter, n: PNode): Val {
  const inp = n.input ?? [];
  const op = n.op_type;
  const t = image(cv, inp[0]!, cv.tensor(inp[0]!));
  const id = cv.add(op === 'GlobalAveragePool' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D', {}, [t.ref]);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'pooled', shape: [t.shape[0]!, t.shape[1]!, 1, 1], nonNeg: t.nonNeg };
}

/** Global pooling written as a reduction over the spatial (or time) axes. */
function convertReduce(cv: Converter, n: PNode, a: Attrs): Val {
  const inp = n.input ?? [];
  const op = n.op_type;
  const t = cv.tensor(inp[0]!);
  const rank = t.shape.length;
  const axes = (inp[1] ? (cv.ints(cv.constant(inp[1], 'axes'), 'axes') as number[]) : (attrInts(a, 'axes') ?? [])).map((x) => (x < 0 ? x + rank : x)).sort();
  const keep = attrInt(a, 'keepdims', 1) === 1;
  const avg = op === 'ReduceMean';
  const seq = reduceSequence(cv, op, t, axes, keep);
  if (seq) return seq;
  let type: string | undefined;
  let layout: Layout = 'plain';
  let shape: Dim[] = [];
  // keepdims on a channels-last value (Keras-style squeeze-excitation: mean over [1, 2] kept as
  // [N, 1, 1, C]) is the block's keepDims, which needs the channel count.
  let keepDims = false;
  if (rank === 4 && t.layout === 'nchw' && axes.join() === '2,3') {
    type = avg ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
    layout = keep ? 'pooled' : 'plain';
    shape = keep ? [t.shape[0]!, t.shape[1]!, 1, 1] : [t.shape[0]!, t.shape[1]!];
  } else if (rank === 4 && t.layout === 'plain' && axes.join() === '1,2' && (!keep || t.shape[3] != null)) {
    type = avg ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
    keepDims = keep;
    shape = keep ? [t.shape[0]!, 1, 1, t.shape[3]!] : [t.shape[0]!, t.shape[3]!];
  } else if (rank === 3 && t.layout === 'plain' && axes.join() === '1' && (!keep || t.shape[2] != null)) {
    type = avg ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D';
    keepDims = keep;
    shape = keep ? [t.shape[0]!, 1, t.shape[2]!] : [t.shape[0]!, t.shape[2]!];
  } else if (rank === 3 && t.layout === 'tmajor' && axes.join() === '0' && !keep) {
    type = avg ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D';
    shape = [t.shape[1]!, t.shape[2]!];
  }
  if (!type) throw new Unsupported(`${op} over axes ${JSON.stringify(axes)} (keepdims ${keep ? 1 : 0}) of ${describeLayout(t.layout)} ${fmt(t.shape)}: only global pooling over the spatial / time axes (with a known channel count when the dims are kept) is mapped`);
  const id = cv.add(type, keepDims ? { keepDims: true } : {}, [t.ref]);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout, shape, nonNeg: t.nonNeg };
}

export const POOLING_OPS: OpTable = {
  MaxPool: convertPool,
  AveragePool: convertPool,
  GlobalAveragePool: convertGlobalPool,
  GlobalMaxPool: convertGlobalPool,
  ReduceMean: convertReduce,
  ReduceMax: convertReduce,
};
