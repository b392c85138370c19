// Masks added to attention scores before the Softmax (patterns/attention.ts): a causal mask in
// any of the spellings exporters write becomes the blocks' useCausalMask; any other mask or bias
// is described in words for the blocker report (no block adds one).
import { Unsupported, attrInt, attrInts, attrs, tensorValues, type PTensor } from '../proto';
import type { Const, GraphIndex } from './graph';

/** A mask value this far below zero takes a score out of the softmax (exp underflows to 0). */
const MASKED = -1e4;

/**
 * Whether `name` is a causal mask: 0 where a query step may see a key step (at or before it),
 * very negative where it may not (after it). Three spellings: our exporter's
 * Where(cols > rows, −big, 0); torch's generate_square_subsequent_mask folded to a constant
 * ([T, S] or with leading 1s: −inf above the diagonal, 0 elsewhere), or computed from the input's
 * length as Trilu(ConstantOfShape(−inf), k = 1, upper); either maybe unsqueezed and multiplied
 * by baddbmm's beta of 1.
 */
export function isCausalMask(g: GraphIndex, name: string | undefined): boolean {
  for (let step = 0; name && step < 6; step++) {
    const c = g.constant(name);
    if (c) return causalConstant(c.dims, c.data);
    const n = g.producer.get(name);
    if (!n) return false;
    if (n.op_type === 'Where') {
      const gt = g.made(n.input?.[0], 'Greater');
      const big = g.scalar(n.input?.[1]);
      return !!gt && big !== undefined && big <= MASKED && g.scalar(n.input?.[2]) === 0 && !!g.made(gt.input?.[0], 'Range') && !!g.made(gt.input?.[1], 'Unsqueeze');
    }
    if (n.op_type === 'Trilu') {
      // Above the diagonal (upper, k = 1) of a tensor filled with one very negative number.
      const fill = g.made(n.input?.[0], 'ConstantOfShape');
      const v = fill && attrs(fill).get('value')?.t;
      const k = n.input?.[1] ? g.scalar(n.input[1]) : 0;
      if (!v || attrInt(attrs(n), 'upper', 1) !== 1 || k !== 1) return false;
      const f = safeValues(v);
      return !!f && f.data.length === 1 && Number(f.data[0]) <= MASKED;
    }
    // baddbmm's beta (1) and the unsqueeze to [1, T, S]; a leading axis only, so rows stay rows.
    const one = n.op_type === 'Mul' ? g.constOperand(n) : undefined;
    if (one && g.scalar(one[0]) === 1) name = one[1];
    else if (n.op_type === 'Unsqueeze' || n.op_type === 'Identity') name = n.input?.[0];
    else return false;
    if (n.op_type === 'Unsqueeze' && ![...(attrInts(attrs(n), 'axes') ?? Array.from(g.constant(n.input?.[1])?.data ?? [NaN], Number))].every((a) => a === 0)) return false;
  }
  return false;
}

/** A tensor attribute's values, or undefined when unreadable. */
function safeValues(t: PTensor): Const | undefined {
  try {
    return tensorValues(t, 'mask fill');
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

/** Whether a constant [.., T, S] (leading axes 1) is 0 at and below the diagonal and ≤ −1e4 above. */
function causalConstant(dims: number[], data: ArrayLike<number>): boolean {
  if (dims.length < 2 || dims.slice(0, -2).some((d) => d !== 1)) return false;
  const [T, S] = dims.slice(-2) as [number, number];
  if (T < 2 || data.length !== T * S) return false;
  for (let i = 0; i < T; i++)
    for (let j = 0; j < S; j++) {
      const x = Number(data[i * S + j]);
      if (j <= i ? x !== 0 : !(x <= MASKED)) return false;
    }
  return true;
}

/** A mask added to the scores that is not causal, in words (the MultiHeadAttention block has none). */
export function otherMask(g: GraphIndex, name: string): string {
  const c = g.constant(name);
  return c ? `a constant ${JSON.stringify(c.dims)} mask or bias that is not causal` : 'a mask or bias computed in the graph (e.g. from a key_padding_mask, or a relative position bias)';
}
