// Measures the Experiments gallery (templates/experiments/experiments.ts) the way the app runs it
// (the same graphs, configs, seeds and training loop), in this process on tfjs' WASM backend, and
// writes templates/experiments/results.json, which the cards show.
//
//   npx tsx scripts/measure-experiments.ts [--only vanishing,optimizers] [--seeds 1,2,3] [--variant NAME] [--out FILE] [--check]
//   (ids: vanishing, optimizers, dropout, residual, init, clipping, lstm, pretraining)
//   --seeds: train every variant once per seed (data, split and initial weights all follow the
//            seed); the first seed's run gives the card's curves, every seed's test accuracy,
//            last validation loss, largest gradient norm, first/last gradient ratio at the first
//            batch and end status go into `seeds`.
//            Default: the variant's own seed only.
//   --check: measure, print, and do not write the file
// A variant with `pretrain` first trains that graph (once, with its own config and seed; cached in
// .scratch/experiments/ by the graph's content, so a rerun and every seed reuse it) and starts from
// its weights for every block the two graphs share (src/train/fineTune.ts startFromBlocks, as the app's worker does).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { compile } from '../src/core/compile';
import { findDataset } from '../src/data/registry';
import { nodeDataEnv } from '../src/data/nodeEnv';
import { parseTrainingConfig } from '../src/train/config';
import { evaluateAsync, evaluateTestAsync, planData, train } from '../src/train/loop';
import { sliceSplit } from '../src/data/dataset';
import { createGradFlow, type GradFlowSample } from '../src/train/gradFlow';
import { bridgeWasmKernels } from '../src/train/wasmKernels';
import { startFromBlocks } from '../src/train/fineTune';
import { saveModel, type SavedModel } from '../src/train/weights';
import type { GraphDoc } from '../src/core/graph';
import { ALL_EXPERIMENTS, type ExperimentResults, type SeedResult, type VariantResult } from '../templates/experiments/experiments';

const args = process.argv.slice(2);
// --out FILE: write there instead (e.g. one file per seed from runs in parallel, merged afterwards).
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1]! : 'templates/experiments/results.json';
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
const seedList = args.includes('--seeds') ? args[args.indexOf('--seeds') + 1]!.split(',').map(Number) : undefined;
if (seedList?.some((x) => !Number.isInteger(x))) throw new Error(`--seeds wants integers separated by commas, got ${JSON.stringify(args[args.indexOf('--seeds') + 1])}`);
// --variant NAME: only that variant (e.g. to run variants in parallel processes).
const onlyVariant = args.includes('--variant') ? args[args.indexOf('--variant') + 1] : undefined;
const CACHE = '.scratch/experiments';

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
  // Per variant, so a --variant run keeps the experiment's other variants.
  for (const [id, variants] of Object.entries(done)) now.experiments[id] = { ...now.experiments[id], ...variants };
  now.measuredWith = `tfjs ${tf.version.tfjs} WASM backend in Node (npx tsx scripts/measure-experiments.ts), seed 1 (where the card says so, more seeds), ${new Date().toISOString().slice(0, 10)}`;
  writeFileSync(OUT, JSON.stringify(now, null, 2) + '\n');
}
/**
 * A pretraining graph trained (cached by the graph's content as model.json + weights.bin, so a
 * rerun and every seed reuse it), as the app's worker saves it.
 */
async function pretrained(doc: GraphDoc): Promise<{ saved: SavedModel; seconds: number }> {
  const key = createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 16);
  const dir = `${CACHE}/pretrain-${key}`;
  try {
    const meta = JSON.parse(readFileSync(`${dir}/meta.json`, 'utf8')) as { seconds: number };
    const bin = readFileSync(`${dir}/weights.bin`);
    const weights = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    return { saved: { modelJson: JSON.parse(readFileSync(`${dir}/model.json`, 'utf8')) as SavedModel['modelJson'], weights }, seconds: meta.seconds };
  } catch {
    // not cached yet
  }
  const cfg = parseTrainingConfig(doc.training as Record<string, unknown>).config;
  const data = await findDataset(cfg.dataset!).load(nodeDataEnv, { limit: cfg.limit, seed: cfg.seed });
  const c = compile(doc, { kernelInitializer: cfg.kernelInitializer, seed: cfg.seed });
  const t0 = Date.now();
  const res = await train(c, data, cfg, { onEpoch: (e) => console.log(`  pretrain ${doc.name} epoch ${e.epoch + 1}/${cfg.epochs}: loss ${e.loss.toFixed(4)}, val acc ${e.valAccuracy?.toFixed(4)}`) });
  const saved = await saveModel(c.model, doc);
  c.model.dispose();
  const seconds = Number(((Date.now() - t0) / 1000).toFixed(1));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/model.json`, JSON.stringify(saved.modelJson));
  writeFileSync(`${dir}/weights.bin`, new Uint8Array(saved.weights));
  writeFileSync(`${dir}/meta.json`, JSON.stringify({ seconds, status: res.status }));
  return { saved, seconds };
}

const results = load();
for (const ex of ALL_EXPERIMENTS) {
  if (only && !only.includes(ex.id)) continue;
  const out: Record<string, VariantResult> = {};
  for (const v of ex.variants) {
    if (onlyVariant && v.name !== onlyVariant) continue;
    const base = parseTrainingConfig(v.graph.training as Record<string, unknown>).config;
    const pre = v.pretrain ? await pretrained(v.pretrain) : undefined;
    const seeds: SeedResult[] = [];
    for (const seed of seedList ?? [base.seed]) {
      const t0 = Date.now();
      const cfg = { ...base, seed };
      const data = await findDataset(cfg.dataset!).load(nodeDataEnv, { limit: cfg.limit, seed: cfg.seed });
      const c = compile(v.graph, { kernelInitializer: cfg.kernelInitializer, seed: cfg.seed });
      // The app's worker does the same (src/train/fineTune.ts): blocks the two graphs share carry over byte for byte.
      if (pre) {
        const moved = await startFromBlocks(c, v.graph, pre.saved, v.pretrain, 'the pretrained weights');
        console.log(`  ${v.name}: started from the pretrained weights of ${moved.carried.join(', ')}; fresh: ${moved.fresh.join(', ')} (pretrained in ${pre.seconds} s)`);
      }
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
      const m: VariantResult = {
        testAccuracy: Number((test.accuracy ?? NaN).toFixed(4)),
        // none without a validation split
        valLoss: res.history.filter((e) => e.valLoss !== undefined).map((e) => Number(e.valLoss!.toFixed(4))),
        gradRatioFirst: Number(ratio(samples[0]).toPrecision(3)),
        gradRatioLast: Number(ratio(samples.at(-1)).toPrecision(3)),
        seconds: Number(((Date.now() - t0) / 1000).toFixed(1)),
        trainLoss: res.history.map((e) => Number(e.loss.toFixed(4))),
        trainAccuracy: round(onTrain.accuracy),
        valAccuracy: round(onVal?.accuracy),
        maxGradNorm: Number(Math.max(...samples.map(globalNorm)).toPrecision(3)),
        gradNorms: samples.map((s) => [s.step, Number(globalNorm(s).toPrecision(3))]),
        status: res.status,
        ...(res.message ? { message: res.message } : {}),
        ...(pre ? { pretrainSeconds: pre.seconds } : {}),
      };
      c.model.dispose();
      seeds.push({ seed, testAccuracy: m.testAccuracy, valLoss: m.valLoss.at(-1), maxGradNorm: m.maxGradNorm, gradRatioFirst: m.gradRatioFirst, status: m.status });
      if (seeds.length === 1) out[v.name] = m;
      console.log(`${ex.id} · ${v.name} · seed ${seed}: ${res.status}, test ${(100 * m.testAccuracy).toFixed(2)}%, train ${m.trainAccuracy} val ${m.valAccuracy}, max grad ${m.maxGradNorm}, first/last grad ${m.gradRatioFirst} → ${m.gradRatioLast}, val loss ${m.valLoss.join(' ')}, train loss ${m.trainLoss!.join(' ')} (${m.seconds} s)`);
    }
    if (seedList) out[v.name]!.seeds = seeds;
  }
  results.experiments[ex.id] = out;
  save({ [ex.id]: out });
}
