// Merges: element-wise Add / Sub / Mul / Sum / Max / Mean of computed tensors of equal or
// broadcasting shapes (merge blocks; squeeze-excitation's [N,C,1,1] · [N,C,H,W]), the SiLU and
// Hardswish gates x · g(x) (one activation), Add of a constant bias onto a bias-free Dense, a
// product with a per-channel constant (LayerScale), and Concat.
import type { Converter, OpTable } from '../converter';
import { NCHW_TO_OURS, image, plain } from '../layout';
import { attrInt, Unsupported, type Attrs, type PNode } from '../proto';
import { concatStates } from './recurrent';
import { fmt, type ConstVal, type Dim, type TensorVal, type Val } from '../values';

/** The broadcast of ONNX shapes p and q (equal ranks; each axis equal or 1), or undefined. */
function broadcast(p: Dim[], q: Dim[]): Dim[] | undefined {
  if (p.length !== q.length) return undefined;
  const out: Dim[] = [p[0]!];
  for (let i = 1; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    if (a === b || b === 1) out.push(a);
    else if (a === 1) out.push(b);
    else return undefined;
  }
  return out;
}

/** Activations that are a gate g(x) whose product x · g(x) is one activation. */
const GATES: Readonly<Record<string, string>> = { sigmoid: 'swish', hardSigmoidTorch: 'hardSwish' };

/**
 * x · sigmoid(x) (SiLU) and x · hardsigmoid(x) (Hardswish at opset < 14), as torch exports them:
 * the gate's Activation block becomes swish / hardSwish, fused into the Conv / Dense that made x
 * when nothing else reads it. Undefined when `ts` is not that pattern.
 */
function gate(cv: Converter, ts: TensorVal[]): TensorVal | undefined {
  if (ts.length !== 2) return undefined;
  for (const [x, g] of [ts, [ts[1]!, ts[0]!]] as const) {
    const act = cv.node(g.ref.node);
    const fused = act?.type === 'Activation' ? GATES[String(act.params?.activation)] : undefined;
    if (!fused || g.ref.port !== 'out' || g.layout !== x.layout || !cv.soleUse(g.ref)) continue;
    const into = cv.edges.filter((e) => e.target === act!.id);
    if (into.length !== 1 || into[0]!.source !== x.ref.node || (into[0]!.sourceHandle ?? 'out') !== x.ref.port) continue;
    const maker = cv.node(x.ref.node);
    // x is read by the gate and by this product only: the activation can move onto its maker.
    if (maker && ['Conv2D', 'Dense', 'DepthwiseConv2D'].includes(maker.type) && (maker.params?.activation ?? 'linear') === 'linear' && x.ref.port === 'out' && cv.readers(x.ref) === 2) {
      cv.remove(act!.id);
      maker.params = { ...maker.params, activation: fused };
      return { ...x, nonNeg: false };
    }
    act!.params = { ...act!.params, activation: fused };
    return { ...g, nonNeg: false };
  }
  return undefined;
}

/**
 * x · c where c is one number or one per channel (ONNX [C,1,1] / [1,C,1,1] on an image, [C] on
 * the last axis otherwise): ConvNeXt's layer scale → a LayerScale block holding c. Undefined
 * when c varies along another axis.
 */
function channelScale(cv: Converter, t: TensorVal, c: ConstVal): TensorVal | undefined {
  const rank = t.shape.length;
  const chAxis = t.layout === 'nchw' || t.layout === 'pooled' ? 1 : rank - 1;
  if (!['plain', 'nchw', 'pooled'].includes(t.layout) || c.dims.length > rank) return undefined;
  const C = t.shape[chAxis];
  if (C == null) return undefined;
  // c's dims aligned to the right of t's (ONNX broadcasting): all 1 except maybe the channel axis.
  const dims = [...Array<number>(rank - c.dims.length).fill(1), ...c.dims];
  if (dims.some((d, i) => d !== 1 && !(i === chAxis && d === C))) return undefined;
  const v = cv.floats(c, 'scale');
  const gamma = v.length === C ? Float32Array.from(v) : Float32Array.from({ length: C }, () => v[0]!);
  const id = cv.add('LayerScale', { initValue: 1 }, [t.ref]);
  cv.weight(id, 'gamma', [C], gamma);
  return { ...t, ref: { node: id, port: 'out' }, nonNeg: t.nonNeg && gamma.every((g) => g >= 0), seqOf: undefined };
}

function convertMerge(cv: Converter, n: PNode): TensorVal {
  const inp = (n.input ?? []).filter((x) => x);
  const op = n.op_type;
  const vals = inp.map((x) => cv.val(x));
  const consts = vals.filter((v) => v.kind === 'const') as ConstVal[];
  if (consts.length) {
    // MatMul + Add(bias) → the Dense block's bias.
    if (op === 'Add' && vals.length === 2 && consts.length === 1) {
      const tIdx = vals[0]!.kind === 'tensor' ? 0 : 1;
      const t = vals[tIdx] as TensorVal;
      const b = cv.floats(consts[0]!, 'bias');
      const node = cv.node(t.ref.node);
      const units = t.shape[t.shape.length - 1];
      if (node?.type === 'Dense' && node.params?.useBias === false && cv.soleUse(t.ref) && b.length === units && (t.layout === 'plain' || t.layout === 'tmajor')) {
        node.params = { ...node.params, useBias: true };
        cv.weight(node.id, 'bias', [units], b);
        return { ...t };
      }
    }
    if (op === 'Mul' && vals.length === 2 && consts.length === 1) {
      const scaled = channelScale(cv, vals[0]!.kind === 'tensor' ? (vals[0] as TensorVal) : (vals[1] as TensorVal), consts[0]!);
      if (scaled) return scaled;
    }
    throw new Unsupported(`${op} with a constant operand (${consts.map((c) => fmt(c.dims)).join(', ')}) has no block: merge blocks combine computed tensors only`);
  }
  const ts = vals as TensorVal[];
  let shape: Dim[] | undefined = ts[0]!.shape;
  for (const t of ts.slice(1)) shape = shape && broadcast(shape, t.shape);
  if (!shape)
    throw new Unsupported(`${op} of shapes ${ts.map((t) => fmt(t.shape)).join(' and ')}: the merge blocks broadcast only equal ranks whose axes are equal or 1 (as [N,C,1,1] with [N,C,H,W])`);
  if (op === 'Mul') {
    const g = gate(cv, ts);
    if (g) return g;
  }
  const layouts = new Set(ts.map((t) => t.layout));
  let vs: TensorVal[];
  if (layouts.size === 1 && ['plain', 'nchw', 'pooled', 'ncl', 'tmajor'].includes(ts[0]!.layout)) vs = ts;
  else if (ts[0]!.shape.length === 4) vs = ts.map((t, k) => image(cv, inp[k]!, t));
  else vs = ts.map((t, k) => plain(cv, inp[k]!, t));
  const type = { Add: 'Add', Sum: 'Add', Sub: 'Subtract', Mul: 'Multiply', Max: 'Maximum', Mean: 'Average' }[op]!;
  if (vs.length === 1) return vs[0]!;
  const id = cv.add(type, {}, vs.map((v) => v.ref), cv.current, vs.map((_, k) => `in${k}`));
  const nonNeg = (type === 'Add' || type === 'Average' || type === 'Multiply') && vs.every((v) => v.nonNeg);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: vs[0]!.layout, shape, nonNeg: nonNeg || (type === 'Maximum' && vs.some((v) => v.nonNeg)) };
}
function convertConcat(cv: Converter, n: PNode, a: Attrs): Val {
  const inp = n.input ?? [];
  const ts = inp.map((x) => cv.tensor(x));
  // torch.cat of one tensor (DenseNet's first layer of each block) is that tensor.
  if (ts.length === 1) return ts[0]!;
  let axis = attrInt(a, 'axis', 0);
  const rank = ts[0]!.shape.length;
  if (axis < 0) axis += rank;
  const states = concatStates(ts, axis);
  if (states) return states;
  if (axis === 0) throw new Unsupported('Concat along the batch axis has no block');
  const img = ts.some((t) => t.layout === 'nchw') && rank === 4;
  // Conv1d outputs [N, C, L] stay channels-last: ONNX axis 1 (channels) is our axis 2.
  const seq = ts.every((t) => t.layout === 'ncl');
  const vs = ts.map((t, k) => (img ? image(cv, inp[k]!, t) : seq ? t : plain(cv, inp[k]!, t)));
  const ours = img ? NCHW_TO_OURS[axis]! : seq ? [0, 2, 1][axis]! : axis;
  const id = cv.add('Concatenate', { axis: ours }, vs.map((v) => v.ref), cv.current, vs.map((_, k) => `in${k}`));
  const shape = ts[0]!.shape.slice();
  shape[axis] = ts.every((t) => t.shape[axis] != null) ? ts.reduce((s, t) => s + (t.shape[axis] as number), 0) : null;
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: img ? 'nchw' : seq ? 'ncl' : 'plain', shape, nonNeg: ts.every((t) => t.nonNeg) };
}

export const MERGE_OPS: OpTable = {
  Add: convertMerge,
  Sub: convertMerge,
  Mul: convertMerge,
  Sum: convertMerge,
  Max: convertMerge,
  Mean: convertMerge,
  Concat: convertConcat,
};
