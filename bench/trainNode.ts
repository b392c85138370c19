// Training in Node (the CLI's `neural-blocks train` and scripts/measure-templates.ts): one training
// step (forward, gradients, Adam update) of templates on tfjs' pure-JS CPU backend and on its WASM
// backend with the gradient kernels of src/train/wasmKernels.ts, side by side in one run.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { bridgeWasmKernels, replacedKernels } from '../src/train/wasmKernels';
import { timeTrainingSteps } from './stepTimer';
import type { BenchSection } from './types';

const TEMPLATES = ['lenet5', 'vgg-mini', 'transformer-classifier'];
const BATCH = 32;

async function msPerStep(backend: 'cpu' | 'wasm', name: string, steps: number): Promise<number> {
  await tf.setBackend(backend);
  const doc = JSON.parse(readFileSync(new URL(`../templates/${name}.json`, import.meta.url), 'utf8'));
  return timeTrainingSteps(doc, BATCH, steps);
}

/** CPU ms (this process, all threads) and wall ms of f. */
async function usage(f: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const u = process.cpuUsage(c0);
  return { cpu: (u.user + u.system) / 1000, wall: performance.now() - t0 };
}

const POOL_GRADS = ['AvgPoolGrad', 'MaxPoolGrad'];

/** Runs f with tfjs-wasm's own pooling gradients registered instead of src/train/wasmPoolGrads.ts. */
async function withTfjsPoolGrads<T>(f: () => Promise<T>): Promise<T> {
  const ours = POOL_GRADS.map((k) => tf.getKernel(k, 'wasm')!.kernelFunc);
  const swap = (funcs: tf.KernelFunc[]) =>
    POOL_GRADS.forEach((kernelName, i) => {
      tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: funcs[i]! });
    });
  // Their setup (binding the C++ function) runs when the backend starts, which may have been
  // after bridgeWasmKernels unregistered them: bind them here.
  for (const k of POOL_GRADS) replacedKernels[k]!.setupFunc?.(tf.backend());
  swap(POOL_GRADS.map((k) => replacedKernels[k]!.kernelFunc));
  try {
    return await f();
  } finally {
    swap(ours);
  }
}

/**
 * LeNet-5 on WASM with tfjs-wasm's pooling gradients and with ours, alternately, ROUNDS times.
 * Per step: the difference between a 30-step and a 10-step run over 20 (compiling and warm-up
 * cancel out), in CPU time, which a busy machine disturbs far less than wall time, and wall time.
 */
async function poolGradRows(rounds = 3) {
  await tf.setBackend('wasm');
  const doc = JSON.parse(readFileSync(new URL('../templates/lenet5.json', import.meta.url), 'utf8'));
  const perStep = async () => {
    const a = await usage(() => timeTrainingSteps(doc, BATCH, 10));
    const b = await usage(() => timeTrainingSteps(doc, BATCH, 30));
    return { cpu: (b.cpu - a.cpu) / 20, wall: (b.wall - a.wall) / 20 };
  };
  const runs: Record<'tfjs' | 'ours', { cpu: number; wall: number }[]> = { tfjs: [], ours: [] };
  for (let r = 0; r < rounds; r++) {
    runs.tfjs.push(await withTfjsPoolGrads(perStep));
    runs.ours.push(await perStep());
  }
  const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
  const of = (k: 'tfjs' | 'ours') => ({ cpu: median(runs[k].map((x) => x.cpu)), wall: median(runs[k].map((x) => x.wall)) });
  return { tfjs: of('tfjs'), ours: of('ours'), runs };
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
  const pool = await poolGradRows();
  await tf.setBackend('cpu');
  const poolRows = (['tfjs', 'ours'] as const).map((k) => [
    `lenet5, WASM, pooling gradients: ${k === 'tfjs' ? "tfjs-wasm's" : 'wasmPoolGrads.ts'}`,
    '',
    `${pool[k].wall.toFixed(1)} (CPU ${pool[k].cpu.toFixed(1)})`,
    '',
    ((BATCH * 1000) / pool[k].wall).toFixed(0),
  ]);
  rows.push(...poolRows);
  return {
    name: 'trainNode',
    title: 'Training in Node: tfjs CPU vs WASM backend',
    method: `One training step (forward, gradients, Adam update, loss read back) on a batch of ${BATCH} random examples of each template, in this process: tfjs' pure-JS CPU backend, then its WASM backend (XNNPACK) with the gradient kernels it lacks (Conv2DBackpropFilter, UnsortedSegmentSum, others via the CPU kernels) from src/train/wasmKernels.ts. Mean of 10 steps on WASM (2–3 on CPU) after two warm-up steps (bench/stepTimer.ts); the two run back to back in one process.`,
    table: { columns: ['template', 'CPU ms/step', 'WASM ms/step', 'CPU / WASM', 'WASM examples/s'], rows },
    notes: [
      '`neural-blocks train` uses WASM by default (`--backend cpu` for the reference); the template results in templates/results.ts marked WASM were trained this way.',
      `The last two rows: LeNet-5's WASM step with tfjs-wasm's own AvgPoolGrad/MaxPoolGrad and with src/train/wasmPoolGrads.ts, alternately ${pool.runs.ours.length} times in this run; per step the difference of a 30-step and a 10-step timing over 20, median; CPU time (this process) beside wall time, as the machine may be busy (on a loaded machine the wall times differ by far more than the work does: compare the CPU times). Pooling gradients saved ${(pool.tfjs.cpu - pool.ours.cpu).toFixed(1)} ms CPU a step (${((1 - pool.ours.cpu / pool.tfjs.cpu) * 100).toFixed(1)}%).`,
    ],
    data: { ...data, lenet5PoolGrads: pool },
  };
}
