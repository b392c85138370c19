/// <reference lib="webworker" />
// Bench worker for `npm run bench -- loopOverhead` (bench/loopOverhead.ts loads it from the Vite
// dev server in headless Chromium): a bare training step against the app's loop on one backend,
// in a worker as the app trains. Not part of the app bundle.
import type { GraphDoc } from '../core/graph';
import { initBackend, type BackendName } from './backends';
import { measureInterleaved, measureOverhead, wallClock } from './loopBench';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (ev: MessageEvent<{ backend: BackendName; graph: GraphDoc; batch: number; steps: number; times: number; interleaved: boolean }>) => {
  const { backend, graph, batch, steps, times, interleaved } = ev.data;
  try {
    const info = await initBackend(backend);
    if (info.name !== backend) throw new Error(`${backend} is not available here: ${info.summary}`);
    const r = interleaved ? { interleaved: await measureInterleaved(graph, batch, steps, wallClock) } : await measureOverhead(graph, batch, steps, times, wallClock);
    scope.postMessage({ ok: true, backend: info.name, adapter: info.adapter, ...r });
  } catch (e) {
    scope.postMessage({ ok: false, message: (e as Error).message });
  }
};
