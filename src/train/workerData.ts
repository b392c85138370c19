// The training worker's datasets: built-in ones loaded once per (name, limit, seed) and kept; the
// user's own data, which comes with every request, replaces its copy each time.
import type { Dataset } from '../data/dataset';
import { findDataset } from '../data/registry';
import { browserDataEnv } from '../data/browserEnv';
import { makePreview, stripData } from '../data/preview';
import { decoderStart } from './decode';
import type { DataSource, DatasetMeta } from './protocol';
import { post } from './workerPort';

const datasets = new Map<string, Promise<Dataset>>();

function sourceKey(s: DataSource): string {
  return s.kind === 'builtin' ? `builtin:${s.name}:${s.limit ?? ''}:${s.seed ?? ''}` : `custom:${s.key}`;
}

export function loadData(s: DataSource): Promise<Dataset> {
  const key = sourceKey(s);
  // The user's own data comes with every request and always wins over a cached copy: the same
  // file name (the key) can hold new content after an edit and a second upload.
  if (s.kind === 'custom') {
    const p = Promise.resolve(s.dataset);
    datasets.set(key, p);
    return p;
  }
  let p = datasets.get(key);
  if (!p) {
    const env = browserDataEnv({ onProgress: (path, received, total) => post({ t: 'data-progress', path, received, total }) });
    p = findDataset(s.name).load(env, { limit: s.limit, seed: s.seed });
    datasets.set(key, p);
    p.catch(() => datasets.delete(key));
  }
  return p;
}

/** What the page shows: the dataset without its examples, a preview, and (seq2seq) the decoder's start token. */
export function describe(d: Dataset): DatasetMeta {
  const meta: DatasetMeta = { dataset: stripData(d), preview: makePreview(d) };
  if (d.task === 'seq2seq' && d.train.x.length === 2 && d.train.n > 0) meta.decoderStart = decoderStart(d.train);
  return meta;
}
