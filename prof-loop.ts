import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { bridgeWasmKernels } from './src/train/wasmKernels';
import { bareStep, loopBatch, wallClock } from './src/train/loopBench';
const doc = JSON.parse(readFileSync('templates/lenet5.json', 'utf8'));
bridgeWasmKernels();
await tf.setBackend(process.argv[2] ?? 'wasm');
const engine = tf.engine() as any;
const counts = new Map<string, number>();
const orig = engine.runKernelFunc.bind(engine);
let counting = false;
engine.runKernelFunc = (kp: any) => { if (counting) { const n = kp.kernelName ?? 'custom'; counts.set(n, (counts.get(n) ?? 0) + 1); } return orig(kp); };
const per: Record<string, Map<string, number>> = {};
for (const mode of ['bare', 'loop'] as const) {
  counts.clear(); counting = true;
  if (mode === 'bare') await bareStep(doc, 32, 20, wallClock); else await loopBatch(doc, 32, 20, wallClock);
  counting = false;
  const steps = mode === 'bare' ? 22 : 23;
  per[mode] = new Map([...counts.entries()].map(([k, v]) => [k, v / steps]));
}
const keys = new Set([...per.bare!.keys(), ...per.loop!.keys()]);
const diff = [...keys].map((k) => [k, (per.loop!.get(k) ?? 0) - (per.bare!.get(k) ?? 0)] as const).filter(([, d]) => Math.abs(d) > 0.1);
console.log('per step: bare', [...per.bare!.values()].reduce((a, b) => a + b, 0).toFixed(1), 'loop', [...per.loop!.values()].reduce((a, b) => a + b, 0).toFixed(1));
console.log('loop - bare:', diff.map(([k, d]) => `${k}:${d.toFixed(1)}`).join(' '));
