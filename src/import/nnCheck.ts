// The check behind src/import/torchnn.test.ts and scripts/import-nn-table.ts: import a
// foreign ONNX file op by op, analyze (validate) and compile the graph with its weights, and
// compare the tfjs forward pass with onnxruntime on the original file. Inputs follow the file's
// layout conventions: a 4-D input is fed NHWC to our graph, a time-major [T, N, F] input (batch
// axis 1) batch-major [N, T, F]; outputs are turned back the same way before comparing.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { analyze } from '../core/infer';
import { onnxReader } from '../onnx/read';
import { applyWeights, importOnnx } from './index';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));

export interface NnCheck {
  doc: GraphDoc;
  /** Trainable parameters of the compiled graph. */
  params: number;
  /** Largest |ours − onnxruntime| over every output element, and the largest |onnxruntime|. */
  diff: number;
  refMax: number;
  /** Milliseconds spent in importOnnx. */
  importMs: number;
}

/** What src/import/torch_nn_models.py prints per model (one JSON line each). */
export interface Made {
  name: string;
  path: string;
  inputs: number[][];
  batchAxis: number;
  outputBatchAxis: number;
  params: number;
  mergedBiases: number;
}

/**
 * Runs one of the fixture scripts (src/import/torch_*_models.py) with Debian's torch: it exports
 * its models to `dir` at `opset` and prints one JSON line per model, returned parsed. Fails with
 * what to install when torch is missing.
 */
export function exportTorchFixtures<T>(script: string, dir: string, opset: string, names: string[] = []): T[] {
  const py = '/usr/bin/python3';
  const r = spawnSync(py, [new URL(script, import.meta.url).pathname, dir, opset, ...names], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`torch export (opset ${opset}) failed; these need ${py} with torch (apt install python3-torch): ${r.stderr || r.error}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
}

/** Deterministic inputs in [-1, 1]. */
export function inputData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** ONNX layout → ours: NCHW images to NHWC, time-major sequences to batch-major. */
function toOurs(t: tf.Tensor, batchAxis: number): tf.Tensor {
  if (t.rank === 4) return t.transpose([0, 2, 3, 1]);
  if (t.rank === 3 && batchAxis === 1) return t.transpose([1, 0, 2]);
  return t;
}
function toOnnx(t: tf.Tensor, batchAxis: number): tf.Tensor {
  if (t.rank === 4) return t.transpose([0, 3, 1, 2]);
  if (t.rank === 3 && batchAxis === 1) return t.transpose([1, 0, 2]);
  return t;
}

/**
 * Imports `file`, runs both on batch-2 inputs of `shapes` (ONNX shapes, batch 1 at `batchAxis`)
 * and returns the comparison; throws the ImportError of a refused file, or the analysis errors.
 */
export async function checkNn(file: string, shapes: number[][], batchAxis: number, outputBatchAxis: number, seed = 1): Promise<NnCheck> {
  const bytes = new Uint8Array(readFileSync(file));
  const t0 = performance.now();
  const r = importOnnx(bytes, reader, { source: file.split('/').pop()! });
  const importMs = performance.now() - t0;
  const a = analyze(r.doc);
  if (!a.ok) throw new Error(`imported graph does not validate: ${a.errors.map((e) => e.message).join('; ')}`);
  const c = compile(r.doc, { kernelInitializer: 'zeros' });
  try {
    applyWeights(c.model, r.weights);
    const params = c.model.trainableWeights.reduce((s, w) => s + w.shape.reduce((p: number, q) => p * (q ?? 1), 1), 0);
    const feeds = shapes.map((s, k) => {
      const shape = s.map((d, i) => (i === batchAxis ? 2 : d));
      return { shape, data: inputData(shape.reduce((p, q) => p * q, 1), seed + k) };
    });
    const sess = await ort.InferenceSession.create(bytes);
    const ref = (await sess.run(Object.fromEntries(sess.inputNames.map((n, k) => [n, new ort.Tensor('float32', feeds[k]!.data, feeds[k]!.shape)]))))[sess.outputNames[0]!]!.data as Float32Array;
    await sess.release();
    const y = tf.tidy(() => {
      const xs = feeds.map((f) => toOurs(tf.tensor(f.data, f.shape), batchAxis));
      const out = c.model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
      return toOnnx(Array.isArray(out) ? out[0]! : out, outputBatchAxis).dataSync().slice();
    });
    if (y.length !== ref.length) throw new Error(`output has ${y.length} values, onnxruntime's ${ref.length}`);
    let diff = 0;
    let refMax = 0;
    for (let i = 0; i < ref.length; i++) {
      diff = Math.max(diff, Math.abs(ref[i]! - y[i]!));
      refMax = Math.max(refMax, Math.abs(ref[i]!));
    }
    return { doc: r.doc, params, diff, refMax, importMs };
  } finally {
    c.model.dispose();
  }
}
