// Pure shape rules of the custom attention, positional and sampling layers. Both the blocks'
// inferShape and the layers' computeOutputShape call these, so the two cannot disagree.
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

/** MultiHeadAttention: projections make any feature sizes fit. Output [B, Tq, out]; scores [B, H, Tq, Tk]. */
export function mhaShapes(shapes: (Shape | undefined)[], numHeads: number, outputShape: number | null, returnScores: boolean): Shape[] {
  const { query, key } = attentionInputs(shapes, 'MultiHeadAttention');
  const out: Shape[] = [[query[0]!, query[1]!, outputShape ?? query[2]!]];
  if (returnScores) out.push([query[0]!, numHeads, query[1]!, key[1]!]);
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

/** Sampling: mean and logVar of the same shape; z has that shape. */
export function samplingShape(shapes: (Shape | undefined)[]): Shape {
  const mean = requireRank(shapes[0], [2, 3, 4, 5], 'Sampling', 'mean');
  const logVar = requireRank(shapes[1], [2, 3, 4, 5], 'Sampling', 'logVar');
  const same = mean.length === logVar.length && mean.every((d, i) => i === 0 || d === null || logVar[i] === null || d === logVar[i]);
  if (!same)
    throw new BlockError(
      `Sampling needs mean and logVar of the same shape, got mean ${fmtShape(mean)} and logVar ${fmtShape(logVar)} — feed both from Dense layers with the same units`,
      { port: 'logVar' },
    );
  // An unknown size on either side stays unknown (as in the merge blocks): at inference z is the
  // mean, whose size the run decides, so a known logVar size must not be promised for it.
  return mean.map((d, i) => (d === null || logVar[i] === null ? null : d));
}

/** Keras-hub's sinusoidal encoding for positions 0…T−1, as a row-major [T, D] Float32Array. */
export function sineEncoding(t: number, d: number, maxWavelength: number): Float32Array {
  const out = new Float32Array(t * d);
  for (let j = 0; j < d; j++) {
    // Each sin/cos pair (2i, 2i+1) shares the timescale maxWavelength^(−2i/D).
    const timescale = Math.pow(1 / maxWavelength, (2 * Math.floor(j / 2)) / d);
    for (let pos = 0; pos < t; pos++) {
      const angle = Math.fround(pos * Math.fround(timescale));
      out[pos * d + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

/** The timescales alone (for ONNX graphs that build the encoding at run time). */
export function sineTimescales(d: number, maxWavelength: number): Float32Array {
  const out = new Float32Array(d);
  for (let j = 0; j < d; j++) out[j] = Math.pow(1 / maxWavelength, (2 * Math.floor(j / 2)) / d);
  return out;
}
