// The app's training loop against a bare training step (issue 18's lean loop: ≤ 5% over the bare
// step on every backend), LeNet-5 at batch 32, side by side in one run: in Node on tfjs' CPU and
// WASM backends, and in headless Chromium (a worker, as the app trains) on WebGL and WASM. The
// measurement is src/train/loopBench.ts; the browser runs it in src/train/loopBenchWorker.ts.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import type { GraphDoc } from '../src/core/graph';
import { measureOverhead, WARM, type Clock, type OverheadRuns, type Took } from '../src/train/loopBench';
import { bridgeWasmKernels } from '../src/train/wasmKernels';
import { launch, serve } from '../e2e/harness';
import type { BenchSection } from './types';

const BATCH = 32;

const lenet = (): GraphDoc => JSON.parse(readFileSync(new URL('../templates/lenet5.json', import.meta.url), 'utf8')) as GraphDoc;

/** Wall clock and this process's CPU time (user + system). */
const nodeClock: Clock = () => {
  const w = performance.now();
  const c = process.cpuUsage();
  return () => {
    const d = process.cpuUsage(c);
    return { wall: performance.now() - w, cpu: (d.user + d.system) / 1000 };
  };
};

interface Plan {
  where: 'node' | 'chromium';
  backend: 'cpu' | 'wasm' | 'webgl';
  steps: number;
  times: number;
}

const PLANS: Plan[] = [
  // The pure-JS CPU backend takes seconds a step on convolutions: few steps; the loop's own cost is small beside them.
  { where: 'node', backend: 'cpu', steps: 2, times: 2 },
  { where: 'node', backend: 'wasm', steps: 20, times: 3 },
  { where: 'chromium', backend: 'webgl', steps: 10, times: 2 },
  { where: 'chromium', backend: 'wasm', steps: 10, times: 2 },
];

interface Row extends Plan {
  adapter?: string;
  runs: OverheadRuns['runs'];
  error?: string;
}

async function inChromium(plans: Plan[], graph: GraphDoc): Promise<Row[]> {
  const server = await serve('dev');
  const browser = await launch();
  const rows: Row[] = [];
  try {
    for (const p of plans) {
      const page = await browser.newPage();
      try {
        // Only the origin is needed (the worker is a module of the dev server): no wait for the app itself.
        await page.goto(server.url, { waitUntil: 'commit', timeout: 180_000 });
        const r = await page.evaluate(
          async (msg) =>
            new Promise<Record<string, unknown>>((resolve) => {
              const w = new Worker('/src/train/loopBenchWorker.ts', { type: 'module' });
              w.onmessage = (e) => (w.terminate(), resolve(e.data as Record<string, unknown>));
              w.onerror = (e) => (w.terminate(), resolve({ ok: false, message: e.message }));
              w.postMessage(msg);
            }),
          { backend: p.backend, graph, batch: BATCH, steps: p.steps, times: p.times },
        );
        rows.push(r.ok ? { ...p, adapter: r.adapter as string | undefined, runs: r.runs as OverheadRuns['runs'] } : { ...p, runs: [], error: String(r.message) });
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}

const best = (runs: OverheadRuns['runs'], f: (r: OverheadRuns['runs'][number]) => Took, k: 'wall' | 'cpu') => Math.min(...runs.map((r) => f(r)[k] ?? NaN));
const pct = (loop: number, bare: number) => (Number.isFinite(loop / bare) ? `${((loop / bare - 1) * 100).toFixed(1)}%` : '—');
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');

/** `only`: plan keys to run, e.g. ["node/wasm"] (default: all). */
export async function benchLoopOverhead(only?: string[]): Promise<BenchSection> {
  const plans = PLANS.filter((p) => !only || only.includes(`${p.where}/${p.backend}`));
  const graph = lenet();
  bridgeWasmKernels();
  const rows: Row[] = [];
  for (const p of plans.filter((q) => q.where === 'node')) {
    await tf.setBackend(p.backend);
    rows.push({ ...p, ...(await measureOverhead(graph, BATCH, p.steps, p.times, nodeClock)) });
  }
  await tf.setBackend('cpu');
  const browserPlans = plans.filter((q) => q.where === 'chromium');
  if (browserPlans.length) {
    try {
      rows.push(...(await inChromium(browserPlans, graph)));
    } catch (e) {
      for (const p of browserPlans) rows.push({ ...p, runs: [], error: (e as Error).message });
    }
  }
  const summary = rows.map((r) => {
    const wall = { bare: best(r.runs, (x) => x.bare, 'wall'), loop: best(r.runs, (x) => x.loop, 'wall') };
    const cpu = { bare: best(r.runs, (x) => x.bare, 'cpu'), loop: best(r.runs, (x) => x.loop, 'cpu') };
    return { ...r, wall, cpu, wallRatio: wall.loop / wall.bare, cpuRatio: cpu.loop / cpu.bare };
  });
  return {
    name: 'loopOverhead',
    title: 'The training loop against a bare step (LeNet-5, Node and headless Chromium)',
    method: `LeNet-5 (templates/lenet5.json) at batch ${BATCH}, Adam, after ${WARM} warm-up steps (src/train/loopBench.ts). Bare: optimizer.minimize on input tensors already in place, one read-back at the end. Loop: the app's train() on random data of the same shape (row gathering and upload, accuracy counts, gradient norm, the NaN check with its read-back one batch later, the progress callback), timed between batch reports. Bare and loop run alternately; the fastest of each is compared. Node: in this process on tfjs' CPU backend and on its WASM backend with src/train/wasmKernels.ts, in wall-clock time and in this process's CPU time (user + system: the work done, less sensitive to other processes on a loaded machine). Chromium: headless, in a worker (src/train/loopBenchWorker.ts from the Vite dev server), wall-clock only; its WebGL is SwiftShader (on the CPU) without a GPU.`,
    table: {
      columns: ['where', 'backend', 'timed steps × runs', 'bare ms/step (wall / CPU)', 'loop ms/batch (wall / CPU)', 'loop / bare − 1 (wall)', 'loop / bare − 1 (CPU)', 'each run: bare / loop wall ms'],
      rows: summary.map((r) =>
        r.error
          ? [r.where, r.backend, '—', `error: ${r.error}`, '—', '—', '—', '—']
          : [r.where, r.adapter ? `${r.backend} (${r.adapter})` : r.backend, `${r.steps} × ${r.times}`, `${ms(r.wall.bare)} / ${ms(r.cpu.bare)}`, `${ms(r.wall.loop)} / ${ms(r.cpu.loop)}`, pct(r.wall.loop, r.wall.bare), pct(r.cpu.loop, r.cpu.bare), r.runs.map((x) => `${x.bare.wall.toFixed(0)} / ${x.loop.wall.toFixed(0)}`).join(', ')],
      ),
    },
    targets: summary
      .filter((r) => !r.error)
      .map((r) => {
        const ratio = Number.isFinite(r.cpuRatio) ? r.cpuRatio : r.wallRatio;
        return { what: `${r.where} ${r.backend}: the loop costs ≤ 5% over a bare step (${Number.isFinite(r.cpuRatio) ? 'CPU time' : 'wall clock'})`, met: ratio <= 1.05, detail: `${((ratio - 1) * 100).toFixed(1)}%` };
      }),
    notes: ['On a shared, loaded machine single steps vary by more than the overhead measured: compare the runs column, and rerun with `npm run bench -- loopOverhead`.'],
    data: summary,
  };
}
