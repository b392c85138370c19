// Measures a template's result with its own recommended training config (the graph's `training`
// object): trains it on its dataset, evaluates the test split, and prints one JSON report (metric,
// value, split sizes, epochs, backend, wall time, the command). The numbers in
// templates/results.ts come from this script.
//
//   npx tsx scripts/measure-templates.ts templates/lenet5.json [more…] [--backend webgl|webgpu|node|wasm]
//        [--epochs N] [--limit N] [--batch-size N] [--lr X] [--pretrained templates/bert-pretrain.json]
//        [--out DIR]                     (default DIR: .scratch; writes DIR/measure-NAME.json)
//
// Backends: "webgl" trains in headless Chromium (the Vite dev server and Debian's chromium, as
// the e2e tests do) on tfjs' WebGL backend — with no GPU that is SwiftShader on the CPU, still
// much faster than the pure-JS CPU backend for convolutions. "node" trains in this process on the
// tfjs CPU backend, as `neural-blocks train` does (fast enough for the small recurrent models).
// "wasm" trains in this process on tfjs' WASM backend (XNNPACK), the fastest here, with the
// gradient kernels it lacks (Conv2DBackpropFilter, UnsortedSegmentSum, …) supplied by
// src/train/wasmKernels.ts. The default per template is in DEFAULT_BACKEND below.
//
// Metrics, on the dataset's test split (never seen in training):
//   classification: accuracy. seq2seq: exact match of GREEDY decoding (the decoder is fed its own
//   previous outputs, as the app's Decode does; padding ignored), plus the teacher-forced exact
//   match and token accuracy for comparison. Masked-token pretraining: accuracy on the masked
//   positions only. Language models: cross-entropy per character and perplexity. Autoencoders:
//   the reconstruction loss (binary cross-entropy per pixel).
//
// This module is also loaded by the browser page (from the Vite dev server): everything at the
// top level must run there; Node-only modules are imported inside main().
import * as tf from '@tensorflow/tfjs';
import { compile, type CompiledModel } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { parseTrainingConfig, type TrainingConfig } from '../src/train/config';
import { evaluateGreedy, evaluateTestAsync, planData, train } from '../src/train/loop';
import { findDataset } from '../src/data/registry';
import type { DataEnv, Dataset } from '../src/data/dataset';

export interface MeasureRequest {
  /** Template name (file name without .json). */
  name: string;
  doc: GraphDoc;
  overrides: Partial<Pick<TrainingConfig, 'epochs' | 'limit' | 'batchSize' | 'learningRate'>>;
  /** Optional pretraining template: trained first with its own config; nodes with the same id and weight shapes carry their weights over. */
  pretrained?: { name: string; doc: GraphDoc };
}

export interface MeasureReport {
  template: string;
  metric: string;
  value: number;
  /** Every test number measured (the main one included). */
  test: Record<string, number>;
  dataset: string;
  split: { train: number; validation: number; test: number };
  epochs: number;
  batchSize: number;
  learningRate: number;
  backend: string;
  status: string;
  message?: string;
  trainSeconds: number;
  wallSeconds: number;
  lastEpoch?: Record<string, number | undefined>;
  pretrained?: { template: string; metric: string; value: number; copiedNodes: string[]; trainSeconds: number };
}

type Log = (line: string) => void;
type Backend = 'webgl' | 'webgpu' | 'node' | 'wasm';

/** Backend per template when --backend is not given (see the header: WebGL for convolutions). */
const DEFAULT_BACKEND: Record<string, Backend> = {
  // Everything trains fastest here on the WASM backend (XNNPACK) in Node, with the gradients it
  // lacks supplied by src/train/wasmKernels.ts: LeNet-5 at ~380 examples/s idle (bench trainNode),
  // ~200 with other runs beside it, against ~30 on WebGL (SwiftShader) and ~11 on the CPU backend. The seq2seq templates were measured on WebGL.
  lenet5: 'wasm',
  'alexnet-mini': 'wasm',
  'vgg-mini': 'wasm',
  'resnet-mini': 'wasm',
  'seq2seq-attention': 'webgl',
  'seq2seq-bahdanau': 'webgl',
  autoencoder: 'wasm',
  'denoising-autoencoder': 'wasm',
  vae: 'wasm',
  'char-rnn': 'webgl',
  'char-lstm': 'webgl',
  'transformer-classifier': 'wasm',
  'bert-pretrain': 'wasm',
  'bert-finetune': 'wasm',
};

function configOf(doc: GraphDoc, overrides: MeasureRequest['overrides']): TrainingConfig {
  const { config, issues } = parseTrainingConfig(doc.training as Record<string, unknown> | undefined);
  if (issues.length) throw new Error(`${doc.name}: bad training config: ${issues.map((i) => i.message).join('; ')}`);
  const cfg: TrainingConfig = { ...config };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (cfg as unknown as Record<string, unknown>)[k] = v;
  if (!cfg.dataset) throw new Error(`${doc.name}: training.dataset is not set`);
  return cfg;
}

/** Masked-token data: token labels at every position and a [MASK] token (the sorted-or-not task shares the vocabulary but has one label per sequence). */
const isMaskedLm = (data: Dataset) => !!data.vocab?.includes('[MASK]') && (data.test.y[0]?.shape.length ?? 0) > 0;

/** Accuracy on the masked positions only (BERT-style pretraining: the input there is [MASK]). */
async function maskedAccuracy(c: CompiledModel, data: Dataset): Promise<number> {
  const mask = data.vocab?.indexOf('[MASK]') ?? -1;
  if (mask < 0) throw new Error(`${data.name} has no [MASK] token in its vocabulary`);
  const x = data.test.x[0]!;
  const y = data.test.y[0]!;
  const T = x.shape[0]!;
  let right = 0;
  let total = 0;
  for (let from = 0; from < data.test.n; from += 256) {
    const m = Math.min(data.test.n, from + 256) - from;
    const xs = x.data.subarray(from * T, (from + m) * T);
    const ids = tf.tidy(() => tf.argMax(c.model.predict(tf.tensor(xs, [m, T], 'int32')) as tf.Tensor, -1));
    const p = await ids.data();
    ids.dispose();
    for (let k = 0; k < m * T; k++)
      if (xs[k] === mask) {
        total++;
        if (p[k] === y.data[from * T + k]) right++;
      }
  }
  return right / Math.max(1, total);
}

/** Trains one template and measures it. Runs in Node or in the browser page alike. */
export async function measureHere(req: MeasureRequest, env: DataEnv, backend: string, log: Log): Promise<MeasureReport> {
  const t0 = Date.now();
  let pretrainedReport: MeasureReport['pretrained'];
  let pre: CompiledModel | undefined;
  if (req.pretrained) {
    const pcfg = configOf(req.pretrained.doc, {});
    const pdata = await findDataset(pcfg.dataset!).load(env, { limit: pcfg.limit, seed: pcfg.seed });
    pre = compile(req.pretrained.doc, { kernelInitializer: pcfg.kernelInitializer });
    log(`pretraining ${req.pretrained.name} on ${pdata.name} for ${pcfg.epochs} epochs`);
    const pres = await train(pre, pdata, pcfg, { onEpoch: (e) => log(`  pretrain epoch ${e.epoch + 1}/${pcfg.epochs} loss ${e.loss.toFixed(4)} acc ${e.accuracy?.toFixed(4)} val_acc ${e.valAccuracy?.toFixed(4)}`) });
    const value = isMaskedLm(pdata) ? await maskedAccuracy(pre, pdata) : (await evaluateTestAsync(pre, pdata, pcfg)).accuracy ?? NaN;
    pretrainedReport = { template: req.pretrained.name, metric: isMaskedLm(pdata) ? 'masked-token accuracy' : 'accuracy', value, copiedNodes: [], trainSeconds: pres.seconds };
  }
  const cfg = configOf(req.doc, req.overrides);
  const data = await findDataset(cfg.dataset!).load(env, { limit: cfg.limit, seed: cfg.seed });
  const c = compile(req.doc, { kernelInitializer: cfg.kernelInitializer, seed: cfg.seed });
  if (pre && pretrainedReport) {
    // Weights carry over by node id where the layers' weight shapes agree (the encoder).
    for (const [node, layers] of c.layersByNode) {
      const from = pre.layersByNode.get(node);
      if (!from || from.length !== layers.length) continue;
      const ok = layers.every((l, i) => {
        const a = l.getWeights();
        const b = from[i]!.getWeights();
        return a.length === b.length && a.every((w, j) => w.shape.join() === b[j]!.shape.join());
      });
      if (!ok) continue;
      layers.forEach((l, i) => l.setWeights(from[i]!.getWeights()));
      pretrainedReport.copiedNodes.push(node);
    }
    pre.model.dispose();
    log(`copied pretrained weights of ${pretrainedReport.copiedNodes.length} nodes: ${pretrainedReport.copiedNodes.join(', ')}`);
  }
  const nVal = Math.floor(data.train.n * cfg.validationSplit);
  const split = { train: data.train.n - nVal, validation: nVal, test: data.test.n };
  log(`${req.name}: ${data.name} train ${split.train} / val ${split.validation} / test ${split.test}, ${cfg.epochs} epochs, batch ${cfg.batchSize}, lr ${cfg.learningRate}, ${backend}`);
  let lastLog = Date.now();
  const res = await train(c, data, cfg, {
    onBatch: (e) => {
      if (Date.now() - lastLog < 60_000) return;
      lastLog = Date.now();
      log(`  epoch ${e.epoch + 1} batch ${e.batch + 1}/${e.batchesPerEpoch} loss ${e.loss.toFixed(4)} ${e.examplesPerSec.toFixed(1)} ex/s, eta ${(e.etaSec / 60).toFixed(1)} min`);
    },
    onEpoch: (e) =>
      log(
        `  epoch ${e.epoch + 1}/${cfg.epochs} loss ${e.loss.toFixed(4)}${e.accuracy !== undefined ? ` acc ${e.accuracy.toFixed(4)}` : ''}${e.valLoss !== undefined ? ` val_loss ${e.valLoss.toFixed(4)}` : ''}${e.valAccuracy !== undefined ? ` val_acc ${e.valAccuracy.toFixed(4)}` : ''} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
      ),
  });
  const ev = await evaluateTestAsync(c, data, cfg);
  const test: Record<string, number> = { loss: ev.loss };
  if (ev.accuracy !== undefined) test.accuracy = ev.accuracy;
  let metric: string;
  let value: number;
  const plan = planData(c, data, cfg);
  if (data.task === 'seq2seq' && plan.inputs.length === 2) {
    const end = data.vocab?.indexOf('</s>') ?? -1;
    const g = await evaluateGreedy(c, data, cfg, { end: end >= 0 ? end : undefined });
    test.greedyExactMatch = g.exactMatch;
    test.greedyTokenAccuracy = g.tokenAccuracy;
    if (ev.exactMatch !== undefined) test.teacherForcedExactMatch = ev.exactMatch;
    if (ev.accuracy !== undefined) test.teacherForcedTokenAccuracy = ev.accuracy;
    delete test.accuracy;
    metric = 'exact match';
    value = g.exactMatch;
  } else if (isMaskedLm(data)) {
    test.maskedAccuracy = await maskedAccuracy(c, data);
    test.tokenAccuracyAllPositions = ev.accuracy ?? NaN;
    delete test.accuracy;
    metric = 'masked-token accuracy';
    value = test.maskedAccuracy;
  } else if (data.task === 'language-model') {
    test.perplexity = Math.exp(ev.loss);
    metric = 'perplexity';
    value = test.perplexity;
  } else if (plan.outputs.every((o) => o.source.kind === 'input')) {
    delete test.accuracy; // per-pixel "accuracy" of a thresholded reconstruction says little
    metric = 'reconstruction loss';
    value = ev.loss;
  } else {
    metric = 'accuracy';
    value = ev.accuracy ?? NaN;
  }
  c.model.dispose();
  const last = res.history[res.history.length - 1];
  return {
    template: req.name,
    metric,
    value,
    test,
    dataset: data.name,
    split,
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    learningRate: cfg.learningRate,
    backend,
    status: res.status,
    message: res.message,
    trainSeconds: res.seconds,
    wallSeconds: (Date.now() - t0) / 1000,
    lastEpoch: last ? { ...last } : undefined,
    pretrained: pretrainedReport,
  };
}

// ---------------------------------------------------------------------------------------------
// Node side: argument parsing, the browser driver, reports
// ---------------------------------------------------------------------------------------------

interface Args {
  files: string[];
  backend?: Backend;
  overrides: MeasureRequest['overrides'];
  pretrained?: string;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { files: [], overrides: {}, out: '.scratch' };
  const num = (flag: string, v: string | undefined, int: boolean): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || (int && !Number.isInteger(n))) throw new Error(`${flag} needs ${int ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    if (k === '--backend') {
      const v = argv[++i];
      if (v !== 'webgl' && v !== 'webgpu' && v !== 'node' && v !== 'wasm') throw new Error(`--backend must be webgl, webgpu, node or wasm, got ${JSON.stringify(v)}`);
      a.backend = v;
    } else if (k === '--epochs') a.overrides.epochs = num(k, argv[++i], true);
    else if (k === '--limit') a.overrides.limit = num(k, argv[++i], true);
    else if (k === '--batch-size') a.overrides.batchSize = num(k, argv[++i], true);
    else if (k === '--lr') a.overrides.learningRate = num(k, argv[++i], false);
    else if (k === '--pretrained') a.pretrained = argv[++i];
    else if (k === '--out') a.out = argv[++i] ?? a.out;
    else if (k.startsWith('--')) throw new Error(`unknown option ${k}`);
    else a.files.push(k);
  }
  if (!a.files.length) throw new Error('usage: npx tsx scripts/measure-templates.ts templates/NAME.json [more…] [--backend webgl|webgpu|node|wasm] [--epochs N] [--limit N] [--batch-size N] [--lr X] [--pretrained FILE] [--out DIR]');
  return a;
}

/** "lenet5" or "templates/lenet5.json" → the file path and the template name. */
function templateFile(arg: string): { file: string; name: string } {
  const file = arg.endsWith('.json') ? arg : `templates/${arg}.json`;
  const name = file.replace(/^.*\//, '').replace(/\.json$/, '');
  return { file, name };
}

function commandLine(file: string, args: Args, backend: string): string {
  const o = args.overrides;
  const opts = [
    DEFAULT_BACKEND[templateFile(file).name] === backend || (!DEFAULT_BACKEND[templateFile(file).name] && backend === 'node') ? '' : `--backend ${backend}`,
    o.epochs !== undefined ? `--epochs ${o.epochs}` : '',
    o.limit !== undefined ? `--limit ${o.limit}` : '',
    o.batchSize !== undefined ? `--batch-size ${o.batchSize}` : '',
    o.learningRate !== undefined ? `--lr ${o.learningRate}` : '',
    args.pretrained ? `--pretrained ${args.pretrained}` : '',
  ].filter(Boolean);
  return ['npx tsx scripts/measure-templates.ts', file, ...opts].join(' ');
}

async function main(): Promise<number> {
  const { readFile, writeFile, mkdir } = await import('node:fs/promises');
  const args = parseArgs(process.argv.slice(2));
  const log: Log = (s) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
  const load = async (arg: string) => {
    const { file, name } = templateFile(arg);
    return { file, name, doc: JSON.parse(await readFile(file, 'utf8')) as GraphDoc };
  };
  const pretrained = args.pretrained ? await load(args.pretrained) : undefined;
  let browserSide: { run(req: MeasureRequest): Promise<MeasureReport>; close(): Promise<void> } | undefined;
  let failures = 0;
  try {
    for (const arg of args.files) {
      const t = await load(arg);
      const backend = args.backend ?? DEFAULT_BACKEND[t.name] ?? 'node';
      const req: MeasureRequest = { name: t.name, doc: t.doc, overrides: args.overrides, pretrained: pretrained && { name: pretrained.name, doc: pretrained.doc } };
      let report: MeasureReport;
      try {
        if (backend === 'node' || backend === 'wasm') {
          const { nodeDataEnv } = await import('../src/data/nodeEnv');
          if (backend === 'wasm') {
            const wasm = '@tensorflow/tfjs-backend-wasm';
            await import(/* @vite-ignore */ wasm);
            // the gradients XNNPACK lacks (every conv's weight gradient, Embedding's) — see src/train/wasmKernels.ts
            const { bridgeWasmKernels } = await import('../src/train/wasmKernels');
            bridgeWasmKernels();
          }
          if (!(await tf.setBackend(backend === 'wasm' ? 'wasm' : 'cpu'))) throw new Error(`the tfjs ${backend} backend did not start`);
          report = await measureHere(req, nodeDataEnv, `tfjs ${backend === 'wasm' ? 'WASM (XNNPACK)' : 'CPU'} backend in Node ${process.version}`, log);
        } else {
          browserSide ??= await startBrowser(backend, log);
          report = await browserSide.run(req);
        }
      } catch (e) {
        failures++;
        log(`${t.name}: FAILED: ${(e as Error).stack ?? e}`);
        continue;
      }
      const full = { ...report, command: commandLine(t.file, args, backend), measured: new Date().toISOString().slice(0, 10) };
      await mkdir(args.out, { recursive: true });
      await writeFile(`${args.out}/measure-${t.name}.json`, JSON.stringify(full, null, 2) + '\n');
      console.log(JSON.stringify(full));
    }
  } finally {
    await browserSide?.close();
  }
  return failures ? 1 : 0;
}

/** Headless Chromium on a blank page of the Vite dev server's origin, so the page can import this module. */
async function startBrowser(backend: 'webgl' | 'webgpu', log: Log): Promise<{ run(req: MeasureRequest): Promise<MeasureReport>; close(): Promise<void> }> {
  const harness = '../e2e/harness';
  const { serve, launch } = (await import(/* @vite-ignore */ harness)) as typeof import('../e2e/harness');
  const server = await serve('dev');
  const browser = await launch();
  const page = await browser.newPage();
  const blank = `${server.url}__measure`;
  await page.route(blank, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>measure</title>' }));
  await page.goto(blank);
  await page.exposeFunction('__measureLog', (s: string) => log(s));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log(`browser ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => log(`browser page error: ${e.message}`));
  return {
    async run(req) {
      // A string, not a function: the page must not see tsx's compiled helpers.
      const script = `(async () => {
        const req = ${JSON.stringify(req)};
        const m = await import('/scripts/measure-templates.ts');
        const { browserDataEnv } = await import('/src/data/browserEnv.ts');
        const { initBackend } = await import('/src/train/backends.ts');
        const info = await initBackend(${JSON.stringify(backend)});
        if (info.name !== ${JSON.stringify(backend)}) throw new Error(${JSON.stringify(backend)} + ' is not available: ' + info.summary);
        let device = info.adapter || '';
        if (!device) {
          const gl = document.createElement('canvas').getContext('webgl2');
          const dbg = gl && gl.getExtension('WEBGL_debug_renderer_info');
          device = dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : 'unknown renderer';
        }
        return m.measureHere(req, browserDataEnv(), 'tfjs ' + info.name + ' backend in headless Chromium (' + device + ')', (s) => window.__measureLog(s));
      })()`;
      return (await page.evaluate(script)) as MeasureReport;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

const isMain = typeof process !== 'undefined' && typeof process.argv?.[1] === 'string' && /measure-templates\.ts$/.test(process.argv[1]);
if (isMain)
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error((e as Error).message ?? e);
      process.exit(2);
    },
  );
