/// <reference lib="webworker" />
// The training worker's side of the channel to the page (messages in protocol.ts): every module of
// the worker posts through here.
import type { FromWorker, RunState } from './protocol';

export function post(m: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(m, transfer);
}

export function setRunState(state: RunState, note?: string): void {
  post({ t: 'state', state, note });
}

/** Lets queued messages (stop, pause) and the device-lost callback run between batches. */
export const yieldToEvents = (): Promise<void> => new Promise<void>((r) => setTimeout(r, 0));
