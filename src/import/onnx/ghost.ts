// Stand-ins for the outputs of a node that did not import, so the walk goes on and names every
// blocker in one run (ResNeXt's 16 grouped convolutions, not just the first). A stand-in is made
// only where its ONNX shape is certain without the block — element-wise ops, Conv and pooling —
// reductions that keep their dims — so a later refusal is a real one; after any other op the values stay unknown and what reads
// them is not checked. A stand-in reads as never negative, so that it can only hide a MaxPool
// padding refusal, never invent one. The graph is never built when there is a blocker.
import type { Converter } from './converter';
import { attrInt, attrInts, attrString, type Attrs, type PNode } from './proto';
import { MHA_OP, SWIN_ATTENTION_OP, attentionSpec } from './patterns';
import type { Dim, TensorVal } from './values';

/** Ops whose output has the shape of their first input. */
const SAME_SHAPE = new Set([
  'Relu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Clip', 'LeakyRelu', 'Elu', 'Selu', 'Softplus', 'Softsign', 'Softmax',
  'BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'Dropout', 'Identity', 'Erf', 'Gelu', 'Mish', 'PRelu',
  'Neg', 'Abs', 'Sqrt', 'Exp', 'Log', 'Reciprocal', 'Cast', SWIN_ATTENTION_OP,
]);
const REDUCE = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL2']);
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean']);

/** The stand-in for output 0 of node `n` (that failed), or undefined where its shape is unsure. */
export function ghostOf(cv: Converter, n: PNode, a: Attrs): TensorVal | undefined {
  const ins = (n.input ?? []).map((x) => (x ? cv.values.get(x) : undefined));
  const ts = ins.filter((v): v is TensorVal => v?.kind === 'tensor');
  const t = ins[0]?.kind === 'tensor' ? (ins[0] as TensorVal) : undefined;
  const ghost = (like: TensorVal, shape: Dim[]): TensorVal => ({ kind: 'tensor', ref: { node: `${cv.current}__refused`, port: 'out' }, layout: like.layout, shape, nonNeg: true });
  if (!ts.length || (n.domain && n.domain !== 'ai.onnx')) return undefined;
  if (SAME_SHAPE.has(n.op_type) && t) return ghost(t, t.shape.slice());
  // Refused attention (a mask no block has): the query's shape with the output projection's width.
  const att = n.op_type === MHA_OP ? attentionSpec(n) : undefined;
  const ow = att && cv.values.get(att.o.w);
  if (att && t && ow?.kind === 'const' && ow.dims.length === 2) return ghost(t, [...t.shape.slice(0, -1), ow.dims[att.o.transB ? 0 : 1]!]);
  if (BROADCAST.has(n.op_type)) {
    const rank = Math.max(...ins.map((v) => (v?.kind === 'tensor' ? v.shape.length : (v?.dims.length ?? 0))));
    const big = ts.find((v) => v.shape.length === rank);
    if (!big || ts.some((v) => v.shape.length !== rank)) return undefined;
    const shape = big.shape.map((d, i) => (i === 0 ? d : ts.some((v) => v.shape[i] == null) ? null : Math.max(...ts.map((v) => v.shape[i] as number))));
    return ghost(big, shape);
  }
  if (REDUCE.has(n.op_type) && t) {
    // Reductions keep the rank with keepdims (the default): the reduced axes become 1.
    const axesIn = n.input?.[1] ? cv.values.get(n.input[1]) : undefined;
    const axes = attrInts(a, 'axes') ?? (axesIn?.kind === 'const' ? (Array.from(axesIn.data as ArrayLike<unknown>) as number[]) : undefined);
    if (!axes || attrInt(a, 'keepdims', 1) !== 1 || axes.some((x) => typeof x !== 'number')) return undefined;
    const rank = t.shape.length;
    const set = new Set(axes.map((x) => (x < 0 ? x + rank : x)));
    if (set.has(0)) return undefined;
    return ghost(t, t.shape.map((d, i) => (set.has(i) ? 1 : d)));
  }
  const windowed = n.op_type === 'Conv' || n.op_type === 'MaxPool' || n.op_type === 'AveragePool';
  if (!windowed || !t || t.shape.length !== 4 || (t.layout !== 'nchw' && t.layout !== 'plain')) return undefined;
  let channels = t.shape[1]!;
  let k = attrInts(a, 'kernel_shape');
  if (n.op_type === 'Conv') {
    const w = ins[1];
    if (w?.kind !== 'const' || w.dims.length !== 4) return undefined;
    channels = w.dims[0]!;
    k ??= w.dims.slice(2);
  }
  if (!k || k.length !== 2) return undefined;
  const s = attrInts(a, 'strides') ?? [1, 1];
  const d = attrInts(a, 'dilations') ?? [1, 1];
  const pads = attrInts(a, 'pads') ?? [0, 0, 0, 0];
  const auto = attrString(a, 'auto_pad') ?? 'NOTSET';
  const ceil = attrInt(a, 'ceil_mode', 0) === 1;
  const hw = [0, 1].map((i) => {
    const len = t.shape[2 + i];
    if (len == null) return null;
    if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') return Math.ceil(len / s[i]!);
    const span = len + (auto === 'VALID' ? 0 : pads[i]! + pads[i + 2]!) - (k[i]! - 1) * d[i]! - 1;
    let out = (ceil ? Math.ceil(span / s[i]!) : Math.floor(span / s[i]!)) + 1;
    if (ceil && (out - 1) * s[i]! >= len + pads[i]!) out--;
    return out;
  });
  return { ...ghost(t, [t.shape[0]!, channels, hw[0]!, hw[1]!]), layout: 'nchw' };
}
