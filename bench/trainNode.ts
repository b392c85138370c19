// Training in Node (the CLI's `neural-blocks train` and scripts/measure-templates.ts): one training
// step (forward, gradients, Adam update) of templates on tfjs' pure-JS CPU backend and on its WASM
// backend with the gradient kernels of src/train/wasmKernels.ts, side by side in one run.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { compile } from '../src/core/compile';
import { rng } from '../src/core/randomInputs';
import { lossValue } from '../src/train/loop';
import { bridgeWasmKernels } from '../src/train/wasmKernels';
import type { BenchSection } from './types';

const TEMPLATES = ['lenet5', 'vgg-mini', 'transformer-classifier'];
const BATCH = 32;

async function msPerStep(backend: 'cpu' | 'wasm', name: string, steps: number): Promise<number> {
  await tf.setBackend(backend);
  const doc = JSON.parse(readFileSync(new URL(`../templates/${name}.json`, import.meta.url), 'utf8'));
  const c = compile(doc);
  const inShape = c.model.inputs[0]!.shape.slice(1) as number[];
  const out = c.model.outputs[0]!.shape.slice(1) as number[];
  const r = rng(1);
  const tokens = doc.nodes[0].params.dtype === 'int32';
  const n = BATCH * inShape.reduce((a, b) => a * b, 1);
  const x = tokens ? tf.tensor(Int32Array.from({ length: n }, () => Math.floor(r() * 12)), [BATCH, ...inShape], 'int32') : tf.tensor(Float32Array.from({ length: n }, r), [BATCH, ...inShape]);
  const y = tf.tensor(Int32Array.from({ length: BATCH * out.slice(0, -1).reduce((a, b) => a * b, 1) }, () => Math.floor(r() * out[out.length - 1]!)), [BATCH, ...out.slice(0, -1)], 'int32');
  const opt = tf.train.adam(1e-3);
  const step = async () => {
    const loss = opt.minimize(() => lossValue('sparseCategoricalCrossentropy', y, c.model.apply(x, { training: true }) as tf.Tensor), true) as tf.Scalar;
    await loss.data();
    loss.dispose();
  };
  await step(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const ms = (performance.now() - t0) / steps;
  tf.dispose([x, y]);
  opt.dispose();
  c.model.dispose();
  return ms;
}

export async function benchTrainNode(): Promise<BenchSection> {
  bridgeWasmKernels();
  const rows: (string | number)[][] = [];
  const data: Record<string, { cpu: number; wasm: number; ratio: number }> = {};
  for (const name of TEMPLATES) {
    // the CPU backend is slow on convolutions: fewer steps there
    const cpu = await msPerStep('cpu', name, name === 'transformer-classifier' ? 3 : 2);
    const wasm = await msPerStep('wasm', name, 10);
    data[name] = { cpu, wasm, ratio: cpu / wasm };
    rows.push([name, cpu.toFixed(1), wasm.toFixed(1), (cpu / wasm).toFixed(1), ((BATCH * 1000) / wasm).toFixed(0)]);
  }
  await tf.setBackend('cpu');
  return {
    name: 'trainNode',
    title: 'Training in Node: tfjs CPU vs WASM backend',
    method: `One training step (forward, gradients, Adam update, loss read back) on a batch of ${BATCH} random examples of each template, in this process: tfjs' pure-JS CPU backend, then its WASM backend (XNNPACK) with the gradient kernels it lacks (Conv2DBackpropFilter, UnsortedSegmentSum, others via the CPU kernels) from src/train/wasmKernels.ts. Mean of 10 steps on WASM (2–3 on CPU) after one warm-up step; the two run back to back in one process.`,
    table: { columns: ['template', 'CPU ms/step', 'WASM ms/step', 'CPU / WASM', 'WASM examples/s'], rows },
    notes: ['`neural-blocks train` uses WASM by default (`--backend cpu` for the reference); the template results in templates/results.ts marked WASM were trained this way.'],
    data,
  };
}
