// Pure shape rules shared by several attention and positional blocks (a rule only one block
// uses lives in that block's module). Both the blocks' inferShape and the layers'
// computeOutputShape call these, so the two cannot disagree.
// No tfjs here: this module runs inside validation, which must stay free of tensor code.
import { BlockError, type Shape } from '../spec';
import { fmtShape, lastDim, requireRank } from '../shapes';

export interface AttentionInputs {
  query: Shape;
  value: Shape;
  /** The key; the value when the key port is not fed. */
  key: Shape;
  keyFed: boolean;
}

/** Checks the three ports of an attention block: each [batch, time, features]. */
export function attentionInputs(shapes: (Shape | undefined)[], what: string): AttentionInputs {
  const query = requireRank(shapes[0], 3, what, 'query');
  const value = requireRank(shapes[1], 3, what, 'value');
  const keyFed = shapes[2] !== undefined;
  const key = keyFed ? requireRank(shapes[2], 3, what, 'key') : value;
  lastDim(query, what, 'query');
  lastDim(value, what, 'value');
  if (keyFed) lastDim(key, what, 'key');
  const tk = key[1];
  const tv = value[1];
  if (keyFed && tk !== null && tk !== undefined && tv !== null && tv !== undefined && tk !== tv)
    throw new BlockError(
      `${what} needs key and value with the same number of time steps: key ${fmtShape(key)} has ${tk}, value ${fmtShape(value)} has ${tv} — each key must pair with one value; feed sequences of equal length`,
      { port: 'key' },
    );
  return { query, value, key, keyFed };
}

/**
 * Attention (dot / concat) and AdditiveAttention: the query and the key are compared feature by
 * feature, so their last dims must agree. Output [B, Tq, Dv]; scores [B, Tq, Tv].
 */
export function luongShapes(shapes: (Shape | undefined)[], what: string, returnScores: boolean): Shape[] {
  const { query, value, key, keyFed } = attentionInputs(shapes, what);
  const dq = query[2]!;
  const dk = key[2]!;
  if (dq !== dk)
    throw new BlockError(
      `${what} needs query and key with the same last dimension: query ${fmtShape(query)} has ${dq}, ${keyFed ? 'key' : 'value (used as key)'} ${fmtShape(key)} has ${dk} — add a Dense(${dk}) on the query, or use MultiHeadAttention, which projects both`,
      { port: keyFed ? 'key' : 'value' },
    );
  const out: Shape[] = [[query[0]!, query[1]!, value[2]!]];
  if (returnScores) out.push([query[0]!, query[1]!, key[1]!]);
  return out;
}

/** PositionalEmbedding and SinePositionEncoding: a [B, T, D] sequence in, the same shape out. */
export function positionalShape(x: Shape | undefined, what: string, maxLength?: number, outputDim?: number | null): Shape {
  const s = requireRank(x, 3, what);
  const d = lastDim(s, what);
  const t = s[1];
  if (maxLength !== undefined && t !== null && t !== undefined && t > maxLength)
    throw new BlockError(`${what} has maxLength ${maxLength} but the input ${fmtShape(s)} has ${t} time steps — raise maxLength to at least ${t}`, { param: 'maxLength' });
  if (outputDim !== undefined && outputDim !== null && outputDim !== d)
    throw new BlockError(
      `${what} adds its position vectors to the input, so outputDim must equal the input's last dimension: outputDim is ${outputDim}, the input ${fmtShape(s)} has ${d} — set outputDim to ${d} (or leave it unset)`,
      { param: 'outputDim' },
    );
  return [...s];
}

//END
