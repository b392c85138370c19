// Measures the Experiments gallery (templates/experiments/experiments.ts) the way the app runs it
// (the same graphs, configs, seeds and training loop), in this process on tfjs' WASM backend, and
// writes templates/experiments/results.json, which the cards show.
//
//   npx tsx scripts/measure-experiments.ts [--only vanishing,optimizers] [--check]
//   (ids: vanishing, optimizers, dropout, residual, init, clipping, lstm)
//   --check: measure, print, and do not write the file
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync, writeFileSync } from 'node:fs';
import { compile } from '../src/core/compile';
import { findDataset } from '../src/data/registry';
import { nodeDataEnv } from '../src/data/nodeEnv';
import { parseTrainingConfig } from '../src/train/config';
import { evaluateAsync, evaluateTestAsync, planData, train } from '../src/train/loop';
import { sliceSplit } from '../src/data/dataset';
import { createGradFlow, type GradFlowSample } from '../src/train/gradFlow';
import { bridgeWasmKernels } from '../src/train/wasmKernels';
import { ALL_EXPERIMENTS, type ExperimentResults, type VariantResult } from '../templates/experiments/experiments';

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

function load(): ExperimentResults {
  try {
    return JSON.parse(readFileSync(OUT, 'utf8')) as ExperimentResults;
  } catch {
    return { measuredWith: '', experiments: {} };
  }
}
/**
 * Writes each experiment as soon as it is measured, into the file as it is now (so a long run
 * keeps what it measured, and runs of different --only sets do not undo each other).
 */
function save(done: ExperimentResults['experiments']): void {
  if (args.includes('--check')) return;
  const now = load();
  Object.assign(now.experiments, done);
  now.measuredWith = `tfjs ${tf.version.tfjs} WASM backend in Node (npx tsx scripts/measure-experiments.ts), seed 1, ${new Date().toISOString().slice(0, 10)}`;
  writeFileSync(OUT, JSON.stringify(now, null, 2) + '\n');
}
const results = load();
for (const ex of ALL_EXPERIMENTS) {
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
    // Inference mode (dropout off) on the examples trained on and on the validation split, split
    // as the loop splits them (the validation part is the end of the training data).
    const plan = planData(c, data, cfg);
    const nVal = Math.floor(data.train.n * cfg.validationSplit);
    const onTrain = await evaluateAsync(c, sliceSplit(data.train, 0, data.train.n - nVal), cfg, plan);
    const onVal = nVal > 0 ? await evaluateAsync(c, sliceSplit(data.train, data.train.n - nVal, data.train.n), cfg, plan) : undefined;
    const globalNorm = (s: GradFlowSample) => Math.sqrt(s.blocks.reduce((a, b) => a + b.gradNorm ** 2, 0));
    const round = (x: number | undefined) => (x === undefined ? undefined : Number(x.toFixed(4)));
    out[v.name] = {
      testAccuracy: Number((test.accuracy ?? NaN).toFixed(4)),
      valLoss: res.history.map((e) => Number((e.valLoss ?? NaN).toFixed(4))),
      gradRatioFirst: Number(ratio(samples[0]).toPrecision(3)),
      gradRatioLast: Number(ratio(samples.at(-1)).toPrecision(3)),
      seconds: Number(((Date.now() - t0) / 1000).toFixed(1)),
      trainLoss: res.history.map((e) => Number(e.loss.toFixed(4))),
      trainAccuracy: round(onTrain.accuracy),
      valAccuracy: round(onVal?.accuracy),
      maxGradNorm: Number(Math.max(...samples.map(globalNorm)).toPrecision(3)),
      status: res.status,
      ...(res.message ? { message: res.message } : {}),
    };
    c.model.dispose();
    console.log(`${ex.id} · ${v.name}: ${res.status}, test ${(100 * out[v.name]!.testAccuracy).toFixed(2)}%, train ${out[v.name]!.trainAccuracy} val ${out[v.name]!.valAccuracy}, max grad ${out[v.name]!.maxGradNorm}, first/last grad ${out[v.name]!.gradRatioFirst} → ${out[v.name]!.gradRatioLast}, val loss ${out[v.name]!.valLoss.join(' ')} (${out[v.name]!.seconds} s)`);
  }
  results.experiments[ex.id] = out;
  save({ [ex.id]: out });
}

