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
import type { DataSource, DatasetMeta, FromWorker, Prediction, StartRequest, ToWorker } from './protocol';
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
      if (this.choice !== 'auto') w.postMessage({ t: 'backend', id: -1, choice: this.choice } satisfies ToWorker & { id: number });
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

  private send(m: ToWorker, transfer: Transferable[] = []): void {
    this.w.postMessage(m, transfer);
  }

  private call<T>(m: ToWorker & { id: number }, transfer: Transferable[] = []): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(m.id, { resolve: resolve as (v: unknown) => void, reject });
      this.send(m, transfer);
    });
  }

  private id(): number {
    return ++this.seq;
  }

  /** Chooses the backend ('auto' = WebGPU, else WebGL, else CPU) and starts it. */
  setBackend(choice: BackendChoice): Promise<BackendInfo> {
    this.choice = choice;
    return this.call<BackendInfo>({ t: 'backend', id: this.id(), choice } as ToWorker & { id: number });
  }

  loadData(source: DataSource): Promise<DatasetMeta> {
    return this.call<DatasetMeta>({ t: 'load-data', id: this.id(), source });
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
    return this.call({ t: 'evaluate', id: this.id() });
  }
  predict(inputs: TensorData[]): Promise<Prediction> {
    return this.call({ t: 'predict', id: this.id(), inputs });
  }
  decode(source: Int32Array, maxLen: number, endId = -1): Promise<{ tokens: number[]; prediction: Prediction }> {
    return this.call({ t: 'decode', id: this.id(), source, maxLen, endId });
  }
  testBatch(count: number): Promise<{ inputs: TensorData[]; prediction: Prediction }> {
    return this.call({ t: 'test-batch', id: this.id(), count });
  }
  getWeights(): Promise<SavedModel> {
    return this.call({ t: 'get-weights', id: this.id() });
  }
  loadWeights(graph: GraphDoc, config: TrainingConfig, weights: SavedModel, source?: string): Promise<boolean> {
    return this.call({ t: 'load-weights', id: this.id(), graph, config, weights, source });
  }
  exportOnnx(): Promise<Uint8Array> {
    return this.call({ t: 'export-onnx', id: this.id() });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
