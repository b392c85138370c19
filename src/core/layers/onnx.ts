// ONNX (opset 17) emission shared by the attention and positional blocks: plain MatMul /
// Softmax graphs that compute exactly what the tfjs layers compute, and the small helpers the
// blocks' own toOnnx use (each block's single-use emitter lives in its module in blocks/).
// Tensors stay [batch, time, features] at the interface.
// The causal mask is built at run time (Range / Less / Where), so it works for unknown lengths
// too, and adds the same −1e9 the tfjs layers add.
import { MASK_VALUE } from './common';
import type { BlockWeight, OnnxContext, OnnxEmitArgs } from '../spec';

export function first(ctx: OnnxContext, op: string, inputs: string[], attrs?: Parameters<OnnxContext['node']>[2]): string {
  return ctx.node(op, inputs, attrs)[0]!;
}

export function weight(ctx: OnnxContext, w: BlockWeight | undefined, what: string, dims = w?.shape): string {
  if (!w) throw new Error(`${what}: the layer has no such weight (was the block compiled with these params?)`);
  return ctx.initializer(w.name.replace(/[^A-Za-z0-9_]/g, '_'), { dtype: 'float32', dims: dims!, data: w.data });
}

/** The size of `axis` of x, as a 1-element int64 tensor. */
export function dimOf(ctx: OnnxContext, x: string, axis: number): string {
  return first(ctx, 'Shape', [x], { start: { i: axis }, end: { i: axis + 1 } });
}

/**
 * Adds the causal mask to scores [..., Tq, Tk]: MASK_VALUE where key j > query i, 0 elsewhere.
 * Built from the scores' own shape, so it also serves unknown sequence lengths.
 */
export function addCausalMask(ctx: OnnxContext, scores: string, rank: number): string {
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
//END
