// What the training panel shows about a dataset before training: a few examples (images, table
// rows or sequence pairs), and the dataset's description without its example arrays (the page
// needs only shapes and counts for the fit check; the data stays in the worker).
import { exampleSize, type Dataset, type Split, type TensorData } from './dataset';

export type Preview =
  | { kind: 'images'; h: number; w: number; c: number; items: { pixels: Float32Array; label: string }[] }
  | { kind: 'rows'; columns: string[]; rows: string[][] }
  | { kind: 'pairs'; pairs: [string, string][] };

function emptyLike(t: TensorData): TensorData {
  return { shape: t.shape, dtype: t.dtype, data: t.dtype === 'int32' ? new Int32Array(0) : new Float32Array(0) };
}

function stripSplit(s: Split): Split {
  return { x: s.x.map(emptyLike), y: s.y.map(emptyLike), n: s.n };
}

/** The dataset with empty example arrays: shapes, dtypes, counts and vocabularies only. */
export function stripData(d: Dataset): Dataset {
  return { ...d, train: stripSplit(d.train), test: stripSplit(d.test) };
}

/** Tokens → text: single characters join without spaces, longer symbols (phonemes) with spaces. */
export function detokenize(ids: ArrayLike<number>, vocab: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    // by symbol, not id: fixed-length vocabularies have no </s> (id 2 is then a digit)
    const sym = vocab[id] ?? '?';
    if (sym === '</s>') break;
    if (sym === '<pad>' || sym === '<s>' || sym === '[CLS]') continue;
    out.push(sym);
  }
  return out.every((s) => s.length === 1) ? out.join('') : out.join(' ');
}

/** Text → token ids with a vocabulary (characters, or space-separated symbols if the vocabulary has longer ones). */
export function tokenize(text: string, vocab: string[]): { ids: number[]; unknown: string[] } {
  const index = new Map(vocab.map((s, i) => [s, i]));
  const multi = vocab.slice(3).some((s) => s.length > 1);
  const parts = multi ? text.trim().split(/\s+/).filter(Boolean) : [...text];
  const ids: number[] = [];
  const unknown: string[] = [];
  for (const p of parts) {
    const id = index.get(p) ?? index.get(p.toUpperCase()) ?? index.get(p.toLowerCase());
    if (id === undefined) unknown.push(p);
    else ids.push(id);
  }
  return { ids, unknown };
}

function labelOf(d: Dataset, s: Split, i: number): string {
  const y = s.y[0];
  if (!y) return '';
  const k = exampleSize(y);
  if (k === 1) {
    const v = y.data[i]!;
    return d.classNames?.[v] ?? (y.dtype === 'int32' ? String(v) : v.toFixed(3));
  }
  return `[${y.shape.join('×')}]`;
}

/** A handful of test examples to show. */
export function makePreview(d: Dataset, count = 12): Preview {
  const s = d.test;
  const n = Math.min(count, s.n);
  const x0 = s.x[0];
  if (x0 && x0.dtype === 'float32' && x0.shape.length === 3 && (x0.shape[2] === 1 || x0.shape[2] === 3)) {
    const [h, w, c] = x0.shape as [number, number, number];
    const k = h * w * c;
    return {
      kind: 'images',
      h,
      w,
      c,
      items: Array.from({ length: n }, (_, i) => ({ pixels: (x0.data as Float32Array).slice(i * k, i * k + k), label: labelOf(d, s, i) })),
    };
  }
  if ((d.task === 'seq2seq' || d.task === 'language-model') && d.vocab && x0) {
    const srcVocab = d.sourceVocab ?? d.vocab;
    const L = exampleSize(x0);
    const y = s.y[0];
    const T = y ? exampleSize(y) : 0;
    return {
      kind: 'pairs',
      pairs: Array.from({ length: n }, (_, i) => [detokenize(x0.data.subarray(i * L, i * L + L), srcVocab), y ? detokenize(y.data.subarray(i * T, i * T + T), d.vocab!) : ''] as [string, string]),
    };
  }
  const k = x0 ? exampleSize(x0) : 0;
  const cols = Math.min(k, 8);
  const columns = [...Array.from({ length: cols }, (_, j) => `x${j}`), ...(k > cols ? ['…'] : []), 'label'];
  const rows = Array.from({ length: n }, (_, i) => {
    const r: string[] = [];
    for (let j = 0; j < cols; j++) {
      const v = x0!.data[i * k + j]!;
      r.push(Number.isInteger(v) ? String(v) : v.toFixed(3));
    }
    if (k > cols) r.push('…');
    r.push(labelOf(d, s, i));
    return r;
  });
  return { kind: 'rows', columns, rows };
}
