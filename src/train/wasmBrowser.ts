// tfjs' WASM backend in the browser: its three .wasm builds (plain, SIMD, SIMD + threads) are
// served and bundled by Vite (the ?url imports), and tfjs picks the best one this browser runs —
// threads only where the page is cross-origin isolated (COOP/COEP headers: SharedArrayBuffer).
// The gradient kernels XNNPACK lacks come from wasmKernels.ts, as in Node.
// Imported lazily by backends.ts when the WASM backend is first wanted.
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { bridgeWasmKernels } from './wasmKernels';

setWasmPaths({ 'tfjs-backend-wasm.wasm': plain, 'tfjs-backend-wasm-simd.wasm': simd, 'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd });

const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
// Threads wherever the page is cross-origin isolated, the built site included (vite.config.ts keeps
// the threaded build's worker source intact through the minifier).
const threads = isolated;
if (!threads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
// One thread per core (tfjs' default is half of them).
if (threads) setThreadsCount(Math.max(1, cores));
bridgeWasmKernels();

/** How the WASM backend runs here, for the panel: "SIMD, 4 threads" or "SIMD, 1 thread (…)". */
export function wasmDescription(): string {
  if (threads) return `SIMD, ${cores} thread${cores === 1 ? '' : 's'}`;
  return 'SIMD, 1 thread: no threads without cross-origin isolation';
}
