// Merges: element-wise Add / Sub / Mul / Sum / Max / Mean of computed tensors of equal shapes
// (merge blocks), Add of a constant bias onto a bias-free Dense, and Concat.
import type { Converter, OpTable } from '../converter';
import { NCHW_TO_OURS, image, plain } from '../layout';
import { attrInt, Unsupported, type Attrs, type PNode } from '../proto';
import { fmt, type ConstVal, type Dim, type TensorVal, type Val } from '../values';

function sameShape(p: Dim[], q: Dim[]): boolean {
  return p.length === q.length && p.every((d, i) => i === 0 || d === q[i]);
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
      if (node?.type === 'Dense' && node.params?.useBias === false && cv.soleUse(t.ref) && b.length === units && t.layout === 'plain') {
        node.params = { ...node.params, useBias: true };
        cv.weight(node.id, 'bias', [units], b);
        return { ...t };
      }
    }
    throw new Unsupported(`${op} with a constant operand (${consts.map((c) => fmt(c.dims)).join(', ')}) has no block: merge blocks combine computed tensors only`);
  }
  const ts = vals as TensorVal[];
  for (const t of ts.slice(1))
    if (!sameShape(ts[0]!.shape, t.shape)) throw new Unsupported(`${op} of shapes ${fmt(ts[0]!.shape)} and ${fmt(t.shape)}: broadcasting has no block (merge blocks need equal shapes)`);
  const layouts = new Set(ts.map((t) => t.layout));
  let vs: TensorVal[];
  if (layouts.size === 1 && ['plain', 'nchw', 'pooled'].includes(ts[0]!.layout)) vs = ts;
  else if (ts[0]!.shape.length === 4) vs = ts.map((t, k) => image(cv, inp[k]!, t));
  else vs = ts.map((t, k) => plain(cv, inp[k]!, t));
  const type = { Add: 'Add', Sum: 'Add', Sub: 'Subtract', Mul: 'Multiply', Max: 'Maximum', Mean: 'Average' }[op]!;
  if (vs.length === 1) return vs[0]!;
  const id = cv.add(type, {}, vs.map((v) => v.ref), cv.current, vs.map((_, k) => `in${k}`));
  const nonNeg = (type === 'Add' || type === 'Average' || type === 'Multiply') && vs.every((v) => v.nonNeg);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: vs[0]!.layout, shape: vs[0]!.shape, nonNeg: nonNeg || (type === 'Maximum' && vs.some((v) => v.nonNeg)) };
}
function convertConcat(cv: Converter, n: PNode, a: Attrs): Val {
  const inp = n.input ?? [];
  const ts = inp.map((x) => cv.tensor(x));
  let axis = attrInt(a, 'axis', 0);
  const rank = ts[0]!.shape.length;
  if (axis < 0) axis += rank;
  if (axis === 0) throw new Unsupported('Concat along the batch axis has no block');
  const img = ts.some((t) => t.layout === 'nchw') && rank === 4;
  const vs = ts.map((t, k) => (img ? image(cv, inp[k]!, t) : plain(cv, inp[k]!, t)));
  const ours = img ? NCHW_TO_OURS[axis]! : axis;
  const id = cv.add('Concatenate', { axis: ours }, vs.map((v) => v.ref), cv.current, vs.map((_, k) => `in${k}`));
  const shape = ts[0]!.shape.slice();
  shape[axis] = ts.every((t) => t.shape[axis] != null) ? ts.reduce((s, t) => s + (t.shape[axis] as number), 0) : null;
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: img ? 'nchw' : 'plain', shape, nonNeg: ts.every((t) => t.nonNeg) };
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
