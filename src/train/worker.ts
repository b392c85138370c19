/// <reference lib="webworker" />
// The training worker: tfjs runs here, off the page's thread, so the canvas stays responsive while
// a model trains. The page talks to it through client.ts (messages in protocol.ts); this file is
// the one dispatch table from message to job: the backend (backendSupervisor.ts), the data
// (workerData.ts), the run (session.ts) and inference (inference.ts).
//
// Every failure reaches the page: a call's as its error reply, a command's (start, train more…)
// as an 'error' event — a throw anywhere in a handler, before or after its first await, included.
import { compile } from '../core/compile';
import { exportOnnx } from '../onnx/export';
import { evaluateTestAsync } from './loop';
import { loadWeightsInto, saveModel } from './weights';
import { oomMessage, outOfMemory, type CallName, type CallResult, type ToWorker } from './protocol';
import { backendChoice, backendLabel, choose, currentBackend, ensureBackend, loseDevice } from './backendSupervisor';
import { describe, loadData } from './workerData';
import { currentSession, disposeSession, isRunning, more, pauseRun, replaceModel, reportError, requireSession, resumeRun, start, stop } from './session';
import { decode, predict, testBatch } from './inference';
import { post } from './workerPort';

type Reply<K extends ToWorker['t']> = K extends CallName ? CallResult<K> : void;
type Handlers = { [K in ToWorker['t']]: (m: Extract<ToWorker, { t: K }>) => Reply<K> | Promise<Reply<K>> };

const handlers: Handlers = {
  // ---- commands: no reply ----
  start: (m) => start(m.req),
  more: (m) => more(m.epochs, m.config, !!m.restart),
  stop: () => stop(),
  pause: () => pauseRun(),
  resume: () => resumeRun(),
  'lose-device': () => loseDevice(),

  // ---- calls: one reply each ----
  backend: (m) => {
    if (isRunning()) throw new Error('cannot switch backends while training — stop first');
    const b = currentBackend();
    if (b && m.choice === backendChoice()) return b;
    choose(m.choice);
    disposeSession();
    return ensureBackend();
  },
  'load-data': async (m) => {
    await ensureBackend();
    return describe(await loadData(m.source));
  },
  evaluate: () => {
    const s = requireSession();
    if (!s.data) throw new Error('no dataset loaded');
    return evaluateTestAsync(s.compiled, s.data, s.config);
  },
  predict: (m) => predict(requireSession(), m.inputs),
  decode: (m) => decode(requireSession(), m.source, m.maxLen, m.start, m.endId ?? -1),
  'test-batch': (m) => testBatch(requireSession(), m.count),
  'get-weights': () => {
    const s = requireSession();
    return saveModel(s.compiled.model, s.graph);
  },
  'load-weights': async (m) => {
    if (isRunning()) throw new Error('cannot load weights while training — stop first');
    await ensureBackend();
    // Build and fill the new model first: weights that do not fit leave the current one as it was.
    const compiled = compile(m.graph, { kernelInitializer: m.config.kernelInitializer });
    try {
      loadWeightsInto(compiled.model, m.weights, m.source ?? 'saved weights');
    } catch (e) {
      compiled.model.dispose();
      throw e;
    }
    replaceModel(m.graph, m.config, compiled);
    return true;
  },
  'export-onnx': () => {
    const s = requireSession();
    return exportOnnx(s.compiled, { graph: s.graph, docString: `trained in Neural Blocks (${s.epochs} epoch${s.epochs === 1 ? '' : 's'})` });
  },
};

function failure(e: unknown): string {
  return outOfMemory(e) ? oomMessage(e, backendLabel(), currentSession()?.config.batchSize) : ((e as Error)?.message ?? String(e));
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  const handler = handlers[m.t] as ((m: ToWorker) => unknown) | undefined;
  // A Promise's executor turns a synchronous throw into a rejection, so nothing escapes unreported.
  const done = new Promise<unknown>((resolve) => {
    if (!handler) throw new Error(`the training worker does not know the message ${JSON.stringify(m.t)}`);
    resolve(handler(m));
  });
  if ('id' in m) {
    const id = m.id;
    done.then(
      (value) => post({ t: 'reply', id, ok: true, value: value as CallResult<CallName> }, value instanceof Uint8Array ? [value.buffer] : []),
      (e: unknown) => post({ t: 'reply', id, ok: false, message: failure(e) }),
    );
  } else done.catch((e: unknown) => reportError(e));
}
