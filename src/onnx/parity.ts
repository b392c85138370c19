// Parity: run a graph in tfjs and, exported, in onnxruntime on the same seeded random inputs,
// and report the largest absolute difference per output. onnxruntime is passed in (ort option),
// so Node uses onnxruntime-node and the browser onnxruntime-web; nothing here imports either.
import * as tf from '@tensorflow/tfjs';
import { compile, type CompiledModel } from '../core/compile';
import type { Analysis } from '../core/infer';
import type { GraphDoc } from '../core/graph';
import { concreteShape } from '../core/fixtureGraph';
import { randomArray } from '../core/randomInputs';
import { exportOnnx, onnxOutputName, ONNX_OPSET, type ExportOptions } from './export';

/** The slice of the onnxruntime API parity needs (onnxruntime-node and -web both fit). */
export interface OrtTensorLike {
  readonly dims: readonly number[];
  readonly data: unknown;
  readonly type: string;
}
export interface OrtSessionLike {
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}
export interface OrtLike {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSessionLike> };
  Tensor: new (type: 'float32' | 'int32', data: Float32Array | Int32Array, dims: readonly number[]) => OrtTensorLike;
}

export interface ParityOutput {
  name: string;
  /** onnxruntime's output shape. */
  shape: number[];
  maxAbsDiff: number;
  /**
   * The largest |tfjs − onnxruntime| / max(1, |tfjs|): float32 rounding grows with the values.
   * Where both overflow alike (NaN and NaN, or the same infinity) they count as agreeing.
   */
  maxScaledDiff: number;
  /** The largest |tfjs value| (Infinity when tfjs gave a NaN or an infinity). */
  tfjsMaxAbs: number;
  /** tfjs' shape, only when it differs from onnxruntime's (maxAbsDiff is then Infinity). */
  tfjsShape?: number[];
}
export interface ParityReport {
  maxAbsDiff: number;
  outputs: ParityOutput[];
  opset: number;
}

export interface ParityOptions {
  ort: OrtLike;
  seed?: number;
  /** Batch size of the random inputs (default 2). */
  batch?: number;
  /** The size given to unknown dims of the inputs (default 5). */
  fill?: number;
  /** Upper bound (exclusive) for int32 inputs; default: the consuming Embedding's inputDim, else 10. */
  maxInt?: number;
  /** Passed to the exporter (e.g. graph for the metadata). */
  exportOptions?: ExportOptions;
  /** Called with the exported bytes (tests save them for the ONNX checker). */
  onModel?: (bytes: Uint8Array) => void;
}

/**
 * The exclusive upper bound for token ids fed by an int32 Input: the smallest inputDim among the
 * Embedding-like blocks it feeds (any consumer with an integer `inputDim` param), else `fallback`.
 */
export function intInputBound(a: Analysis, inputId: string, fallback = 10): number {
  let bound = Infinity;
  for (const e of a.edges) {
    if (!e || e.source !== inputId) continue;
    const d = a.nodes.get(e.target)?.params.inputDim;
    if (typeof d === 'number' && Number.isInteger(d) && d > 0) bound = Math.min(bound, d);
  }
  return Number.isFinite(bound) ? bound : fallback;
}

interface Feed {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/** One model output read back from tfjs. */
export interface ReadOutput {
  data: Float32Array;
  shape: number[];
}

/**
 * The "run both" half shared by export parity and import comparison: runs the tfjs model on `xs`
 * and reads each output (through `view`, e.g. a transpose back to ONNX order); every tensor,
 * inputs included, is disposed.
 */
export function predictOutputs(model: tf.LayersModel, xs: tf.Tensor[], view: (y: tf.Tensor) => tf.Tensor = (y) => y): ReadOutput[] {
  try {
    const ys = model.predict(xs.length === 1 ? xs[0]! : xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => {
      const v = view(y);
      const r = { data: Float32Array.from(v.dataSync() as ArrayLike<number>), shape: v.shape.slice() };
      if (v !== y) v.dispose();
      y.dispose();
      return r;
    });
  } finally {
    xs.forEach((x) => x.dispose());
  }
}

/** The other half: the ONNX bytes in onnxruntime on the same feeds; the session is released. */
export async function runOnnxruntime(ort: OrtLike, bytes: Uint8Array, feeds: readonly Feed[]): Promise<Record<string, OrtTensorLike>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const ortFeeds: Record<string, OrtTensorLike> = {};
    for (const f of feeds) ortFeeds[f.name] = new ort.Tensor(f.dtype, f.data, f.shape);
    return await session.run(ortFeeds);
  } finally {
    await session.release?.();
  }
}

/** The largest |a[i] − b[i]| (over a's length); a NaN on either side makes it Infinity. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(Number(a[i]) - Number(b[i]));
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/** Seeded inputs for every Input of the graph (same scheme as src/core/randomInputs.ts). */
export function parityInputs(a: Analysis, seed = 1, batch = 2, maxInt?: number, fill = 5): Feed[] {
  return a.inputs.map((id, i) => {
    const info = a.nodes.get(id)!;
    const shape = concreteShape(info.outputShapes!.out!, batch, fill);
    const dtype = (info.outputDtypes?.out ?? 'float32') as 'float32' | 'int32';
    const bound = maxInt ?? intInputBound(a, id);
    return { name: id, shape, dtype, data: randomArray(shape, seed + i * 7919, dtype, bound) };
  });
}

/** Parity of an already compiled model (the caller owns and disposes it). */
export async function compiledParity(c: CompiledModel, opts: ParityOptions): Promise<ParityReport> {
  const bytes = exportOnnx(c, opts.exportOptions);
  opts.onModel?.(bytes);
  const feeds = parityInputs(c.analysis, opts.seed ?? 1, opts.batch ?? 2, opts.maxInt, opts.fill);
  const expected = predictOutputs(
    c.model,
    feeds.map((f) => tf.tensor(f.data, f.shape, f.dtype)),
  );
  const got = await runOnnxruntime(opts.ort, bytes, feeds);
  const outputs: ParityOutput[] = c.analysis.outputs.map((o, k) => {
    const name = onnxOutputName(c.analysis, o, opts.exportOptions?.graph);
    const want = expected[k]!;
    const t = got[name];
    if (!t) throw new Error(`onnxruntime returned no output "${name}" (got ${Object.keys(got).join(', ')})`);
    const shape = [...t.dims];
    if (shape.length !== want.shape.length || shape.some((d, i) => d !== want.shape[i]))
      return { name, shape, maxAbsDiff: Infinity, maxScaledDiff: Infinity, tfjsMaxAbs: largest(want.data), tfjsShape: want.shape };
    const data = t.data as ArrayLike<number>;
    let scaled = 0;
    for (let i = 0; i < want.data.length; i++) {
      const a = Number(data[i]);
      const b = want.data[i]!;
      const d = Math.abs(a - b);
      // Both sides overflowing alike (NaN and NaN, or the same infinity) agree here.
      const alike = (Number.isNaN(a) && Number.isNaN(b)) || (a === b && !Number.isFinite(a));
      scaled = alike ? scaled : Number.isNaN(d) ? Infinity : Math.max(scaled, d / Math.max(1, Math.abs(b)));
    }
    return { name, shape, maxAbsDiff: maxAbsDiff(want.data, data), maxScaledDiff: scaled, tfjsMaxAbs: largest(want.data) };
  });
  return { maxAbsDiff: outputs.reduce((m, o) => Math.max(m, o.maxAbsDiff), 0), outputs, opset: ONNX_OPSET };
}

function largest(xs: Float32Array): number {
  let m = 0;
  for (const x of xs) m = Number.isFinite(x) ? Math.max(m, Math.abs(x)) : Infinity;
  return m;
}

/** Compiles `doc`, exports it, and compares tfjs (current backend) with onnxruntime. */
export async function parity(doc: GraphDoc, opts: ParityOptions): Promise<ParityReport> {
  const c = compile(doc);
  try {
    return await compiledParity(c, { ...opts, exportOptions: { graph: doc, ...opts.exportOptions } });
  } finally {
    c.model.dispose();
  }
}
