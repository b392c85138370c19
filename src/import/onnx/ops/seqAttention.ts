// Dot-product (Luong) attention written with torch.bmm, as in a seq2seq decoder attending over
// its encoder: scores = bmm(q, kᵀ) → softmax over the keys → bmm(weights, v). That is the
// Attention block (scoreMode "dot", no scale): query q, value v, key k (the value when k is v).
// The three ONNX nodes are read in order: the MatMul of q with a transposed k makes a pending
// "scores" value (no block yet); the Softmax over its last axis makes the Attention block with
// its weights on the "scores" port (value = key for now); the MatMul of those weights with v
// connects v (and k as the key when they differ) and takes the block's output. Anything else
// that reads the raw scores is refused by the other ops (they do not take that layout).
import type { GraphNode } from '../../../core/graph';
import type { Converter } from '../converter';
import { plain } from '../layout';
import { Unsupported, type PNode } from '../proto';
import { fmt, type Ref, type TensorVal } from '../values';

/** The Attention blocks made here, by id: their query and key refs. */
const made = new WeakMap<Converter, Map<string, { key: Ref }>>();

const sameRef = (p: Ref, q: Ref) => p.node === q.node && p.port === q.port;

/** MatMul of two computed rank-3 tensors: q · kᵀ or weights · v; undefined for other MatMuls. */
export function attentionMatMul(cv: Converter, n: PNode): TensorVal | undefined {
  const [an, bn] = n.input ?? [];
  const a = cv.values.get(an!);
  const b = cv.values.get(bn!);
  if (a?.kind !== 'tensor' || b?.kind !== 'tensor') return undefined;
  if (a.shape.length !== 3 || b.shape.length !== 3)
    throw new Unsupported(`MatMul of two computed tensors of shapes ${fmt(a.shape)} and ${fmt(b.shape)}: only batched products [N, Tq, D] · [N, D, Tk] of dot-product attention are mapped`);
  const att = made.get(cv)?.get(a.ref.node);
  if (att && a.ref.port === 'scores') {
    // weights · v: the attended values.
    const v = plain(cv, bn!, b);
    const node = cv.node(a.ref.node) as GraphNode;
    const valueEdge = cv.edges.find((e) => e.target === node.id && e.targetHandle === 'value')!;
    valueEdge.source = v.ref.node;
    if (v.ref.port === 'out') delete valueEdge.sourceHandle;
    else valueEdge.sourceHandle = v.ref.port;
    if (!sameRef(v.ref, att.key)) cv.edges.push({ source: att.key.node, target: node.id, targetHandle: 'key', ...(att.key.port !== 'out' ? { sourceHandle: att.key.port } : {}) });
    if (cv.soleUse(a.ref)) node.params = { ...node.params, returnAttentionScores: false };
    return { kind: 'tensor', ref: { node: node.id, port: 'out' }, layout: 'plain', shape: [a.shape[0]!, a.shape[1]!, v.shape[2]!] };
  }
  if (b.layout !== 'ncl' || a.layout !== 'plain')
    throw new Unsupported(
      'MatMul of two computed tensors: only dot-product attention is mapped — bmm(queries [N, Tq, D], keys transposed [N, D, Tk]), a Softmax over the keys, then bmm(weights, values) → the Attention block',
    );
  if (a.shape[2] != null && b.shape[1] != null && a.shape[2] !== b.shape[1]) throw new Unsupported(`MatMul of ${fmt(a.shape)} and ${fmt(b.shape)}: the feature sizes differ`);
  // The keys as our [N, Tk, D] tensor: the transposed view's own tensor.
  const key: TensorVal = { ...b, layout: 'plain', shape: [b.shape[0]!, b.shape[2]!, b.shape[1]!] };
  return { kind: 'tensor', ref: a.ref, layout: 'scores', shape: [a.shape[0]!, a.shape[1]!, b.shape[2]!], states: [a.ref, key.ref] };
}

/** Softmax over the keys of pending scores → the Attention block (its weights port). */
export function attentionSoftmax(cv: Converter, t: TensorVal, axis: number): TensorVal {
  if (axis !== 2) throw new Unsupported(`Softmax on axis ${axis} of attention scores [N, Tq, Tk]: only the softmax over the keys (the last axis) is the Attention block`);
  const [q, key] = t.states!;
  const id = cv.add('Attention', { returnAttentionScores: true }, [q!, key!], cv.current, ['query', 'value']);
  let m = made.get(cv);
  if (!m) made.set(cv, (m = new Map()));
  m.set(id, { key: key! });
  return { kind: 'tensor', ref: { node: id, port: 'scores' }, layout: 'plain', shape: t.shape.slice(), nonNeg: true };
}
