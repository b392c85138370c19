// Training benchmark (issue 5), in headless Chromium per backend (WebGPU, WebGL, WASM, CPU): ms per
// training step of the compiled graph vs the same model written by hand in tfjs (target ratio
// ≤ 1.02), examples/s, and inference latency of tfjs vs onnxruntime-web on the exported model.
// The bench worker (src/train/benchWorker.ts) is loaded from the Vite dev server. Imported by
// bench/run.ts.
import type { GraphDoc } from '../src/core/graph';
import { serve, launch } from '../e2e/harness';
import type { BenchSection } from './types';

/** The graph timed here; benchWorker.ts writes the same model by hand. */
export const BENCH_GRAPH: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'bench lenet',
  nodes: [
    { id: 'image', type: 'Input', params: { shape: [28, 28, 1] } },
    { id: 'c1', type: 'Conv2D', params: { filters: 8, kernelSize: 3, strides: 2, activation: 'relu' } },
    { id: 'p1', type: 'MaxPooling2D', params: { poolSize: 2 } },
    { id: 'c2', type: 'Conv2D', params: { filters: 16, kernelSize: 3, activation: 'relu' } },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'fc', type: 'Dense', params: { units: 32, activation: 'relu' } },
    { id: 'out', type: 'Dense', params: { units: 10, activation: 'softmax' } },
  ],
  edges: [
    { source: 'image', target: 'c1' },
    { source: 'c1', target: 'p1' },
    { source: 'p1', target: 'c2' },
    { source: 'c2', target: 'flat' },
    { source: 'flat', target: 'fc' },
    { source: 'fc', target: 'out' },
  ],
};

interface Row {
  backend: string;
  adapter?: string;
  compiledMs: number;
  handMs: number;
  ratio: number;
  /** The app's loop (train()) per batch, with its read-back and checks. */
  loopMs: number;
  examplesPerSec: number;
  tfjsInferMs: number;
  ortInferMs?: number;
  ortProvider?: string;
  error?: string;
}

export async function benchTrain(opts: { batch?: number; steps?: number } = {}): Promise<BenchSection> {
  const batch = opts.batch ?? 64;
  const steps = opts.steps ?? 10;
  const server = await serve('dev');
  const browser = await launch();
  const rows: Row[] = [];
  try {
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
      const page = await browser.newPage();
      try {
        await page.goto(server.url);
        await page.waitForFunction(() => (window as { __nb?: { ready: boolean } }).__nb?.ready, null, { timeout: 120_000 });
        const r = await page.evaluate(
          async ({ backend, graph, batch, steps }) => {
            const w = new Worker('/src/train/benchWorker.ts', { type: 'module' });
            const res: Record<string, unknown> = await new Promise<Record<string, unknown>>((resolve) => {
              w.onmessage = (e) => resolve(e.data as Record<string, unknown>);
              w.onerror = (e) => resolve({ ok: false, message: e.message });
              w.postMessage({ backend, graph, batch, steps });
            });
            w.terminate();
            if (!res.ok) return res;
            const modPath = '/src/onnx/ortWeb.ts';
            const ort = (await import(/* @vite-ignore */ modPath)) as typeof import('../src/onnx/ortWeb');
            const x = new Float32Array(batch * 28 * 28).map(() => Math.random());
            const o = await ort.runInOrt(res.onnx as Uint8Array, [{ shape: [28, 28, 1], dtype: 'float32', data: x }], backend === 'webgpu' ? 'webgpu' : 'wasm');
            return { ...res, onnx: undefined, ortMs: o.ms, ortProvider: o.provider } as Record<string, unknown>;
          },
          { backend, graph: BENCH_GRAPH, batch, steps },
        );
        if (!r.ok) rows.push({ backend, compiledMs: NaN, handMs: NaN, ratio: NaN, loopMs: NaN, examplesPerSec: NaN, tfjsInferMs: NaN, error: String(r.message) });
        else {
          const compiledMs = r.compiledMs as number;
          const handMs = r.handMs as number;
          rows.push({
            backend,
            adapter: r.adapter as string | undefined,
            compiledMs,
            handMs,
            ratio: compiledMs / handMs,
            loopMs: r.loopMs as number,
            examplesPerSec: (batch * 1000) / compiledMs,
            tfjsInferMs: r.inferMs as number,
            ortInferMs: r.ortMs as number,
            ortProvider: r.ortProvider as string,
          });
        }
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const f = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
  return {
    name: 'train',
    title: 'Training in the browser (headless Chromium, per backend)',
    method: `A small LeNet-like CNN (conv 3×3/2 ×8 → max-pool → conv 3×3 ×16 → dense 32 → dense 10, 8.5k params) built from blocks and compiled, against the same model written by hand with tf.layers, trained with the same step (forward, sparse cross-entropy, gradients, Adam, loss read back each step like the app's loop) on a batch of ${batch}; best of two interleaved runs of ${steps} steps after 3 warm-up steps, in a worker as in the app. "App loop" times the app's own train() (batching, loss + gradient norm + accuracy read back together, NaN check, update) on random data, per batch after 3 warm-up batches, as a ratio to the hand-written step. Inference: median of 7 runs of a ${batch}-example batch in tfjs and in onnxruntime-web (WebGPU provider on the WebGPU row, WASM otherwise) on the exported model. Headless Chromium's WebGPU adapter is SwiftShader (a CPU emulation), so absolute GPU numbers are not a real GPU's.`,
    table: {
      columns: ['backend', 'compiled ms/step', 'hand-written ms/step', 'ratio', "app loop ms/batch (ratio)", 'examples/s', 'tfjs infer ms', 'ORT-web infer ms', 'ORT provider'],
      rows: rows.map((r) => [r.adapter ? `${r.backend} (${r.adapter})` : r.backend, r.error ? `error: ${r.error}` : f(r.compiledMs), f(r.handMs), f(r.ratio, 3), r.error ? '—' : `${f(r.loopMs)} (${f(r.loopMs / r.handMs, 3)})`, f(r.examplesPerSec, 0), f(r.tfjsInferMs), f(r.ortInferMs), r.ortProvider ?? '—']),
    },
    targets: rows
      .filter((r) => !r.error)
      .map((r) => ({ what: `${r.backend}: compiled / hand-written step time ≤ 1.02`, met: r.ratio <= 1.02, detail: `${r.ratio.toFixed(3)} (${r.compiledMs.toFixed(2)} vs ${r.handMs.toFixed(2)} ms)` })),
    data: { batch, steps, rows },
  };
}
