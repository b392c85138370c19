// Measures the Experiments gallery (templates/experiments/experiments.ts) the way the app runs it
// (the same graphs, configs, seeds and training loop), in this process on tfjs' WASM backend, and
// writes templates/experiments/results.json, which the cards show.
//
//   npx tsx scripts/measure-experiments.ts [--only vanishing,optimizers] [--check]
//   --check: measure, print, and do not write the file
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync, writeFileSync } from 'node:fs';
import { compile } from '../src/core/compile';
import { findDataset } from '../src/data/registry';
import { nodeDataEnv } from '../src/data/nodeEnv';
import { parseTrainingConfig } from '../src/train/config';
import { evaluateTestAsync, train } from '../src/train/loop';
import { createGradFlow, type GradFlowSample } from '../src/train/gradFlow';
import { bridgeWasmKernels } from '../src/train/wasmKernels';
import { EXPERIMENTS, type ExperimentResults, type VariantResult } from '../templates/experiments/experiments';

const OUT = 'templates/experiments/results.json';
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;

await tf.setBackend('wasm');
bridgeWasmKernels();

const ratio = (s: GradFlowSample | undefined) => {
  const first = s?.blocks[0];
  const last = s?.blocks.at(-1);
  return first && last && last.gradNorm > 0 ? first.gradNorm / last.gradNorm : NaN;
};

let results: ExperimentResults;
try {
  results = JSON.parse(readFileSync(OUT, 'utf8')) as ExperimentResults;
} catch {
  results = { measuredWith: '', experiments: {} };
}
for (const ex of EXPERIMENTS) {
  if (only && !only.includes(ex.id)) continue;
  const out: Record<string, VariantResult> = {};
  for (const v of ex.variants) {
    const t0 = Date.now();
    const cfg = parseTrainingConfig(v.graph.training as Record<string, unknown>).config;
    const data = await findDataset(cfg.dataset!).load(nodeDataEnv, { limit: cfg.limit, seed: cfg.seed });
    const c = compile(v.graph, { kernelInitializer: cfg.kernelInitializer, seed: cfg.seed });
    const samples: GradFlowSample[] = [];
    const res = await train(c, data, cfg, {}, {}, { gradFlow: createGradFlow(c, {}, (s) => void samples.push(s)) });
    const test = await evaluateTestAsync(c, data, cfg);
    out[v.name] = {
      testAccuracy: Number((test.accuracy ?? NaN).toFixed(4)),
      valLoss: res.history.map((e) => Number((e.valLoss ?? NaN).toFixed(4))),
      gradRatioFirst: Number(ratio(samples[0]).toPrecision(3)),
      gradRatioLast: Number(ratio(samples.at(-1)).toPrecision(3)),
      seconds: Number(((Date.now() - t0) / 1000).toFixed(1)),
    };
    c.model.dispose();
    console.log(`${ex.id} · ${v.name}: test ${(100 * out[v.name]!.testAccuracy).toFixed(2)}%, first/last grad ${out[v.name]!.gradRatioFirst} → ${out[v.name]!.gradRatioLast}, val loss ${out[v.name]!.valLoss.join(' ')} (${out[v.name]!.seconds} s)`);
  }
  results.experiments[ex.id] = out;
}
results.measuredWith = `tfjs ${tf.version.tfjs} WASM backend in Node (npx tsx scripts/measure-experiments.ts), seed 1, ${new Date().toISOString().slice(0, 10)}`;
if (!args.includes('--check')) writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n');
