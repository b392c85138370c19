// Transformer pieces: the fused nodes of patterns/ → the MultiHeadAttention (weights in Keras'
// layout), Attention, PositionalEmbedding, ClassToken and LayerScale blocks, and GELU → the
// "gelu" activation.
import { transposeData } from '../../../onnx/ops';
import type { Converter, OpTable } from '../converter';
import { CLASS_TOKEN_OP, DOT_OP, GELU_OP, LAYER_SCALE_OP, MHA_OP, POSITIONAL_OP, attentionSpec, dotSpec } from '../patterns';
import { activation } from './activations';
import { ADDITIVE_OPS } from './additive';
import type { Projection } from '../patterns/attention';
import { Unsupported, type PNode } from '../proto';
import { fmt, type TensorVal } from '../values';
import { plain } from '../layout';

/**
 * Value `name` as a batch-first sequence where it is one in ONNX's view: a channels-first view of
 * ours (`ncl`, e.g. a ViT's patches after flatten(2).transpose(1, 2)) gets its Permute here.
 */
function sequence(cv: Converter, name: string, what?: string): TensorVal {
  const t = cv.tensor(name, what);
  return t.layout === 'ncl' ? plain(cv, name, t) : t;
}

/** A projection's kernel as [in, kept columns] and its bias (zeros when it has none). */
function projWeights(cv: Converter, p: Projection, what: string): { din: number; units: number; kernel: Float32Array; bias: Float32Array; hasBias: boolean } {
  const W = cv.constant(p.w, `${what} weight`);
  let data = cv.floats(W, `${what} weight`);
  let [din, all] = W.dims as [number, number];
  if (p.transB) {
    data = transposeData(data, [din, all], [1, 0]).data as Float32Array;
    [din, all] = [all, din];
  }
  const [c0, c1] = p.cols ?? [0, all];
  const units = c1 - c0;
  const kernel = new Float32Array(din * units);
  for (let r = 0; r < din; r++) kernel.set(data.subarray(r * all + c0, r * all + c1), r * units);
  const b = p.b ? cv.floats(cv.constant(p.b, `${what} bias`), `${what} bias`) : undefined;
  if (b && b.length !== all) throw new Unsupported(`${what} bias has ${b.length} values for ${all} outputs`);
  return { din, units, kernel, bias: b ? b.slice(c0, c1) : new Float32Array(units), hasBias: !!b };
}

function convertAttention(cv: Converter, n: PNode): TensorVal {
  const spec = attentionSpec(n);
  if (!spec) throw new Unsupported(`${MHA_OP} is made by the importer's attention pattern only`);
  const [qx, kx, vx] = n.input ?? [];
  const layout = spec.timeAxis === 0 ? 'tmajor' : 'plain';
  const ts = [qx, kx, vx].map((x, i) => {
    const t = sequence(cv, x!, ['query', 'key', 'value'][i]);
    if (t.layout !== layout || t.shape.length !== 3)
      throw new Unsupported(`attention input "${x}" ${fmt(t.shape)} is not a ${spec.timeAxis === 0 ? 'time-major [T, N, E]' : 'batch-major [N, T, E]'} sequence of a batch-first model; the MultiHeadAttention block attends over the steps of [batch, steps, features]`);
    return t;
  });
  const [q, k, v, o] = (['q', 'k', 'v', 'o'] as const).map((key, i) => projWeights(cv, spec[key], ['query projection', 'key projection', 'value projection', 'output projection'][i]!));
  const h = spec.numHeads;
  const useBias = [q, k, v, o].some((p) => p!.hasBias);
  const dq = ts[0]!.shape[2];
  const dout = o!.units;
  const id = cv.add(
    'MultiHeadAttention',
    {
      numHeads: h,
      keyDim: spec.keyDim,
      ...(spec.valueDim !== spec.keyDim ? { valueDim: spec.valueDim } : {}),
      useBias,
      ...(dout !== dq ? { outputShape: dout } : {}),
      ...(spec.causal ? { useCausalMask: true } : {}),
    },
    kx === vx ? [ts[0]!.ref, ts[2]!.ref] : [ts[0]!.ref, ts[2]!.ref, ts[1]!.ref],
    cv.current,
    ['query', 'value', 'key'],
  );
  const put = (name: string, p: NonNullable<typeof q>, dim: number) => {
    cv.weight(id, `${name}_kernel`, [p.din, h, dim], p.kernel);
    if (useBias) cv.weight(id, `${name}_bias`, [h, dim], p.bias);
  };
  put('query', q!, spec.keyDim);
  put('key', k!, spec.keyDim);
  put('value', v!, spec.valueDim);
  cv.weight(id, 'output_kernel', [h, spec.valueDim, dout], o!.kernel);
  if (useBias) cv.weight(id, 'output_bias', [dout], o!.bias);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout, shape: [...ts[0]!.shape.slice(0, 2), dout] };
}

function convertDot(cv: Converter, n: PNode): TensorVal {
  const spec = dotSpec(n);
  if (!spec) throw new Unsupported(`${DOT_OP} is made by the importer's attention pattern only`);
  const ts = (n.input ?? []).map((x, i) => {
    const t = sequence(cv, x, ['query', 'value', 'key'][i]);
    if (t.layout !== 'plain' || t.shape.length !== 3) throw new Unsupported(`dot-product attention over "${x}" ${fmt(t.shape)} (layout ${t.layout}): only batch-first sequences [N, T, D] are mapped (Attention)`);
    return t;
  });
  const useScale = spec.scale !== 1;
  const id = cv.add('Attention', { ...(useScale ? { useScale } : {}), ...(spec.causal ? { useCausalMask: true } : {}) }, ts.map((t) => t.ref), cv.current, ['query', 'value', 'key']);
  if (useScale) cv.weight(id, 'scale', [], Float32Array.of(spec.scale));
  const [q, v] = ts as [TensorVal, TensorVal];
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape: [q.shape[0]!, q.shape[1]!, v.shape[2]!] };
}

function convertPositional(cv: Converter, n: PNode): TensorVal {
  const [xn, tn] = n.input ?? [];
  const x = sequence(cv, xn!);
  const table = cv.constant(tn, 'positional table');
  const [L, D] = table.dims.slice(-2) as [number, number];
  if (x.layout !== 'plain' || x.shape.length !== 3 || x.shape[2] !== D)
    throw new Unsupported(`Add of a constant ${fmt(table.dims)} to ${fmt(x.shape)}: only a positional table added to a batch-first sequence [N, T, ${D}] is mapped (PositionalEmbedding)`);
  if (table.dims.length === 3 && x.shape[1] !== L) throw new Unsupported(`positional table ${fmt(table.dims)} added to ${fmt(x.shape)}: the steps differ`);
  const id = cv.add('PositionalEmbedding', { maxLength: L }, [x.ref]);
  cv.weight(id, 'embeddings', [L, D], cv.floats(table, 'positional table'));
  return { ...x, ref: { node: id, port: 'out' }, nonNeg: false, seqOf: undefined };
}

function convertClassToken(cv: Converter, n: PNode): TensorVal {
  const [xn, tn] = n.input ?? [];
  const x = sequence(cv, xn!);
  const tok = cv.constant(tn, 'class token');
  const D = tok.dims[2]!;
  if (x.layout !== 'plain' || x.shape.length !== 3 || x.shape[2] !== D)
    throw new Unsupported(`a class token ${fmt(tok.dims)} put before ${fmt(x.shape)}: only a batch-first sequence [N, T, ${D}] is mapped (ClassToken)`);
  const id = cv.add('ClassToken', {}, [x.ref]);
  cv.weight(id, 'class_token', [1, 1, D], cv.floats(tok, 'class token'));
  return { ...x, ref: { node: id, port: 'out' }, shape: [x.shape[0]!, x.shape[1] == null ? null : x.shape[1] + 1, D], nonNeg: false, seqOf: undefined };
}

function convertLayerScale(cv: Converter, n: PNode): TensorVal {
  const [xn, gn] = n.input ?? [];
  const x = cv.tensor(xn!);
  const gamma = cv.constant(gn, 'scale');
  const C = gamma.dims[0]!;
  // [C] scales the ONNX last axis (ours too when plain); [C, 1, 1] an NCHW image's channels.
  const ok = gamma.dims.length === 1 ? x.layout === 'plain' && x.shape.at(-1) === C : x.layout === 'nchw' && x.shape.length === 4 && x.shape[1] === C;
  if (!ok) throw new Unsupported(`Mul of ${fmt(x.shape)} by a constant ${fmt(gamma.dims)}: only a per-channel scale (LayerScale) of the channels is mapped`);
  const id = cv.add('LayerScale', {}, [x.ref]);
  cv.weight(id, 'gamma', [C], cv.floats(gamma, 'scale'));
  return { ...x, ref: { node: id, port: 'out' }, nonNeg: false };
}

/**
 * Step `i` of a batch-first sequence [N, T, D] (a ViT's x[:, 0], the class token's output): no
 * block picks a step, so the sequence is viewed as a [T, D, 1] image, cropped to row i, and
 * flattened — what the ViT templates do. Undefined when `t` is not such a sequence.
 */
export function pickStep(cv: Converter, t: TensorVal, i: number): TensorVal | undefined {
  const [N, T, D] = t.shape;
  if (t.layout !== 'plain' || t.shape.length !== 3 || T == null || D == null) return undefined;
  const k = i < 0 ? i + T : i;
  if (k < 0 || k >= T) return undefined;
  const img = cv.add('Reshape', { targetShape: [T, D, 1] }, [t.ref], `${cv.current}_rows`);
  const row = cv.add('Cropping2D', { cropping: [[k, T - 1 - k], [0, 0]] }, [{ node: img, port: 'out' }], `${cv.current}_step`);
  const id = cv.add('Reshape', { targetShape: [D] }, [{ node: row, port: 'out' }]);
  return { ...t, ref: { node: id, port: 'out' }, shape: [N!, D], seqOf: undefined, nonNeg: t.nonNeg };
}

export const ATTENTION_OPS: OpTable = {
  [GELU_OP]: (cv, n) => activation(cv, n.input![0]!, 'gelu', false),
  [CLASS_TOKEN_OP]: convertClassToken,
  [LAYER_SCALE_OP]: convertLayerScale,
  [MHA_OP]: convertAttention,
  [DOT_OP]: convertDot,
  [POSITIONAL_OP]: convertPositional,
  ...ADDITIVE_OPS,
};
