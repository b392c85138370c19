// ONNX (opset 17) emission for the custom layers: plain MatMul / Softmax graphs that compute
// exactly what the tfjs layers compute. Tensors stay [batch, time, features] at the interface.
// The causal mask is built at run time (Range / Less / Where), so it works for unknown lengths
// too, and adds the same −1e9 the tfjs layers add.
import { MASK_VALUE } from './common';
import { sineEncoding, sineTimescales } from './shapes';
import type { BlockWeight, OnnxContext, OnnxEmitArgs } from '../spec';

function first(ctx: OnnxContext, op: string, inputs: string[], attrs?: Parameters<OnnxContext['node']>[2]): string {
  return ctx.node(op, inputs, attrs)[0]!;
}

function weight(ctx: OnnxContext, w: BlockWeight | undefined, what: string, dims = w?.shape): string {
  if (!w) throw new Error(`${what}: the layer has no such weight (was the block compiled with these params?)`);
  return ctx.initializer(w.name.replace(/[^A-Za-z0-9_]/g, '_'), { dtype: 'float32', dims: dims!, data: w.data });
}

/** The size of `axis` of x, as a 1-element int64 tensor. */
function dimOf(ctx: OnnxContext, x: string, axis: number): string {
  return first(ctx, 'Shape', [x], { start: { i: axis }, end: { i: axis + 1 } });
}

/**
 * Adds the causal mask to scores [..., Tq, Tk]: MASK_VALUE where key j > query i, 0 elsewhere.
 * Built from the scores' own shape, so it also serves unknown sequence lengths.
 */
function addCausalMask(ctx: OnnxContext, scores: string, rank: number): string {
  const scalar = (axis: number) => first(ctx, 'Squeeze', [dimOf(ctx, scores, axis), ctx.constInt64('axis0', [0], [1])]);
  const zero = ctx.constInt64('zero', [0], []);
  const one = ctx.constInt64('one', [1], []);
  const rows = first(ctx, 'Range', [zero, scalar(rank - 2), one]); // [Tq]
  const cols = first(ctx, 'Range', [zero, scalar(rank - 1), one]); // [Tk]
  const rowsCol = first(ctx, 'Unsqueeze', [rows, ctx.constInt64('axis1', [1], [1])]); // [Tq, 1]
  const future = first(ctx, 'Greater', [cols, rowsCol]); // [Tq, Tk]: j > i
  const mask = first(ctx, 'Where', [future, ctx.constFloat('mask_value', [MASK_VALUE], []), ctx.constFloat('zero_f', [0], [])]);
  return first(ctx, 'Add', [scores, mask]);
}

type LuongKind = 'dot' | 'concat' | 'additive';

/** Attention (dot, concat) and AdditiveAttention. Weights: Attention [scale?, concat_score_weight?]; Additive [scale?]. */
export function luongOnnx(
  ctx: OnnxContext,
  args: OnnxEmitArgs<{ useCausalMask: boolean; returnAttentionScores: boolean }>,
  kind: LuongKind,
  useScale: boolean,
): string[] {
  const [query, value, keyIn] = args.inputs;
  const q = query!;
  const v = value!;
  const k = keyIn ?? v;
  const ws = [...args.weights];
  const scale = useScale ? ws.shift() : undefined;
  let scores: string;
  if (kind === 'dot') {
    scores = first(ctx, 'MatMul', [q, first(ctx, 'Transpose', [k], { perm: { ints: [0, 2, 1] } })]);
    if (scale) scores = first(ctx, 'Mul', [scores, weight(ctx, scale, 'Attention scale', [])]);
  } else {
    // [B, Tq, 1, D] + [B, 1, Tk, D] → tanh → Σ over D.
    const qe = first(ctx, 'Unsqueeze', [q, ctx.constInt64('axis2', [2], [1])]);
    const ke = first(ctx, 'Unsqueeze', [k, ctx.constInt64('axis1', [1], [1])]);
    let sum = first(ctx, 'Add', [qe, ke]);
    if (kind === 'concat' && scale) sum = first(ctx, 'Mul', [sum, weight(ctx, scale, 'Attention scale', [])]);
    let t = first(ctx, 'Tanh', [sum]);
    if (kind === 'additive' && scale) t = first(ctx, 'Mul', [t, weight(ctx, scale, 'AdditiveAttention scale')]);
    scores = first(ctx, 'ReduceSum', [t, ctx.constInt64('last_axis', [-1], [1])], { keepdims: { i: 0 } });
    if (kind === 'concat') scores = first(ctx, 'Mul', [scores, weight(ctx, ws.shift(), 'Attention concat_score_weight', [])]);
  }
  if (args.params.useCausalMask) scores = addCausalMask(ctx, scores, 3);
  const weights = first(ctx, 'Softmax', [scores], { axis: { i: -1 } });
  const out = first(ctx, 'MatMul', [weights, v]);
  return args.params.returnAttentionScores ? [out, weights] : [out];
}

/** MultiHeadAttention. Weights (Keras order): query, key, value, output — kernel then bias (when useBias). */
export function mhaOnnx(
  ctx: OnnxContext,
  args: OnnxEmitArgs<{ numHeads: number; keyDim: number; valueDim: number | null; useBias: boolean; useCausalMask: boolean; returnAttentionScores: boolean }>,
): string[] {
  const p = args.params;
  const h = p.numHeads;
  const kd = p.keyDim;
  const vd = p.valueDim ?? kd;
  const [query, value, keyIn] = args.inputs;
  const ws = [...args.weights];
  const take = (what: string) => {
    const kernel = ws.shift();
    const bias = p.useBias ? ws.shift() : undefined;
    if (!kernel || (p.useBias && !bias)) throw new Error(`MultiHeadAttention ${what}: missing weights (got ${args.weights.map((w) => w.name).join(', ')})`);
    return { kernel, bias };
  };
  const wq = take('query');
  const wk = take('key');
  const wv = take('value');
  const wo = take('output');
  // [B, T, D] → MatMul [D, H·dim] (+ bias) → [B, T, H, dim] → [B, H, T, dim].
  const heads = (x: string, w: { kernel: BlockWeight; bias?: BlockWeight }, dim: number, what: string) => {
    let y = first(ctx, 'MatMul', [x, weight(ctx, w.kernel, what, [w.kernel.shape[0]!, h * dim])]);
    if (w.bias) y = first(ctx, 'Add', [y, weight(ctx, w.bias, what, [h * dim])]);
    const r = first(ctx, 'Reshape', [y, ctx.constInt64('heads_shape', [0, 0, h, dim], [4])]);
    return first(ctx, 'Transpose', [r], { perm: { ints: [0, 2, 1, 3] } });
  };
  const q = first(ctx, 'Mul', [heads(query!, wq, kd, 'query'), ctx.constFloat('inv_sqrt_key_dim', [1 / Math.sqrt(kd)], [])]);
  const k = heads(keyIn ?? value!, wk, kd, 'key');
  const v = heads(value!, wv, vd, 'value');
  let scores = first(ctx, 'MatMul', [q, first(ctx, 'Transpose', [k], { perm: { ints: [0, 1, 3, 2] } })]);
  if (p.useCausalMask) scores = addCausalMask(ctx, scores, 4);
  const weights = first(ctx, 'Softmax', [scores], { axis: { i: -1 } });
  const o = first(ctx, 'Transpose', [first(ctx, 'MatMul', [weights, v])], { perm: { ints: [0, 2, 1, 3] } }); // [B, Tq, H, vd]
  const flat = first(ctx, 'Reshape', [o, ctx.constInt64('concat_heads', [0, 0, h * vd], [3])]);
  const dout = wo.kernel.shape[2]!;
  let out = first(ctx, 'MatMul', [flat, weight(ctx, wo.kernel, 'output', [h * vd, dout])]);
  if (wo.bias) out = first(ctx, 'Add', [out, weight(ctx, wo.bias, 'output')]);
  return p.returnAttentionScores ? [out, weights] : [out];
}

/** PositionalEmbedding: x + embeddings[0:T] (T read from x at run time). */
export function positionalEmbeddingOnnx(ctx: OnnxContext, args: OnnxEmitArgs<unknown>): string[] {
  const x = args.inputs[0]!;
  const table = weight(ctx, args.weights[0], 'PositionalEmbedding embeddings');
  const rows = first(ctx, 'Slice', [table, ctx.constInt64('start0', [0], [1]), dimOf(ctx, x, 1), ctx.constInt64('axis0', [0], [1])]);
  return [first(ctx, 'Add', [x, rows])];
}

/** SinePositionEncoding: x + the encoding (a constant when T is known, built with Range/Sin/Cos otherwise). */
export function sineOnnx(ctx: OnnxContext, args: OnnxEmitArgs<{ maxWavelength: number }>): string[] {
  const x = args.inputs[0]!;
  const shape = args.inputShapes[0]!;
  const d = shape[2]!;
  const t = shape[1];
  if (t !== null && t !== undefined) {
    const enc = ctx.constFloat('sine_encoding', sineEncoding(t, d, args.params.maxWavelength), [t, d]);
    return [first(ctx, 'Add', [x, enc])];
  }
  const steps = first(ctx, 'Squeeze', [dimOf(ctx, x, 1), ctx.constInt64('axis0', [0], [1])]);
  const pos = first(ctx, 'Range', [ctx.constInt64('zero', [0], []), steps, ctx.constInt64('one', [1], [])]);
  const posCol = first(ctx, 'Unsqueeze', [first(ctx, 'Cast', [pos], { to: { i: 1 } }), ctx.constInt64('axis1', [1], [1])]); // [T, 1] float
  const angles = first(ctx, 'Mul', [posCol, ctx.constFloat('timescales', sineTimescales(d, args.params.maxWavelength), [d])]);
  const sinMask = Float32Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 1 : 0));
  const cosMask = Float32Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 0 : 1));
  const sin = first(ctx, 'Mul', [first(ctx, 'Sin', [angles]), ctx.constFloat('sin_mask', sinMask, [d])]);
  const cos = first(ctx, 'Mul', [first(ctx, 'Cos', [angles]), ctx.constFloat('cos_mask', cosMask, [d])]);
  return [first(ctx, 'Add', [x, first(ctx, 'Add', [sin, cos])])];
}

/** Sampling at inference is the mean. */
export function samplingOnnx(ctx: OnnxContext, args: OnnxEmitArgs<unknown>): string[] {
  return [first(ctx, 'Identity', [args.inputs[0]!])];
}
