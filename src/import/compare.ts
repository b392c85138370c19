// A user's check after an ONNX import: the imported graph, compiled with its imported weights,
// against onnxruntime on the original file, on the same seeded random input. The imported graph
// is channels-last where the file is channels-first (a rank-4 float input or output), so inputs
// are transposed into tfjs and outputs back before comparing. onnxruntime is passed in (Node:
// onnxruntime-node; the browser: onnxruntime-web); nothing here imports either.
import * as tf from '@tensorflow/tfjs';
import { compile } from '../core/compile';
import { randomArray } from '../core/randomInputs';
import type { OrtLike } from '../onnx/parity';
import { intInputBound, maxAbsDiff, predictOutputs, runOnnxruntime } from '../onnx/parity';
import { sanitizeId } from './onnx/converter';
import { DT_FLOAT, type PModel } from './onnx/proto';
import type { ImportResult } from './types';
import { applyWeights } from './weights';

export interface ImportCompareOutput {
  /** The ONNX output name. */
  name: string;
  /** onnxruntime's shape. */
  shape: number[];
  maxAbsDiff: number;
  /** The largest |onnxruntime value| (how big the outputs are: a scale for the difference). */
  refMaxAbs: number;
  /** The imported graph's shape (ONNX order) when it differs from onnxruntime's. */
  tfjsShape?: number[];
}
export interface ImportCompareReport {
  maxAbsDiff: number;
  outputs: ImportCompareOutput[];
  /** The input shapes fed (ONNX order). */
  inputs: { name: string; shape: number[] }[];
  /** The compiled graph's trainable parameters (BatchNorm statistics are not trainable). */
  trainableParams: number;
}

export interface ImportCompareOptions {
  ort: OrtLike;
  seed?: number;
  /** Batch size (default 2: a batch bug shows). */
  batch?: number;
  /** The size given to unknown non-batch dims (default 5). */
  fill?: number;
}

/** Whether ONNX graph input / output of rank 4 is an NCHW image that the import made NHWC. */
const channelsFirst = (m: PModel, rank: number, float: boolean) => rank === 4 && float && m.producer_name !== 'neural-blocks';

/**
 * Runs `imported` (the result of importing `bytes`, whose decoded model is `m`) in tfjs and the
 * original file in onnxruntime on one seeded random input; returns the largest |difference| per
 * output. The caller picks the tfjs backend.
 */
export async function compareImported(bytes: Uint8Array, m: PModel, imported: ImportResult, opts: ImportCompareOptions): Promise<ImportCompareReport> {
  const g = m.graph!;
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  const c = compile(imported.doc, { kernelInitializer: 'zeros' });
  try {
    applyWeights(c.model, imported.weights);
    const feeds = (g.input ?? [])
      .filter((vi) => !inits.has(vi.name))
      .map((vi, i) => {
        const tt = vi.type?.tensor_type;
        const float = (tt?.elem_type ?? DT_FLOAT) === DT_FLOAT;
        const dims = (tt?.shape?.dim ?? []).map((d, k) => (k === 0 ? (opts.batch ?? 2) : d.dim_value ? Number(d.dim_value) : (opts.fill ?? 5)));
        const id = sanitizeId(vi.name);
        const bound = intInputBound(c.analysis, c.inputNames.find((n) => n === id || n.startsWith(`${id}_`)) ?? id);
        const data = randomArray(dims, (opts.seed ?? 1) + i * 7919, float ? 'float32' : 'int32', bound);
        return { name: vi.name, id, dims, float, data };
      });
    // tfjs inputs in the compiled model's order, by the id the importer gave each ONNX input.
    const byId = new Map(feeds.map((f) => [f.id, f]));
    const xs = c.inputNames.map((id) => {
      const f = byId.get(id);
      if (!f) throw new Error(`the imported graph's input "${id}" is none of the file's inputs (${feeds.map((x) => x.name).join(', ')})`);
      const t = tf.tensor(f.data, f.dims, f.float ? 'float32' : 'int32');
      if (!channelsFirst(m, f.dims.length, f.float)) return t;
      const nhwc = t.transpose([0, 2, 3, 1]);
      t.dispose();
      return nhwc;
    });
    const ours = predictOutputs(c.model, xs, (y) => (y.rank === 4 && m.producer_name !== 'neural-blocks' ? tf.transpose(y, [0, 3, 1, 2]) : y));
    const got = await runOnnxruntime(
      opts.ort,
      bytes,
      feeds.map((f) => ({ name: f.name, shape: f.dims, dtype: f.float ? 'float32' : 'int32', data: f.data })),
    );
    const names = (g.output ?? []).map((o) => o.name);
    if (names.length !== ours.length) throw new Error(`the file has ${names.length} output(s) but the imported graph ${ours.length}`);
    const outputs = names.map((name, k): ImportCompareOutput => {
      const t = got[name]!;
      const shape = [...t.dims];
      const want = ours[k]!;
      const ref = t.data as ArrayLike<number>;
      let refMaxAbs = 0;
      for (let i = 0; i < ref.length; i++) refMaxAbs = Math.max(refMaxAbs, Math.abs(Number(ref[i])));
      // A global pool's [N, C, 1, 1] is [N, C] in the imported graph: the same elements.
      const sameElements = want.data.length === ref.length && (shape.length === want.shape.length ? shape.every((d, i) => d === want.shape[i]) : shape.filter((d) => d !== 1).join() === want.shape.filter((d) => d !== 1).join());
      if (!sameElements) return { name, shape, maxAbsDiff: Infinity, refMaxAbs, tfjsShape: want.shape };
      return { name, shape, maxAbsDiff: maxAbsDiff(ref, want.data), refMaxAbs };
    });
    const trainableParams = c.model.trainableWeights.reduce((s, w) => s + w.shape.reduce<number>((p, q) => p * (q ?? 1), 1), 0);
    return { maxAbsDiff: Math.max(0, ...outputs.map((o) => o.maxAbsDiff)), outputs, inputs: feeds.map((f) => ({ name: f.name, shape: f.dims })), trainableParams };
  } finally {
    c.model.dispose();
  }
}
