// The page's handle on the training worker: fire-and-forget controls (start, stop, pause, resume,
// train more), request/reply calls (load data, predict, decode, export, weights) and a stream of
// events (backend, progress, results, errors). If the worker itself dies (out of memory in the
// worker's heap), the next call starts a fresh one and an error event says what happened, so the
// tab stays alive.
import type { GraphDoc } from '../core/graph';
import type { TensorData } from '../data/dataset';
import type { BackendChoice, BackendInfo } from './backends';
import type { TrainingConfig } from './config';
import type { EvalResult } from './loop';
import type { CallName, CallRequest, CallResult, Calls, Command, DataSource, DatasetMeta, Decoded, FromWorker, Prediction, StartRequest, TestBatch } from './protocol';
import type { SavedModel } from './weights';

export type TrainEvent = FromWorker | { t: 'crash'; message: string };

export class TrainClient {
  private worker: Worker | null = null;
  private seq = 0;
  private pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private listeners = new Set<(e: TrainEvent) => void>();
  private choice: BackendChoice = 'auto';

  constructor(private readonly makeWorker: () => Worker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })) {}

  private get w(): Worker {
    if (!this.worker) {
      const w = this.makeWorker();
      w.onmessage = (ev: MessageEvent<FromWorker>) => this.receive(ev.data);
      w.onerror = (ev: ErrorEvent) => {
        ev.preventDefault?.();
        this.crash(ev.message || 'the training worker stopped unexpectedly');
      };
      this.worker = w;
      // id -1: nobody waits for this reply; the 'backend' event that follows says what started.
      if (this.choice !== 'auto') w.postMessage({ t: 'backend', id: -1, choice: this.choice } satisfies CallRequest<'backend'>);
    }
    return this.worker;
  }

  private crash(message: string): void {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    const oom = /memory/i.test(message);
    this.emit({ t: 'crash', message: oom ? `the training worker ran out of memory (${message}) — try a smaller batch size or model` : `the training worker stopped: ${message}` });
  }

  private receive(m: FromWorker): void {
    if (m.t === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.message));
      return;
    }
    this.emit(m);
  }

  private emit(e: TrainEvent): void {
    for (const l of this.listeners) l(e);
  }

  on(l: (e: TrainEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private send(m: Command): void {
    this.w.postMessage(m);
  }

  /** One request/reply call, typed by protocol.ts's Calls map. */
  private call<K extends CallName>(t: K, req: Calls[K]['req']): Promise<CallResult<K>> {
    const id = this.id();
    return new Promise<CallResult<K>>((resolve, reject) => {
      // The worker answers call `t` with Calls[t]['res'] (its dispatch table is typed by the same map).
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.w.postMessage({ ...req, t, id });
    });
  }

  private id(): number {
    return ++this.seq;
  }

  /** Chooses the backend ('auto' = WebGPU, else WebGL, else CPU) and starts it. */
  setBackend(choice: BackendChoice): Promise<BackendInfo> {
    this.choice = choice;
    return this.call('backend', { choice });
  }

  loadData(source: DataSource): Promise<DatasetMeta> {
    return this.call('load-data', { source });
  }

  start(req: StartRequest): void {
    this.send({ t: 'start', req });
  }
  more(epochs: number, config?: TrainingConfig, restart = false): void {
    this.send({ t: 'more', epochs, config, restart });
  }
  stop(): void {
    this.send({ t: 'stop' });
  }
  pause(): void {
    this.send({ t: 'pause' });
  }
  resume(): void {
    this.send({ t: 'resume' });
  }
  /** Test hook: makes the WebGPU device go away mid-run. */
  loseDevice(): void {
    this.send({ t: 'lose-device' });
  }

  evaluate(): Promise<EvalResult> {
    return this.call('evaluate', {});
  }
  predict(inputs: TensorData[]): Promise<Prediction> {
    return this.call('predict', { inputs });
  }
  /** start: the data's decoder start token (DatasetMeta.decoderStart); endId: </s>, -1 when none. */
  decode(source: Int32Array, maxLen: number, start: number, endId = -1): Promise<Decoded> {
    return this.call('decode', { source, maxLen, start, endId });
  }
  testBatch(count: number): Promise<TestBatch> {
    return this.call('test-batch', { count });
  }
  getWeights(): Promise<SavedModel> {
    return this.call('get-weights', {});
  }
  loadWeights(graph: GraphDoc, config: TrainingConfig, weights: SavedModel, source?: string): Promise<boolean> {
    return this.call('load-weights', { graph, config, weights, source });
  }
  exportOnnx(): Promise<Uint8Array> {
    return this.call('export-onnx', {});
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
