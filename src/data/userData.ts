// The user's own sequence pairs and images, parsed without the DOM (the panel reads the files and
// decodes images into RGBA pixels; everything after that happens here and is unit-tested).
import { rng } from '../core/randomInputs';
import { DataError, permuteSplit, shuffleIndex, sliceSplit, type Dataset, type Split } from './dataset';
import { pairsToDataset } from './sequences';

/**
 * A text file of "input → output" pairs, one per line ("->" and a tab work too; blank lines and
 * lines starting with # are skipped). A side with spaces is a sequence of words (phonemes,
 * tokens); without spaces, a sequence of characters.
 */
export function parsePairs(text: string): [string[], string[]][] {
  const out: [string[], string[]][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = line.split(/\s*(?:→|->|\t)\s*/);
    if (m.length !== 2 || !m[0] || !m[1]) throw new DataError(`pairs file, line ${i + 1}: expected "input → output" (or "input -> output", or a tab between them), got ${JSON.stringify(raw.slice(0, 60))}`);
    const toks = (s: string) => (/\s/.test(s) ? s.split(/\s+/) : [...s]);
    out.push([toks(m[0]), toks(m[1])]);
  });
  if (!out.length) throw new DataError('pairs file: no "input → output" lines found');
  return out;
}

export function pairsFileToDataset(text: string, name = 'pairs', seed = 9): Dataset {
  const pairs = parsePairs(text);
  const r = rng(seed);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
  }
  return pairsToDataset(pairs, { name, title: name, description: `${pairs.length} input → output pairs from your file (teacher forcing: the decoder reads the target shifted right).` });
}

/**
 * Resizes an RGBA image (bytes, row-major) to dw×dh with bilinear sampling of pixel centres and
 * keeps `channels` values per pixel in [0, 1]: 1 = grey (ITU-R 601 luma), 3 = RGB.
 */
export function resizeToTensor(rgba: ArrayLike<number>, sw: number, sh: number, dw: number, dh: number, channels: 1 | 3): Float32Array {
  if (rgba.length !== sw * sh * 4) throw new DataError(`image: ${rgba.length} bytes for ${sw}×${sh} RGBA (expected ${sw * sh * 4})`);
  const out = new Float32Array(dw * dh * channels);
  const px = (x: number, y: number, k: number) => rgba[(y * sw + x) * 4 + k]!;
  for (let y = 0; y < dh; y++) {
    // centre of the destination pixel, mapped into source coordinates
    const fy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / dh - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / dw - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const tx = fx - x0;
      const rgb = [0, 1, 2].map((k) => (px(x0, y0, k) * (1 - tx) + px(x1, y0, k) * tx) * (1 - ty) + (px(x0, y1, k) * (1 - tx) + px(x1, y1, k) * tx) * ty);
      const o = (y * dw + x) * channels;
      if (channels === 1) out[o] = (0.299 * rgb[0]! + 0.587 * rgb[1]! + 0.114 * rgb[2]!) / 255;
      else for (let k = 0; k < 3; k++) out[o + k] = rgb[k]! / 255;
    }
  }
  return out;
}

/** The class of an image file in a per-class folder: "digits/7/img01.png" → "7". */
export function classFromPath(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  if (parts.length < 2) throw new DataError(`image "${path}" is not inside a class folder: put each class's images in a folder named after the class`);
  return parts[parts.length - 2]!;
}

export function imagesToDataset(items: { label: string; pixels: Float32Array }[], shape: [number, number, number], opts: { name?: string; testFraction?: number; seed?: number } = {}): Dataset {
  const k = shape[0] * shape[1] * shape[2];
  const classNames = [...new Set(items.map((i) => i.label))].sort();
  if (classNames.length < 2) throw new DataError(`image folder: found ${classNames.length} class folder(s) (${classNames.join(', ')}); a classifier needs at least 2`);
  const ids = new Map(classNames.map((c, i) => [c, i]));
  const n = items.length;
  const x = new Float32Array(n * k);
  const y = new Int32Array(n);
  items.forEach((it, i) => {
    if (it.pixels.length !== k) throw new DataError(`image ${i + 1} has ${it.pixels.length} values, expected ${k} (${shape.join('×')})`);
    x.set(it.pixels, i * k);
    y[i] = ids.get(it.label)!;
  });
  const all: Split = { x: [{ shape: [...shape], dtype: 'float32', data: x }], y: [{ shape: [], dtype: 'int32', data: y }], n };
  const shuffled = permuteSplit(all, shuffleIndex(n, rng(opts.seed ?? 4)));
  const nTest = Math.max(1, Math.round(n * (opts.testFraction ?? 0.2)));
  if (n - nTest < 1) throw new DataError(`image folder: ${n} image(s) are too few to split into train and test`);
  return {
    name: opts.name ?? 'images',
    title: opts.name ?? 'Your images',
    description: `${n} images in ${classNames.length} classes (${classNames.slice(0, 6).join(', ')}${classNames.length > 6 ? ', …' : ''}), resized to ${shape.join('×')}.`,
    task: 'classification',
    numClasses: classNames.length,
    classNames,
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: sliceSplit(shuffled, nTest, n),
    test: sliceSplit(shuffled, 0, nTest),
  };
}
