// Training in Node (the CLI's `neural-blocks train` and scripts/measure-templates.ts): one training
// step (forward, gradients, Adam update) of templates on tfjs' pure-JS CPU backend and on its WASM
// backend with the gradient kernels of src/train/wasmKernels.ts, side by side in one run.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { bridgeWasmKernels } from '../src/train/wasmKernels';
import { timeTrainingSteps } from './stepTimer';
import type { BenchSection } from './types';

const TEMPLATES = ['lenet5', 'vgg-mini', 'transformer-classifier'];
const BATCH = 32;

async function msPerStep(backend: 'cpu' | 'wasm', name: string, steps: number): Promise<number> {
  await tf.setBackend(backend);
  const doc = JSON.parse(readFileSync(new URL(`../templates/${name}.json`, import.meta.url), 'utf8'));
  return timeTrainingSteps(doc, BATCH, steps);
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
    method: `One training step (forward, gradients, Adam update, loss read back) on a batch of ${BATCH} random examples of each template, in this process: tfjs' pure-JS CPU backend, then its WASM backend (XNNPACK) with the gradient kernels it lacks (Conv2DBackpropFilter, UnsortedSegmentSum, others via the CPU kernels) from src/train/wasmKernels.ts. Mean of 10 steps on WASM (2–3 on CPU) after two warm-up steps (bench/stepTimer.ts); the two run back to back in one process.`,
    table: { columns: ['template', 'CPU ms/step', 'WASM ms/step', 'CPU / WASM', 'WASM examples/s'], rows },
    notes: ['`neural-blocks train` uses WASM by default (`--backend cpu` for the reference); the template results in templates/results.ts marked WASM were trained this way.'],
    data,
  };
}
