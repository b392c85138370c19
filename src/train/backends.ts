// Picking the tfjs backend for training: the one the user asked for, falling back WebGPU → WebGL →
// WASM → CPU from there; or Auto, which measures them on the model (autoChoice.ts). Every backend that is skipped leaves a reason
// ("navigator.gpu is missing — this browser has no WebGPU", "requestAdapter() returned null", …)
// so the UI can say which backend runs and why. The choice logic is pure and takes injected
// probes, so its fallbacks are unit-tested without a browser.
//
// A WebGPU device can be lost mid-training (driver reset, GPU process crash, the tab in the
// background on some systems). The worker keeps CPU snapshots of the weights and, on a loss,
// resumes on the next backend from the last one (see worker.ts); `nextBackend` says which.
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export const BACKEND_ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** Why it was not used (set when ok is false). */
  reason?: string;
}

export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  requested: BackendChoice;
  /** Every backend tried, in order, with the reason each skipped one failed. */
  attempts: BackendAttempt[];
  /** One sentence for the UI, e.g. "WebGL (WebGPU unavailable: navigator.gpu is missing …)". */
  summary: string;
  /** The adapter's vendor/architecture when WebGPU runs (e.g. "google / swiftshader"). */
  adapter?: string;
}

/** Tries one backend; resolves with null when it works, or the reason it does not. */
export type BackendProbe = (name: BackendName) => Promise<string | null>;

/** The backends to try for a choice: the chosen one, then those after it in the fallback order. */
export function candidates(choice: BackendChoice): BackendName[] {
  // Auto before a model is known: WASM (it runs everywhere, and beats any software GPU). When
  // training starts, Auto measures every backend on the model (autoChoice.ts) and may move.
  if (choice === 'auto') return ['wasm', 'cpu'];
  return BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(choice));
}

/** The backend to resume on after `failed` stops working (a lost device), or null after CPU. */
export function nextBackend(failed: BackendName): BackendName | null {
  const i = BACKEND_ORDER.indexOf(failed);
  return BACKEND_ORDER[i + 1] ?? null;
}

export function describe(info: Pick<BackendInfo, 'name' | 'requested' | 'attempts' | 'adapter'>): string {
  const failed = info.attempts.filter((a) => !a.ok);
  const base = `${BACKEND_LABELS[info.name]}${info.adapter ? ` (${info.adapter})` : ''}`;
  if (!failed.length) return info.requested === 'auto' ? `${base}, for now — Auto times every backend on your model when training starts and takes the fastest` : `${base}, as chosen`;
  return `${base} — ${failed.map((a) => `${BACKEND_LABELS[a.backend]} unavailable: ${a.reason}`).join('; ')}`;
}

/**
 * Chooses a backend: tries the candidates in order with `probe`, keeps every failure's reason.
 * A probe that throws counts as a failure with the error's message. CPU is the last resort; if
 * even it fails (it should not), the error names every attempt.
 */
export async function chooseBackend(choice: BackendChoice, probe: BackendProbe): Promise<BackendInfo> {
  const attempts: BackendAttempt[] = [];
  for (const b of candidates(choice)) {
    let reason: string | null;
    try {
      reason = await probe(b);
    } catch (e) {
      reason = (e as Error)?.message ?? String(e);
    }
    attempts.push(reason === null ? { backend: b, ok: true } : { backend: b, ok: false, reason });
    if (reason === null) {
      const info = { name: b, requested: choice, attempts };
      return { ...info, summary: describe(info) };
    }
  }
  throw new Error(`no tfjs backend works here: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
}

// ---- The real probes (browser main thread or worker; Node has only CPU) ----

interface GpuLike {
  requestAdapter(opts?: unknown): Promise<{ isFallbackAdapter?: boolean; info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean } } | null>;
}

function gpu(): GpuLike | undefined {
  return (globalThis as unknown as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
}

let adapterText: string | undefined;
let adapterFallback = false;

/** The last WebGPU adapter probed: its vendor / architecture, and whether the browser flags it as a fallback (software) adapter. */
export function lastAdapter(): { text?: string; fallback: boolean } {
  return { text: adapterText, fallback: adapterFallback };
}

/** How the WASM backend runs here (SIMD, threads), once it has been started. */
export function wasmInfo(): string | undefined {
  return wasmText;
}

/** WebGL's unmasked renderer string ("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device …))"), if this context can tell. */
export function webglRenderer(): string | undefined {
  try {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : undefined;
    const gl = canvas?.getContext('webgl2') ?? canvas?.getContext('webgl');
    if (!gl) return undefined;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const r = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) as unknown;
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return typeof r === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

let wasmText: string | undefined;

/** Loads the WASM backend (its .wasm files, the missing gradient kernels) on first use. */
async function ensureWasmRegistered(): Promise<void> {
  const m = await import('./wasmBrowser');
  wasmText = m.wasmDescription();
}

/** Loads the WebGPU backend module on first use (it registers 'webgpu' with tfjs). */
async function ensureWebgpuRegistered(): Promise<void> {
  if (!tf.findBackendFactory('webgpu')) await import('@tensorflow/tfjs-backend-webgpu');
}

/** Probes the environment, then asks tfjs to initialise the backend (it reports failure as false). */
export const realProbe: BackendProbe = async (name) => {
  if (name === 'webgpu') {
    const g = gpu();
    if (!g) return 'navigator.gpu is missing — this browser (or context) has no WebGPU';
    const adapter = await g.requestAdapter().catch((e: unknown) => {
      throw new Error(`requestAdapter() failed: ${(e as Error)?.message ?? e}`);
    });
    if (!adapter) return 'requestAdapter() returned null — no usable GPU adapter (blocklisted driver, or WebGPU disabled)';
    const i = adapter.info;
    adapterText = i ? [i.vendor, i.architecture || i.description].filter(Boolean).join(' / ') || undefined : undefined;
    adapterFallback = !!(i?.isFallbackAdapter ?? adapter.isFallbackAdapter);
    await ensureWebgpuRegistered();
  }
  if (name === 'wasm') await ensureWasmRegistered();
  if (name === 'webgl') {
    const hasCanvas = typeof OffscreenCanvas !== 'undefined' || typeof document !== 'undefined';
    if (!hasCanvas) return 'no OffscreenCanvas in this context, so no WebGL';
  }
  // tfjs reports a failed initialisation only as a console warning: capture it for the reason.
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => {
    warned.push(a.map((x) => (x instanceof Error ? x.message : String(x))).join(' '));
    warn.apply(console, a);
  };
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    return `tfjs could not start it: ${(e as Error)?.message ?? e}`;
  } finally {
    console.warn = warn;
  }
  if (!ok) {
    let why = warned.filter((w) => !/^Initialization of backend/.test(w)).join('; ') || warned.join('; ');
    if (!why) {
      // No warning (tfjs' logging is off in some builds): run the factory once more to see why.
      const factory = tf.findBackendFactory(name);
      if (!factory) why = 'the backend is not registered';
      else
        try {
          const b = await factory();
          (b as { dispose?: () => void })?.dispose?.();
        } catch (e) {
          why = (e as Error)?.message ?? String(e);
        }
    }
    return `tfjs could not initialise the ${name} backend${why ? `: ${why.slice(0, 300)}` : ''}`;
  }
  await tf.ready();
  // A first tiny op catches backends that initialise but cannot run kernels.
  const t = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
  const v = (await t.data())[0];
  t.dispose();
  if (v !== 3) return `a test op gave ${v} instead of 3`;
  return null;
};

/** Selects and starts a backend in this context (worker or page). */
export async function initBackend(choice: BackendChoice, probe: BackendProbe = realProbe): Promise<BackendInfo> {
  adapterText = undefined;
  adapterFallback = false;
  const info = await chooseBackend(choice, probe);
  if (info.name === 'webgpu' && adapterText) {
    info.adapter = adapterText;
    info.summary = describe(info);
  }
  if (info.name === 'wasm' && wasmText) {
    info.adapter = wasmText;
    info.summary = describe(info);
  }
  return info;
}

/** The WebGPU device of the running tfjs backend, if it is WebGPU (for device-loss watching). */
export function webgpuDevice(): { lost: Promise<{ reason?: string; message?: string }>; destroy(): void } | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  return (tf.backend() as unknown as { device?: { lost: Promise<{ reason?: string; message?: string }>; destroy(): void } }).device;
}

/** True when an error message looks like running out of (GPU or main) memory. */
export function isOutOfMemory(e: unknown): boolean {
  const m = String((e as Error)?.message ?? e);
  return /out of memory|\boom\b|allocation failed|failed to allocate|Array buffer allocation|Invalid typed array length|exceeds the max buffer size|maxBufferSize|maxStorageBufferBindingSize/i.test(m);
}

/** True when an error comes from a lost GPU device / context. */
export function isDeviceLost(e: unknown): boolean {
  const m = String((e as Error)?.message ?? e);
  return /device (was |is )?lost|device.*destroyed|GPUDevice.*lost|context lost|CONTEXT_LOST_WEBGL/i.test(m);
}
