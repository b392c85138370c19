// The worker's dispatch table answers every message, and every failure reaches the page: a call's
// as its error reply, a command's as an 'error' event (not a promise dropped on the floor).
import { beforeAll, describe, expect, it } from 'vitest';
import type { FromWorker, ToWorker } from './protocol';

const posted: FromWorker[] = [];
let receive: (m: ToWorker | { t: string }) => void;

beforeAll(async () => {
  // The worker's global scope, as far as the worker uses it: postMessage out, onmessage in.
  const scope = { postMessage: (m: FromWorker) => posted.push(m), onmessage: null as null | ((ev: { data: unknown }) => void) };
  (globalThis as { self?: unknown }).self = scope;
  await import('./worker');
  receive = (m) => scope.onmessage!({ data: m });
});

/** The messages posted from now until the worker has answered (a few turns of the event loop). */
async function answer(m: ToWorker | { t: string }): Promise<FromWorker[]> {
  const from = posted.length;
  receive(m);
  for (let i = 0; i < 20 && posted.length === from; i++) await new Promise((r) => setTimeout(r, 5));
  return posted.slice(from);
}

describe('the training worker', () => {
  it('answers a call that fails with an error reply that says why', async () => {
    expect(await answer({ t: 'predict', id: 7, inputs: [] })).toEqual([{ t: 'reply', id: 7, ok: false, message: 'no trained model yet — train the graph (or restore saved weights) first' }]);
    expect(await answer({ t: 'export-onnx', id: 8 })).toEqual([{ t: 'reply', id: 8, ok: false, message: 'no trained model yet — train the graph (or restore saved weights) first' }]);
  });

  it('reports a failing command as an error event', async () => {
    expect(await answer({ t: 'more', epochs: 2 })).toEqual([{ t: 'error', kind: 'error', message: 'nothing to continue: train the graph first' }]);
    expect(await answer({ t: 'frobnicate' })).toEqual([{ t: 'error', kind: 'error', message: 'the training worker does not know the message "frobnicate"' }]);
  });

  it('runs the controls that need no model without a word', async () => {
    expect(await answer({ t: 'pause' })).toEqual([]);
    expect(await answer({ t: 'resume' })).toEqual([]);
  });
});
