// Messages between the page (client.ts) and the training worker (worker.ts). Plain structured-
// cloneable objects; typed arrays travel as transferables where the sender no longer needs them.
import type { GraphDoc } from '../core/graph';
import type { Dataset, TensorData } from '../data/dataset';
import type { Preview } from '../data/preview';

export type { Preview };
import { isOutOfMemory, type BackendChoice, type BackendInfo, type BackendName } from './backends';
import type { TrainingConfig } from './config';
import type { BatchEvent, EpochEvent, EvalResult, FitIssue, TrainResult } from './loop';
import type { SavedModel } from './weights';
import type { GradFlowSample } from './gradFlow';

export type DataSource =
  | { kind: 'builtin'; name: string; limit?: number; seed?: number }
  /** The user's own data, parsed on the page (CSV, image folder, pairs file). */
  | { kind: 'custom'; key: string; dataset: Dataset };

/** What the page shows about a dataset: the Dataset without its example arrays, plus a preview. */
export interface DatasetMeta {
  /** The dataset with empty data arrays (shapes, dtypes, counts, vocabularies kept). */
  dataset: Dataset;
  preview: Preview;
  /** Seq2seq data: the token its decoder inputs start with (decode.ts), for greedy decoding. */
  decoderStart?: number;
}

export interface StartRequest {
  graph: GraphDoc;
  config: TrainingConfig;
  source: DataSource;
  /** Start from these weights instead of fresh ones. */
  weights?: SavedModel;
  /**
   * A fine-tune (fineTune.ts): these blocks start from fresh weights, the rest from `weights` —
   * which may be trained for another graph (blockTransfer picks `fresh` then: a pretrained encoder
   * under a new head).
   */
  fresh?: string[];
  /** Send the weights the run starts from ('start-weights') before it trains: the gallery checks what was carried over. */
  sendStartWeights?: boolean;
}

export interface Probe {
  /** Node id and what it shows. */
  node: string;
  kind: 'filters' | 'activations' | 'attention';
  shape: number[];
  data: Float32Array;
}

export interface Prediction {
  outputs: { shape: number[]; data: Float32Array }[];
  /** First conv layer's filters and this example's activations; attention score maps. */
  probes: Probe[];
  ms: number;
}

/** A greedy decoding (decode.ts) of one source sequence, with the probes of its last step. */
export interface Decoded {
  tokens: number[];
  prediction: Prediction;
}

/** A few test examples and the model's outputs for them (the timing is the median of five runs). */
export interface TestBatch {
  inputs: TensorData[];
  prediction: Prediction;
}

/**
 * The worker's request/reply calls: method name → what the page sends (besides `t` and `id`) and
 * what the reply's value is. client.ts and worker.ts are both typed from this one map.
 */
export interface Calls {
  backend: { req: { choice: BackendChoice }; res: BackendInfo };
  'load-data': { req: { source: DataSource }; res: DatasetMeta };
  evaluate: { req: object; res: EvalResult };
  predict: { req: { inputs: TensorData[] }; res: Prediction };
  /** start: the decoder's start token (DatasetMeta.decoderStart); endId: the </s> token's id, -1 when the vocabulary has none. */
  decode: { req: { source: Int32Array; maxLen: number; start: number; endId?: number }; res: Decoded };
  'test-batch': { req: { count: number }; res: TestBatch };
  'get-weights': { req: object; res: SavedModel };
  /** source: how messages name the weights (e.g. the uploaded file). */
  'load-weights': { req: { graph: GraphDoc; config: TrainingConfig; weights: SavedModel; source?: string }; res: boolean };
  'export-onnx': { req: object; res: Uint8Array };
}

export type CallName = keyof Calls;
export type CallRequest<K extends CallName = CallName> = K extends CallName ? { t: K; id: number } & Calls[K]['req'] : never;
export type CallResult<K extends CallName> = Calls[K]['res'];

/** Fire-and-forget controls: no reply; a failure comes back as an 'error' event. */
export type Command =
  | { t: 'start'; req: StartRequest }
  /** config: the settings to go on with (learning rate, batch size…); the run's own when absent. */
  /** restart: run the config's learning-rate schedule again from its peak (default: continue). */
  | { t: 'more'; epochs: number; config?: TrainingConfig; restart?: boolean }
  | { t: 'stop' }
  | { t: 'pause' }
  | { t: 'resume' }
  /** Test hook: destroys the WebGPU device, as a driver reset would. */
  | { t: 'lose-device' };

export type ToWorker = Command | CallRequest;

export type RunState = 'idle' | 'loading' | 'training' | 'paused' | 'stopping';

export type FromWorker =
  | { t: 'backend'; info: BackendInfo }
  | { t: 'fallback'; from: BackendName; to: BackendName; reason: string; resumeAt: { epoch: number; batch: number }; info: BackendInfo }
  | { t: 'state'; state: RunState; note?: string }
  | { t: 'data-progress'; path: string; received: number; total?: number }
  /** Batches since the last message (sent at most every BATCH_FLUSH_MS, so tiny batches do not flood the page). */
  | { t: 'batch'; es: BatchEvent[]; run: number }
  | { t: 'epoch'; e: EpochEvent; run: number }
  /** Per-block gradient statistics of one sampled batch (gradFlow.ts). */
  | { t: 'gradflow'; g: GradFlowSample }
  | { t: 'fit'; issues: FitIssue[] }
  /** The weights a run starts from, sent before its first batch when the start asked (StartRequest.sendStartWeights). */
  | { t: 'start-weights'; weights: SavedModel }
  | { t: 'done'; result: TrainResult; evaluation?: EvalResult; weights?: SavedModel; epochOffset: number }
  | { t: 'error'; kind: 'oom' | 'data' | 'graph' | 'error'; message: string }
  | { t: 'reply'; id: number; ok: true; value: CallResult<CallName> }
  | { t: 'reply'; id: number; ok: false; message: string };

/**
 * Running out of memory, as each backend says it: tfjs' own patterns (backends.ts), plus a typed
 * array too long to allocate at all (the CPU backend asked for one batch's activations) and a
 * WebGL texture over the GPU's size limit — all cured by a smaller batch or model.
 */
export function outOfMemory(e: unknown): boolean {
  if (isOutOfMemory(e)) return true;
  const m = String((e as Error)?.message ?? e);
  return /Invalid typed array length|Invalid array buffer length|Array buffer allocation failed|greater than WebGL maximum|Requested texture size/i.test(m);
}

/** The message for running out of memory: what ran out, at which batch size, and what to try. */
export function oomMessage(e: unknown, backendLabel: string | undefined, batchSize: number | undefined): string {
  const bs = batchSize;
  return `ran out of memory on ${backendLabel ?? 'this backend'}${bs ? ` at batch size ${bs}` : ''} — try a smaller batch${bs && bs > 1 ? ` (e.g. ${Math.max(1, Math.floor(bs / 2))})` : ''} or a smaller model. (${(e as Error)?.message ?? String(e)})`;
}
