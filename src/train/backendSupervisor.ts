// The training worker's backend supervisor: which backend tfjs runs on (WebGPU → WebGL → CPU, or
// the user's pick, or Auto's measured choice), serialised set-up, and the watch on WebGPU's device.
// When the device is lost mid-run, the session (session.ts) asks here where to go on.
import { initBackend, isDeviceLost, lastAdapter, nextBackend, realProbe, webglRenderer, webgpuDevice, BACKEND_LABELS, type BackendChoice, type BackendInfo, type BackendName } from './backends';
import { choiceKey, explainChoice, fastest, softwareRenderer, timeSteps } from './autoChoice';
import { cachedChoice, saveChoice } from './choiceCache';
import type { GraphDoc } from '../core/graph';
import type { TrainingConfig } from './config';
import { post, setRunState, yieldToEvents } from './workerPort';

export class DeviceLost extends Error {
  constructor(reason: string) {
    super(`the GPU device was lost (${reason})`);
    this.name = 'DeviceLost';
  }
}

// WebGPU first, then WebGL, then CPU (backends.ts), unless the user picks one.
let choice: BackendChoice = 'auto';
let backend: BackendInfo | undefined;
let lostReason: string | null = null;

export const backendChoice = (): BackendChoice => choice;
export const currentBackend = (): BackendInfo | undefined => backend;
/** The running backend's name for messages ("WebGL"), undefined before one has started. */
export const backendLabel = (): string | undefined => (backend ? BACKEND_LABELS[backend.name] : undefined);

/** A new choice: the next ensureBackend() sets it up. */
export function choose(c: BackendChoice): void {
  choice = c;
  backend = undefined;
}

/** Throws DeviceLost once the backend's GPU device has gone (checked between batches). */
export function throwIfLost(): void {
  if (lostReason) throw new DeviceLost(lostReason);
}

function watchDevice(): void {
  lostReason = null;
  const d = webgpuDevice();
  if (!d) return;
  void d.lost.then((info) => {
    // Only a loss of the device the backend still uses matters (not one we replaced).
    if (webgpuDevice() === d) lostReason = `${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}`;
  });
}

// Backend set-up is serialised: two overlapping tf.setBackend calls make tfjs drop the first.
let backendLock: Promise<unknown> = Promise.resolve();
/** The choice the current backend was set up for (a lost-device fallback keeps it). */
let backendFor: BackendChoice | undefined;

export function ensureBackend(): Promise<BackendInfo> {
  const next = backendLock.then(async () => {
    if (!backend || backendFor !== choice) {
      backendFor = choice;
      backend = await initBackend(choice);
      watchDevice();
      post({ t: 'backend', info: backend });
    }
    return backend;
  });
  backendLock = next.catch(() => undefined);
  return next;
}

/**
 * Auto: times a few training steps of this model on every backend that starts (WASM, WebGL,
 * WebGPU; CPU only if WASM fails), keeps the fastest and says why (autoChoice.ts). Measurements
 * are cached per model and machine.
 */
export async function autoChoose(graph: GraphDoc, config: TrainingConfig): Promise<void> {
  const machine = `${navigator.userAgent}|${navigator.hardwareConcurrency}|${webglRenderer() ?? ''}`;
  const key = choiceKey(graph, config, machine);
  let ms = await cachedChoice(key);
  const cached = !!ms;
  if (!ms) {
    setRunState('loading', 'timing the backends on this model');
    ms = [];
    const renderer = webglRenderer();
    for (const b of ['wasm', 'webgl', 'webgpu', 'cpu'] as const) {
      if (b === 'cpu' && ms.some((m) => m.backend === 'wasm' && !m.failed)) continue;
      const reason = await realProbe(b).catch((e: unknown) => (e as Error)?.message ?? String(e));
      if (reason) {
        ms.push({ backend: b, msPerStep: NaN, failed: reason });
        continue;
      }
      const adapter = lastAdapter();
      const software = b === 'webgpu' ? (adapter.fallback ? (adapter.text ?? 'a fallback adapter') : softwareRenderer(adapter.text)) : b === 'webgl' ? softwareRenderer(renderer) : undefined;
      try {
        const t = await timeSteps(graph, config);
        ms.push({ backend: b, msPerStep: t.msPerStep, ...(t.lowerBound ? { lowerBound: true } : {}), ...(software ? { software } : {}) });
      } catch (e) {
        ms.push({ backend: b, msPerStep: NaN, failed: (e as Error)?.message ?? String(e) });
      }
    }
    if (fastest(ms)) await saveChoice(key, ms);
  }
  const best = fastest(ms);
  if (!best) return; // keep the provisional backend; training will say what fails
  const info = await initBackend(best.backend);
  backend = { ...info, requested: 'auto', summary: explainChoice(ms, cached) + (info.adapter ? ` [${BACKEND_LABELS[info.name]}: ${info.adapter}]` : '') };
  backendFor = 'auto';
  watchDevice();
  post({ t: 'backend', info: backend });
}

export interface DeviceLoss {
  from: BackendName;
  to: BackendName;
  reason: string;
}

/**
 * Whether `err` (thrown by a training step) means the GPU device went away, and where to go on;
 * null when it is an ordinary error or no backend is left to fall back to.
 */
export async function deviceLoss(err: unknown): Promise<DeviceLoss | null> {
  // A read-back pending when the device goes away fails ("Buffer was unmapped before mapping
  // was resolved") before device.lost has resolved: give the loss a moment to be reported.
  const d = webgpuDevice();
  if (d && lostReason === null && !(err instanceof DeviceLost)) await Promise.race([d.lost, new Promise((r) => setTimeout(r, 1000))]);
  await yieldToEvents();
  const lost = err instanceof DeviceLost || isDeviceLost(err) || lostReason !== null;
  const from = backend?.name;
  const to = from && nextBackend(from);
  if (!lost || !from || !to) return null;
  const reason = lostReason ?? (err as Error).message;
  lostReason = null;
  return { from, to, reason };
}

/** Starts the backend a lost device falls back to; the summary says why it runs there. */
export async function fallBack(loss: DeviceLoss): Promise<BackendInfo> {
  const b = await initBackend(loss.to);
  backend = { ...b, summary: `${BACKEND_LABELS[b.name]} — resumed here after the ${BACKEND_LABELS[loss.from]} device was lost (${loss.reason})` };
  watchDevice();
  return backend;
}

/** Test hook: destroys the WebGPU device, as a driver reset would. */
export function loseDevice(): void {
  webgpuDevice()?.destroy();
}
