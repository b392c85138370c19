/// <reference lib="webworker" />
// Benchmark worker (bench/train.ts loads it from the Vite dev server in headless Chromium): on one
// backend, times a training step of a compiled graph against the same model written by hand with
// tf.layers, with the same step code (forward, loss, gradients, Adam update), and times inference.
// Not part of the app bundle.
import * as tf from '@tensorflow/tfjs';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { exportOnnx } from '../onnx/export';
import { initBackend, type BackendName } from './backends';
import { DEFAULT_TRAINING } from './config';
import { lossValue, train } from './loop';
import type { Dataset } from '../data/dataset';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** The hand-written twin of bench/train.ts's graph (same layers, shapes and initialisers). */
function handModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, strides: 2, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

async function timeSteps(model: tf.LayersModel, batch: number, steps: number): Promise<number> {
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const y = tf.randomUniform([batch], 0, 10, 'int32');
  const opt = tf.train.adam(0.001);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => lossValue('sparseCategoricalCrossentropy', y, model.apply(x, { training: true }) as tf.Tensor), vars);
      opt.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
      return tf.keep(value);
    });
    await loss.data(); // wait for the GPU, as the app's loop does each batch
    loss.dispose();
  };
  for (let i = 0; i < 3; i++) await step(); // warm-up: shader compilation
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const ms = (performance.now() - t0) / steps;
  x.dispose();
  y.dispose();
  opt.dispose();
  return ms;
}

/**
 * The app's own loop (train(): batching, loss + gradient-norm + accuracy read back in one go, the
 * NaN check, the update) on random MNIST-shaped data: ms per batch after 3 warm-up batches.
 */
async function timeLoop(compiled: ReturnType<typeof compile>, batch: number, steps: number): Promise<number> {
  const n = batch * (steps + 3);
  const data: Dataset = {
    name: 'random',
    title: 'random',
    description: 'random MNIST-shaped data',
    task: 'classification',
    numClasses: 10,
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: { n, x: [{ shape: [28, 28, 1], dtype: 'float32', data: new Float32Array(n * 784).map(() => Math.random()) }], y: [{ shape: [], dtype: 'int32', data: new Int32Array(n).map(() => Math.floor(Math.random() * 10)) }] },
    test: { n: 0, x: [{ shape: [28, 28, 1], dtype: 'float32', data: new Float32Array(0) }], y: [{ shape: [], dtype: 'int32', data: new Int32Array(0) }] },
  };
  let t0 = 0;
  let t1 = 0;
  await train(compiled, data, { ...DEFAULT_TRAINING, batchSize: batch, epochs: 1, validationSplit: 0 }, {
    onBatch: (e) => {
      if (e.batch === 2) t0 = performance.now();
      if (e.batch === steps + 2) t1 = performance.now();
    },
  });
  return (t1 - t0) / steps;
}

async function timePredict(model: tf.LayersModel, batch: number): Promise<number> {
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const run = async () => {
    const o = model.predict(x) as tf.Tensor;
    await o.data();
    o.dispose();
  };
  await run();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  x.dispose();
  return times.sort((a, b) => a - b)[3]!;
}

scope.onmessage = async (ev: MessageEvent<{ backend: BackendName; graph: GraphDoc; batch: number; steps: number }>) => {
  const { backend, graph, batch, steps } = ev.data;
  try {
    const info = await initBackend(backend);
    if (info.name !== backend) throw new Error(`${backend} is not available here: ${info.summary}`);
    const compiled = compile(graph);
    const hand = handModel();
    if (compiled.model.countParams() !== hand.countParams()) throw new Error(`the graph (${compiled.model.countParams()} params) and the hand-written model (${hand.countParams()}) differ`);
    // Interleave to spread any warm-up or thermal drift over both.
    const a1 = await timeSteps(compiled.model, batch, steps);
    const b1 = await timeSteps(hand, batch, steps);
    const a2 = await timeSteps(compiled.model, batch, steps);
    const b2 = await timeSteps(hand, batch, steps);
    const compiledMs = Math.min(a1, a2);
    const handMs = Math.min(b1, b2);
    const loopMs = await timeLoop(compiled, batch, steps);
    const inferMs = await timePredict(compiled.model, batch);
    const onnx = exportOnnx(compiled);
    scope.postMessage({ ok: true, backend: info.name, adapter: info.adapter, compiledMs, handMs, loopMs, inferMs, onnx }, [onnx.buffer]);
  } catch (e) {
    scope.postMessage({ ok: false, message: (e as Error).message });
  }
};
