// Shape ops: pass-throughs (Identity, Dropout, Cast to float), Flatten, Reshape, Transpose,
// Squeeze / Unsqueeze, Gather (embedding lookups, a recurrent output's last step or direction)
// and Pad (ZeroPadding2D). Most only change the value's layout (layout.ts) and cost no block.
import type { Converter, OpTable } from '../converter';
import { NCHW_TO_OURS, image, plain } from '../layout';
import { shuffleReshape, shuffleTranspose } from './channels';
import { DT_FLOAT, DT_NAMES, Unsupported, attrFloat, attrInt, attrInts, attrString, type Attrs, type PNode } from '../proto';
import { fmt, prod, scalarOf, type Dim, type TensorVal, type Val } from '../values';

/** Identity, Dropout (inference: the identity). */
function passThrough(cv: Converter, n: PNode): Val {
  const inp = n.input ?? [];
  return cv.val(inp[0]!);
}

/** Cast of a computed tensor: only to float32, which it already is. */
function convertCast(cv: Converter, n: PNode, a: Attrs): Val {
  const inp = n.input ?? [];
  const to = attrInt(a, 'to', 0);
  if (to !== DT_FLOAT) throw new Unsupported(`Cast to ${DT_NAMES[to] ?? to} of a computed tensor has no block (only casts to float32 pass through)`);
  return cv.tensor(inp[0]!);
}

function convertFlatten(cv: Converter, n: PNode, a: Attrs): Val {
  const inp = n.input ?? [];
  const t = cv.tensor(inp[0]!);
  let axis = attrInt(a, 'axis', 1);
  if (axis < 0) axis += t.shape.length;
  if (axis !== 1) throw new Unsupported(`Flatten with axis ${axis}: only axis 1 (keep the batch) is mapped`);
  const size = t.shape.slice(1).every((d) => d != null) ? prod(t.shape.slice(1) as number[]) : null;
  const shape: Dim[] = [t.shape[0]!, size];
  if (t.layout === 'pooled') return { ...t, layout: 'plain', shape };
  const p = plain(cv, inp[0]!, t);
  if (p.shape.length === 2) return { ...p, shape };
  const id = cv.add('Flatten', {}, [p.ref]);
  return { ...p, ref: { node: id, port: 'out' }, shape, seqOf: undefined };
}

function convertReshape(cv: Converter, n: PNode): TensorVal {
  const inp = n.input ?? [];
  const t = cv.tensor(inp[0]!);
  const shape = cv.ints(cv.constant(inp[1], 'shape'), 'shape');
  const shuffled = shuffleReshape(cv, t, shape);
  if (shuffled) return shuffled;
  if (t.layout === 'rnnYT2') {
    // [T,N,2,H] → [T,N,2H]: both directions side by side, forward first, as the Bidirectional
    // block's concat merge; our value is its output sequence [N,T,2H].
    const [T, N, , H] = t.shape;
    const merged = H == null ? null : 2 * H;
    const ok = shape.length === 3 && (shape[0] === 0 || shape[0] === T) && (shape[1] === 0 || shape[1] === 'N' || shape[1] === -1) && (shape[2] === -1 || shape[2] === merged);
    if (!ok) throw new Unsupported(`Reshape of a bidirectional output [T,N,2,H] to ${fmt(shape)}: only [T, N, 2·H] (PyTorch's merge of the two directions) is mapped`);
    return { ...t, layout: 'tmajor', shape: [T!, N!, merged] };
  }
  const first = shape[0];
  const batchOk = first === 'N' || first === 0 || (first === -1 && !shape.slice(1).includes(-1)) || (typeof first === 'number' && first === t.shape[0]);
  if (!batchOk) throw new Unsupported(`Reshape to ${fmt(shape)} moves data across the batch axis; only reshapes that keep the batch first are mapped`);
  const rest = shape.slice(1).map((d, i) => (d === 0 ? t.shape[i + 1] ?? null : d));
  if (rest.some((d) => d === null || d === 'N')) throw new Unsupported(`Reshape target ${fmt(shape)} has run-time sizes besides the batch`);
  let target = rest as number[];
  // The output shape with -1 resolved.
  const inner = t.shape.slice(1);
  const known = inner.every((d) => d != null) ? prod(inner as number[]) : null;
  if (target.includes(-1) && known !== null) {
    const other = prod(target.filter((d) => d !== -1));
    target = target.map((d) => (d === -1 ? known / other : d));
  }
  const outShape: Dim[] = [t.shape[0]!, ...target.map((d) => (d === -1 ? null : d))];
  if (t.layout === 'pooled' && target.length === 1) return { ...t, layout: 'plain', shape: outShape };
  const p = plain(cv, inp[0]!, t);
  if (p.shape.length === outShape.length && p.shape.every((d, i) => i === 0 || d === outShape[i])) return { ...p, shape: outShape };
  const id = target.length === 1 ? cv.add('Flatten', {}, [p.ref]) : cv.add('Reshape', { targetShape: rest }, [p.ref]);
  return { ...p, ref: { node: id, port: 'out' }, shape: outShape, seqOf: undefined, layout: 'plain' };
}

function convertTranspose(cv: Converter, n: PNode, a: Attrs): TensorVal {
  const inp = n.input ?? [];
  const t0 = cv.tensor(inp[0]!);
  // A global pool's [N, C, 1, 1] (our [N, C]) permuted, as ConvNeXt's LayerNorm2d does after
  // its last pool: restore the 1×1 image first (one Reshape), then it is an image's Transpose.
  const t = t0.layout === 'pooled' && t0.shape.length === 4 ? image(cv, inp[0]!, t0) : t0;
  const rank = t.shape.length;
  const perm = attrInts(a, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const shape = perm.map((p) => t.shape[p]!);
  const shuffled = shuffleTranspose(t, perm);
  if (shuffled) return shuffled;
  // PyTorch's bidirectional output: Y [T,2,N,H] → [T,N,2,H] (then a Reshape to [T,N,2H]).
  if (t.layout === 'rnnY2' && perm.join() === '0,2,1,3') return { ...t, layout: 'rnnYT2', shape };
  const swap01 = rank === 3 && perm.join() === '1,0,2';
  if (swap01 && t.layout === 'plain') return { ...t, layout: 'tmajor', shape };
  if (swap01 && t.layout === 'tmajor') return { ...t, layout: 'plain', shape };
  // NHWC → NCHW of a channels-last tensor: our tensor already is that value's NHWC form.
  if (t.layout === 'plain' && rank === 4 && perm.join() === '0,3,1,2') return { ...t, layout: 'nchw', shape, seqOf: undefined };
  let q: number[];
  if (t.layout === 'plain') q = perm;
  else if (t.layout === 'nchw') q = perm.map((p) => NCHW_TO_OURS[p]!);
  else throw new Unsupported(`Transpose ${JSON.stringify(perm)} of a ${t.layout} value is not mapped`);
  if (q[0] !== 0) throw new Unsupported(`Transpose ${JSON.stringify(perm)} moves the batch axis; Permute keeps the batch first`);
  if (q.every((v, i) => v === i)) return { ...t, layout: 'plain', shape };
  const id = cv.add('Permute', { dims: q.slice(1) }, [t.ref]);
  return { ...t, ref: { node: id, port: 'out' }, layout: 'plain', shape, seqOf: undefined };
}

function convertSqueeze(cv: Converter, n: PNode, a: Attrs): TensorVal {
  const inp = n.input ?? [];
  const t = cv.tensor(inp[0]!);
  const axesIn = inp[1] ? (cv.ints(cv.constant(inp[1], 'axes'), 'axes') as number[]) : attrInts(a, 'axes');
  const squeeze = n.op_type === 'Squeeze';
  const rank = t.shape.length;
  const r = squeeze ? rank : rank + (axesIn?.length ?? 0);
  const axes = (axesIn ?? (squeeze ? t.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : [])).map((x) => (x < 0 ? x + r : x)).sort((p, q) => p - q);
  let shape = t.shape.slice();
  if (squeeze) shape = shape.filter((_, i) => !axes.includes(i));
  else for (const ax of axes) shape.splice(ax, 0, 1);
  if (squeeze && t.layout === 'rnnY' && axes.join() === '1') return { ...t, layout: 'tmajor', shape };
  if (squeeze && t.layout === 'dirN' && axes.join() === '0') return { ...t, layout: 'plain', shape };
  if (t.layout === 'rnnY2' || t.layout === 'rnnYT2' || t.layout === 'dir2')
    throw new Unsupported(`${n.op_type} of a bidirectional recurrent output (layout ${t.layout}) is not mapped: take Y through Transpose [0,2,1,3] + Reshape [T,N,2H], and the final states with h[0] / h[1]`);
  if (squeeze && t.layout === 'pooled' && axes.join() === '2,3') return { ...t, layout: 'plain', shape };
  if (axes.includes(0)) throw new Unsupported(`${n.op_type} on axis 0 (the batch) has no block`);
  const p = plain(cv, inp[0]!, t);
  if (shape.slice(1).some((d) => d == null)) throw new Unsupported(`${n.op_type} of ${fmt(t.shape)} with unknown sizes is not mapped`);
  const id = cv.add('Reshape', { targetShape: shape.slice(1) }, [p.ref]);
  return { ...p, ref: { node: id, port: 'out' }, shape, seqOf: undefined };
}

function convertGather(cv: Converter, n: PNode, a: Attrs): TensorVal {
  const inp = n.input ?? [];
  const data = cv.val(inp[0]!);
  const axis = attrInt(a, 'axis', 0);
  if (data.kind === 'const') {
    // An embedding table looked up by token ids.
    const ids = cv.tensor(inp[1]!, 'indices');
    if (axis !== 0 || data.dims.length !== 2) throw new Unsupported(`Gather from a constant of dims ${fmt(data.dims)} on axis ${axis}: only an embedding table [vocab, dim] on axis 0 is mapped`);
    if (ids.layout !== 'plain') throw new Unsupported('Gather indices must be a batch-major tensor');
    const [V, D] = data.dims as [number, number];
    const id = cv.add('Embedding', { inputDim: V, outputDim: D }, [ids.ref]);
    cv.weight(id, 'embeddings', [V, D], cv.floats(data, 'embedding table'));
    return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape: [...ids.shape, D] };
  }
  const idx = cv.constant(inp[1], 'indices');
  const i = scalarOf(idx, 'Gather index');
  if (idx.dims.length !== 0) throw new Unsupported('Gather with an index list on a computed tensor has no block');
  const rank = data.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  // Picking the one direction of a recurrent output (as Squeeze does).
  if (i === 0 && data.layout === 'rnnY' && ax === 1) return { ...data, layout: 'tmajor', shape: [data.shape[0]!, data.shape[2]!, data.shape[3]!] };
  if (i === 0 && data.layout === 'dirN' && ax === 0) return { ...data, layout: 'plain', shape: data.shape.slice(1) };
  // A bidirectional op's final states [2,N,H]: index 0 (or −2) is the forward direction's, 1 (−1) the backward's.
  if (data.layout === 'dir2' && ax === 0 && i >= -2 && i <= 1) {
    const back = i === 1 || i === -1;
    const port = data.ref.port === 'c' ? (back ? 'cBack' : 'c') : back ? 'lastBack' : 'last';
    return { ...data, ref: { node: data.ref.node, port }, layout: 'plain', shape: data.shape.slice(1) };
  }
  if (data.layout === 'plain' && data.seqOf && ax === 1 && rank === 3) {
    const T = data.shape[1];
    if (i === -1 || (T != null && i === T - 1)) return { kind: 'tensor', ref: { node: data.seqOf, port: 'last' }, layout: 'plain', shape: [data.shape[0]!, data.shape[2]!] };
  }
  throw new Unsupported(`Gather of index ${i} on axis ${ax} of ${fmt(data.shape)}: only the last step of a recurrent output sequence (y[:, -1]) and embedding lookups are mapped`);
}
function convertPad(cv: Converter, n: PNode, a: Attrs): Val {
  const inp = n.input ?? [];
  const mode = attrString(a, 'mode') ?? 'constant';
  if (mode !== 'constant') throw new Unsupported(`Pad mode "${mode}" has no block (ZeroPadding2D pads with zeros)`);
  const pads = (inp[1] ? cv.ints(cv.constant(inp[1], 'pads'), 'pads') : (attrInts(a, 'pads') ?? [])) as number[];
  const value = inp[2] ? scalarOf(cv.constant(inp[2], 'constant_value'), 'constant_value') : attrFloat(a, 'value', 0);
  if (value !== 0) throw new Unsupported(`Pad with value ${value}: ZeroPadding2D pads with zeros only`);
  if (inp[3]) throw new Unsupported('Pad with an axes input is not mapped');
  const t = cv.tensor(inp[0]!);
  if (t.shape.length !== 4 || pads.length !== 8) throw new Unsupported(`Pad of a rank-${t.shape.length} tensor: only 4-D images are mapped (ZeroPadding2D)`);
  if (pads.some((p) => p < 0)) throw new Unsupported(`negative pads ${JSON.stringify(pads)} (cropping) are not mapped`);
  if (pads.every((p) => p === 0)) return t;
  // ZeroPadding2D pads our axes 1 and 2: ONNX axes 2, 3 of an NCHW image, or 1, 2 of a
  // channels-last (plain) tensor.
  const [h, w] = t.layout === 'plain' ? [1, 2] : [2, 3];
  const other = [0, 1, 2, 3].filter((ax) => ax !== h && ax !== w);
  if (other.some((ax) => pads[ax] || pads[ax + 4])) throw new Unsupported(`Pad ${JSON.stringify(pads)} pads the batch or channel axis; ZeroPadding2D pads height and width only`);
  const img = t.layout === 'plain' ? t : image(cv, inp[0]!, t);
  const id = cv.add('ZeroPadding2D', { padding: [[pads[h]!, pads[h + 4]!], [pads[w]!, pads[w + 4]!]] }, [img.ref]);
  const sh = img.shape.slice();
  for (const ax of [h, w]) sh[ax] = sh[ax] == null ? null : sh[ax]! + pads[ax]! + pads[ax + 4]!;
  return { ...img, ref: { node: id, port: 'out' }, shape: sh };
}

export const SHAPE_OPS: OpTable = {
  Identity: passThrough,
  Dropout: passThrough,
  Cast: convertCast,
  Flatten: convertFlatten,
  Reshape: convertReshape,
  Transpose: convertTranspose,
  Squeeze: convertSqueeze,
  Unsqueeze: convertSqueeze,
  Gather: convertGather,
  Pad: convertPad,
};
