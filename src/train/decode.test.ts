// The one greedy decoder (decode.ts): the start token comes from the data, each step sees only the
// decoder's own earlier outputs, an end token stops its row, and without one all T steps run.
import { describe, expect, it } from 'vitest';
import { argmaxAt, decoderStart, greedyDecode, type GreedyStep } from './decode';
import { makeSequenceTask, START } from '../data/sequences';
import type { Split } from '../data/dataset';

/** A stand-in model that writes (the decoder token at t) + 1 at step t, as loop.test.ts's counting model does. */
function counting(T: number, V: number, seen: number[][] = []): GreedyStep {
  return async (dec, t) => {
    const rows = dec.length / T;
    seen.push(Array.from(dec));
    return Array.from({ length: rows }, (_, i) => (dec[i * T + t]! + 1) % V);
  };
}

function split(decoderInputs: number[][]): Split {
  const T = decoderInputs[0]!.length;
  const n = decoderInputs.length;
  return {
    x: [
      { shape: [T], dtype: 'int32', data: new Int32Array(n * T).fill(3) },
      { shape: [T], dtype: 'int32', data: Int32Array.from(decoderInputs.flat()) },
    ],
    y: [],
    n,
  };
}

describe('greedy decoding', () => {
  it('reads the start token from the data, not a fixed id', () => {
    const reversal = makeSequenceTask('reverse', { n: 20, length: 5 });
    expect(decoderStart(reversal.test)).toBe(START);
    expect(reversal.vocab![decoderStart(reversal.train)]).toBe('<s>');
    // data whose decoder inputs begin with 7 start decoding from 7
    expect(decoderStart(split([[7, 8, 9, 10]]))).toBe(7);
    expect(() => decoderStart({ x: [{ shape: [4], dtype: 'int32', data: new Int32Array(4) }], y: [], n: 1 })).toThrow(/decoder input \(input 2\).*1 input\(s\) and 1 example/);
  });

  it('feeds back its own outputs from the start token, for every row together', async () => {
    const seen: number[][] = [];
    const start = decoderStart(split([[5, 0, 0, 0]]));
    const r = await greedyDecode(2, 4, start, counting(4, 20, seen));
    expect(Array.from(r.tokens)).toEqual([6, 7, 8, 9, 6, 7, 8, 9]);
    expect(Array.from(r.lengths)).toEqual([4, 4]);
    // step t sees the start token and the t tokens decoded before it, then padding
    expect(seen[0]).toEqual([5, 0, 0, 0, 5, 0, 0, 0]);
    expect(seen[2]).toEqual([5, 6, 7, 0, 5, 6, 7, 0]);
    expect(Array.from(r.dec)).toEqual([5, 6, 7, 8, 5, 6, 7, 8]);
  });

  it('stops a row at the end token and the whole batch when every row has ended', async () => {
    const steps: number[][] = [];
    // row 0 counts from 1 and meets the end token 3 at step 1; row 1 counts from 5 and never does
    const step: GreedyStep = async (dec, t) => {
      steps.push([t]);
      return [t === 0 ? 2 : 3, 6 + t].slice(0, dec.length / 4);
    };
    const r = await greedyDecode(2, 4, 1, step, 3);
    expect(Array.from(r.tokens)).toEqual([2, 3, 0, 0, 6, 7, 8, 9]);
    expect(Array.from(r.lengths)).toEqual([2, 4]);
    expect(steps.length).toBe(4);
    // one row alone stops as soon as it writes the end token
    const one = await greedyDecode(1, 6, 1, counting(6, 20), 4);
    expect(Array.from(one.tokens)).toEqual([2, 3, 4, 0, 0, 0]);
    expect(one.lengths[0]).toBe(3);
  });

  it('takes the first of equal scores as the argmax', () => {
    expect(argmaxAt([0.1, 0.7, 0.2, 0.9, 0.9, 0.3], 3, 3)).toBe(0);
    expect(argmaxAt([0.1, 0.7, 0.2, 0.1, 0.9, 0.9], 3, 3)).toBe(1);
  });
});
