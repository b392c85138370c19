// Greedy decoding of a teacher-forced seq2seq model (two inputs: source tokens, decoder input), the
// one decoder behind the test-set evaluation (loop.ts evaluateGreedy) and the Try-it panel (the
// worker's decode). The decoder input starts as the start token followed by padding; each step runs
// the model, takes the argmax at that step and writes it into the next decoder position, so the
// model sees only its own earlier outputs. The start token is read from the data, never assumed.
import type { Split } from '../data/dataset';

/** The seq2seq datasets give the source tokens, then the decoder input (src/data/sequences.ts). */
export const DECODER_INPUT = 1;

/**
 * The token the decoder input starts with: the first token of the data's first decoder input (the
 * target shifted right, so its first token is the start symbol, <s> in src/data/sequences.ts).
 */
export function decoderStart(split: Split): number {
  const dec = split.x[DECODER_INPUT];
  if (!dec || split.n === 0 || dec.data.length === 0) throw new Error(`greedy decoding needs the data's decoder input (input ${DECODER_INPUT + 1}) to read the start token from; the data has ${split.x.length} input(s) and ${split.n} example(s)`);
  return Number(dec.data[0]);
}

/**
 * One step: the model's argmax token at decoder position `t` for each row, given the decoder
 * inputs so far (rows × T, row-major).
 */
export type GreedyStep = (dec: Int32Array, t: number) => Promise<ArrayLike<number>>;

export interface GreedyDecoded {
  /** The decoded tokens, rows × T; positions after a row's end token stay 0. */
  tokens: Int32Array;
  /** Tokens decoded per row, the end token included. */
  lengths: Int32Array;
  /** The decoder input as fed at the last step. */
  dec: Int32Array;
}

/**
 * Decodes `rows` sequences of up to T tokens together (T steps at most). `end` (the </s> id, when
 * the vocabulary has one) ends a row; without it every row runs all T steps (fixed-length tasks
 * such as reversal, where id 2 is an ordinary symbol).
 */
export async function greedyDecode(rows: number, T: number, start: number, step: GreedyStep, end?: number): Promise<GreedyDecoded> {
  const tokens = new Int32Array(rows * T);
  const lengths = new Int32Array(rows);
  const dec = new Int32Array(rows * T);
  for (let i = 0; i < rows; i++) dec[i * T] = start;
  const done = new Uint8Array(rows);
  for (let t = 0; t < T; t++) {
    const best = await step(dec, t);
    for (let i = 0; i < rows; i++) {
      if (done[i]) continue;
      const b = best[i]!;
      tokens[i * T + t] = b;
      lengths[i] = t + 1;
      if (b === end) done[i] = 1;
      else if (t + 1 < T) dec[i * T + t + 1] = b;
    }
    if (done.every((d) => d === 1)) break;
  }
  return { tokens, lengths, dec };
}

/** Index of the largest of data[from … from+n) relative to `from` (the first one on a tie). */
export function argmaxAt(data: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let v = 1; v < n; v++) if (data[from + v]! > data[from + best]!) best = v;
  return best;
}
