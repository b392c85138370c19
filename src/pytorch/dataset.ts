// A dataset (src/data) as files train.py reads: dataset.json (shapes, dtypes, offsets) and
// dataset.bin (the arrays back to back, little-endian float32/int32), no Python packages needed.
import type { Dataset, Split, TensorData } from '../data/dataset';

interface Entry {
  shape: number[];
  dtype: 'float32' | 'int32';
  n: number;
  offset: number;
}

export function exportDataset(ds: Dataset, opts: { limit?: number } = {}): { 'dataset.json': string; 'dataset.bin': Uint8Array } {
  const chunks: { t: TensorData; n: number }[] = [];
  let size = 0;
  const describe = (s: Split) => {
    const n = opts.limit ? Math.min(opts.limit, s.n) : s.n;
    const one = (t: TensorData): Entry => {
      const e: Entry = { shape: t.shape.slice(), dtype: t.dtype, n, offset: size };
      chunks.push({ t, n });
      size += 4 * n * t.shape.reduce((a, b) => a * b, 1);
      return e;
    };
    return { n, x: s.x.map(one), y: s.y.map(one) };
  };
  const train = describe(ds.train);
  const test = describe(ds.test);
  const bin = new Uint8Array(size);
  const view = new DataView(bin.buffer);
  let off = 0;
  for (const { t, n } of chunks) {
    const count = n * t.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < count; i++) {
      if (t.dtype === 'int32') view.setInt32(off, t.data[i]!, true);
      else view.setFloat32(off, t.data[i]!, true);
      off += 4;
    }
  }
  const manifest = { format: 'neural-blocks.dataset', version: 1, name: ds.name, task: ds.task, numClasses: ds.numClasses ?? null, ...(ds.ignoreLabel !== undefined ? { ignoreLabel: ds.ignoreLabel } : {}), file: 'dataset.bin', train, test };
  return { 'dataset.json': JSON.stringify(manifest, null, 1), 'dataset.bin': bin };
}
