// Runs an exported model in onnxruntime-web, in the page: the WebGPU execution provider when the
// browser has one, else WASM. ORT's .wasm binary is served by the app itself (Vite turns the
// import below into a local asset URL in dev and build), never fetched from a CDN. Used by the
// training panel's "Run in ONNX Runtime" to compare the export with tfjs on the test inputs.
import type { TensorData } from '../data/dataset';

export interface OrtRun {
  provider: 'webgpu' | 'wasm';
  /** Why WebGPU was not used, when it was not. */
  fallbackReason?: string;
  outputs: { name: string; shape: number[]; data: Float32Array }[];
  /** Median ms of one batched run (after a warm-up run). */
  ms: number;
}

type Ort = typeof import('onnxruntime-web');
let ortP: Promise<Ort> | null = null;

export async function loadOrt(): Promise<Ort> {
  if (!ortP)
    ortP = (async () => {
      const ort = await import('onnxruntime-web');
      // The JSEP build (WebGPU + WASM) is what the default entry loads; point it at our copy.
      const wasm = (await import('/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm?url')).default as string;
      ort.env.wasm.wasmPaths = { wasm };
      // Threads need cross-origin isolation (SharedArrayBuffer); run single-threaded without it.
      if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) ort.env.wasm.numThreads = 1;
      ort.env.logLevel = 'error';
      return ort;
    })();
  return ortP;
}

async function session(ort: Ort, bytes: Uint8Array, provider: 'webgpu' | 'wasm') {
  return ort.InferenceSession.create(bytes, { executionProviders: [provider], graphOptimizationLevel: 'all' });
}

/** Loads the model, runs the batch `inputs` (one entry per model input, in order) and times it. */
export async function runInOrt(bytes: Uint8Array, inputs: TensorData[], prefer: 'webgpu' | 'wasm' = 'webgpu'): Promise<OrtRun> {
  const ort = await loadOrt();
  let provider: OrtRun['provider'] = prefer;
  let fallbackReason: string | undefined;
  let s;
  if (prefer === 'webgpu') {
    const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
    if (!gpu) fallbackReason = 'navigator.gpu is missing';
    else {
      try {
        s = await session(ort, bytes, 'webgpu');
      } catch (e) {
        fallbackReason = `the WebGPU provider failed: ${(e as Error).message}`;
      }
    }
  }
  if (!s) {
    provider = 'wasm';
    s = await session(ort, bytes, 'wasm');
  }
  try {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    s.inputNames.forEach((name, i) => {
      const t = inputs[i];
      if (!t) throw new Error(`the ONNX model has input "${name}" but only ${inputs.length} input array(s) were given`);
      const k = t.shape.reduce((a, b) => a * b, 1);
      const n = t.data.length / k;
      feeds[name] = t.dtype === 'int32' ? new ort.Tensor('int32', t.data as Int32Array, [n, ...t.shape]) : new ort.Tensor('float32', t.data as Float32Array, [n, ...t.shape]);
    });
    let res = await s.run(feeds); // warm-up (kernel compilation)
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      res = await s.run(feeds);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const outputs = await Promise.all(
      s.outputNames.map(async (name) => {
        const t = res[name]!;
        const data = (await t.getData()) as Float32Array;
        return { name, shape: t.dims.slice(), data: new Float32Array(data) };
      }),
    );
    return { provider, fallbackReason, outputs, ms: times[2]! };
  } finally {
    await s.release();
  }
}

/** Largest absolute difference between two equally long arrays (Infinity when sizes differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
