import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeImageAsset, encodeImageAsset, packageClassBytes, type ImageAssetEnv } from './imageAsset';
import { loadMnist } from './images';
import { nodeDataEnv } from './nodeEnv';
import { DATASETS, noteDownloadSizes } from './registry';
import { downloadBytes } from './browserEnv';
import type { DataEnv } from './dataset';

const require = createRequire(import.meta.url);

/** Hands out `bytes` in chunks of `size`, counting how many were taken. */
function chunked(bytes: Uint8Array, size: number) {
  const stats = { taken: 0 };
  async function* gen() {
    for (let o = 0; o < bytes.length; o += size) {
      stats.taken += Math.min(size, bytes.length - o);
      yield bytes.subarray(o, o + size);
    }
  }
  return { chunks: gen(), stats };
}

/** Ten classes of 2×2 images whose pixels encode (class, index). */
function tiny(counts: number[]) {
  return counts.map((n, c) => ({ n, bytes: Uint8Array.from({ length: n * 4 }, (_, i) => c * 20 + Math.floor(i / 4)) }));
}

describe('image assets', () => {
  it('round-trips every image of every class, in the package order, over any chunking', async () => {
    const classes = tiny([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
    const asset = encodeImageAsset(classes, 2, 2, 2);
    for (const size of [1, 7, 68, 1000]) {
      const got = await decodeImageAsset(chunked(asset, size).chunks, (c) => c, 'test');
      expect(got.counts).toEqual([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
      expect(got.skipped).toBe(2);
      got.perClass.forEach((b, c) => expect(Array.from(b)).toEqual(Array.from(classes[c]!.bytes)));
    }
  });

  it('with a limit, reads only a prefix: each class gets its first images and the rest is not read', async () => {
    const classes = tiny(Array.from({ length: 10 }, (_, c) => 100 + 10 * c));
    const asset = encodeImageAsset(classes, 0, 2, 2);
    const { chunks, stats } = chunked(asset, 50);
    const got = await decodeImageAsset(chunks, (c) => c.map(() => 5), 'test');
    got.perClass.forEach((b, c) => expect(Array.from(b)).toEqual(Array.from(classes[c]!.bytes.subarray(0, 20))));
    // 10 × 5 images of 5 bytes each are needed; interleaving keeps the prefix near that.
    expect(stats.taken).toBeLessThan(68 + 5 * 5 * 10 * 1.3 + 50);
  });

  it('refuses a wrong file or a short one, quoting what is wrong', async () => {
    const asset = encodeImageAsset(tiny([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 0, 2, 2);
    await expect(decodeImageAsset(chunked(new TextEncoder().encode('<!doctype html><html>'.padEnd(200, ' ')), 64).chunks, (c) => c, 'the mnist data')).rejects.toThrow(/the mnist data is not a Neural Blocks image asset \(wrong magic bytes\)/);
    await expect(decodeImageAsset(chunked(asset.subarray(0, asset.length - 3), 64).chunks, (c) => c, 'x')).rejects.toThrow(/ended with 1 images still to read/);
    const lying = asset.slice();
    new DataView(lying.buffer).setUint32(8, 999, true);
    await expect(decodeImageAsset(chunked(lying, 64).chunks, (c) => c, 'x')).rejects.toThrow(/class counts 1\+1\+1\+1\+1\+1\+1\+1\+1\+1 ≠ 999/);
  });

  it('reads a package class file as bytes, leaving out empty rows and naming a bad row', () => {
    const row = Array.from({ length: 4 }, (_, i) => i * 60);
    expect(packageClassBytes({ data: [row, [], row] }, 'c/0.json', 'Fashion', 4)).toMatchObject({ n: 2, skipped: 1 });
    expect(Array.from(packageClassBytes({ data: [0, 0.5, 1, 0.188] }, 'd/0.json', 'MNIST', 4).bytes)).toEqual([0, 128, 255, 48]);
    expect(() => packageClassBytes({ data: [row, [1, 2]] }, 'c/3.json', 'Fashion', 4)).toThrow(/Fashion: c\/3.json .*\(row 1 has 2 values, not 4\)/);
  });

  it('gives the browser the same MNIST examples and split as Node, pixels within 1/510', async () => {
    const classes = Array.from({ length: 10 }, (_, c) => {
      const path = `mnist/src/digits/${c}.json`;
      return packageClassBytes(JSON.parse(readFileSync(require.resolve(path), 'utf8')), path, 'MNIST', 784);
    });
    const asset = encodeImageAsset(classes, 0);
    const browserLike: DataEnv & ImageAssetEnv = {
      readPackageJson: () => Promise.reject(new Error('the asset path must not read JSON')),
      readImageAsset: (name, keep) => (expect(name).toBe('mnist'), decodeImageAsset(chunked(asset, 65536).chunks, keep, name)),
    };
    for (const limit of [500, undefined]) {
      const a = await loadMnist(browserLike, { limit, seed: 3 });
      const b = await loadMnist(nodeDataEnv, { limit, seed: 3 });
      expect([a.train.n, a.test.n]).toEqual([b.train.n, b.test.n]);
      expect(Array.from(a.train.y[0]!.data)).toEqual(Array.from(b.train.y[0]!.data));
      const xa = a.test.x[0]!.data;
      const xb = b.test.x[0]!.data;
      let worst = 0;
      for (let i = 0; i < xa.length; i++) worst = Math.max(worst, Math.abs(xa[i]! - xb[i]!));
      expect(worst).toBeGreaterThan(0); // the package's 3-decimal values are not all k/255
      expect(worst).toBeLessThanOrEqual(1 / 510 + 1e-6);
    }
  });

  it('shows the download size in a data set title', () => {
    const asset = (file: string, bytes: number, dataset?: string) => ({ file, bytes, rawBytes: 0, ...(dataset ? { dataset } : {}) });
    const bytes = downloadBytes({
      mnist: asset('mnist.nbimg.gz', 1_633_421),
      'mnist-full-train': asset('mnist-full-train.nbimg.gz', 9_992_359, 'mnist-full'),
      'mnist-full-test': asset('mnist-full-test.nbimg.gz', 1_661_526, 'mnist-full'),
      cmudict: asset('cmudict.json.gz', 905_045),
    });
    expect(bytes).toEqual({ mnist: 1_633_421, 'mnist-full': 11_653_885, cmudict: 905_045 });
    noteDownloadSizes(bytes);
    expect(DATASETS.find((d) => d.name === 'mnist-full')!.title).toBe('MNIST, full (60,000 train + 10,000 test, 28×28×1, 10 classes) · 11.7 MB download');
    expect(DATASETS.find((d) => d.name === 'mnist')!.title).toBe('MNIST digits (28×28×1, 10 classes) · 1.6 MB download');
    expect(DATASETS.find((d) => d.name === 'cmudict')!.title).toMatch(/· 906 kB download$/);
    expect(DATASETS.find((d) => d.name === 'xor')!.title).not.toMatch(/download/);
  });
});
