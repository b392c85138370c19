// Does "Train more" keep improving the model? For each seed: train a graph with its own training
// config, evaluate the test split, then train one more epoch two ways from the same weights and
// compare test accuracy:
//   continue  — what Train more does now: the optimizer's state kept, the schedule continued
//               (src/train/config.ts moreEpochsSchedule), the data order and streams carried on;
//   restart   — what it did before: a fresh optimizer and the schedule restarted at its peak rate.
// Trains in this process on tfjs' WASM backend (as `neural-blocks train` does) and prints a
// Markdown table (and JSON with --json).
//
//   npx tsx scripts/train-more-check.ts [GRAPH.json] [--seeds 1,2,3,4,5] [--limit N] [--epochs N] [--json]
//   (default GRAPH: templates/lenet5.json with --limit 3000 --epochs 5)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { findDataset } from '../src/data/registry';
import { nodeDataEnv } from '../src/data/nodeEnv';
import { moreEpochsSchedule, parseTrainingConfig, type TrainingConfig } from '../src/train/config';
import { evaluateTestAsync, makeOptimizer, train } from '../src/train/loop';
import { restoreSnapshot, takeSnapshot } from '../src/train/snapshot';
import { bridgeWasmKernels } from '../src/train/wasmKernels';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'templates/lenet5.json';
const doc = JSON.parse(readFileSync(file, 'utf8')) as GraphDoc;
const base = parseTrainingConfig(doc.training as Record<string, unknown>).config;
const isDefault = file === 'templates/lenet5.json';
const limit = Number(opt('limit') ?? (isDefault ? 3000 : (base.limit ?? 0))) || undefined;
const epochs = Number(opt('epochs') ?? (isDefault ? 5 : base.epochs));
const seeds = (opt('seeds') ?? '1,2,3,4,5').split(',').map(Number);

await tf.setBackend('wasm');
bridgeWasmKernels();

interface Row {
  seed: number;
  before: number;
  continued: number;
  restarted: number;
  continueRate: number;
  restartRate: number;
  seconds: number;
}
const rows: Row[] = [];
const pct = (x: number | undefined) => 100 * (x ?? NaN);
for (const seed of seeds) {
  const t0 = Date.now();
  const cfg: TrainingConfig = { ...base, seed, epochs, limit };
  const data = await findDataset(cfg.dataset ?? 'mnist').load(nodeDataEnv, { limit, seed });
  const c = compile(doc, { kernelInitializer: cfg.kernelInitializer, seed });
  const optimizer = makeOptimizer(cfg);
  const first = await train(c, data, cfg, {}, {}, { optimizer });
  const before = pct((await evaluateTestAsync(c, data, cfg)).accuracy);
  const snap = await takeSnapshot(c.model, optimizer, { epoch: 0, batch: 0 });
  const lastRate = first.history.at(-1)!.learningRate!;
  const one = { ...cfg, epochs: 1 };

  const cont = moreEpochsSchedule(cfg, lastRate, 1, false);
  await train(c, data, one, {}, {}, { startEpoch: epochs, optimizer, schedule: cont });
  const continued = pct((await evaluateTestAsync(c, data, cfg)).accuracy);

  // Before: the trained weights, a fresh optimizer, the schedule from its peak, the first epoch's data order.
  const fresh = await restoreSnapshot(c.model, cfg, { ...snap, optimizer: [{ shape: [], data: new Float32Array([0]) }] });
  const restart = moreEpochsSchedule(cfg, lastRate, 1, true);
  await train(c, data, one, {}, {}, { optimizer: fresh, schedule: restart });
  const restarted = pct((await evaluateTestAsync(c, data, cfg)).accuracy);
  rows.push({ seed, before, continued, restarted, continueRate: cont.learningRate, restartRate: restart.learningRate, seconds: (Date.now() - t0) / 1000 });
  tf.dispose([optimizer, fresh] as never);
  c.model.dispose();
  console.error(`seed ${seed}: ${before.toFixed(2)}% → continue ${continued.toFixed(2)}%, restart ${restarted.toFixed(2)}% (${rows.at(-1)!.seconds.toFixed(0)} s)`);
}

const f = (x: number) => x.toFixed(2);
const sign = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(2);
console.log(`\n${doc.name ?? file}: ${epochs} epochs (${base.optimizer}, lr ${base.learningRate}, ${base.lrSchedule}), MNIST limit ${limit ?? 'all'}, tfjs WASM; then one more epoch\n`);
console.log('| seed | test acc. after training | + 1 epoch, continued (now) | change | + 1 epoch, restarted (before) | change |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.seed} | ${f(r.before)}% | ${f(r.continued)}% (lr ${r.continueRate.toPrecision(3)}) | ${sign(r.continued - r.before)} | ${f(r.restarted)}% (lr ${r.restartRate}) | ${sign(r.restarted - r.before)} |`);
const worst = (k: 'continued' | 'restarted') => Math.min(...rows.map((r) => r[k] - r.before));
console.log(`\nworst change: continued ${sign(worst('continued'))} points, restarted ${sign(worst('restarted'))} points`);
if (args.includes('--json')) console.log(JSON.stringify(rows));
