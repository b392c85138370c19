// The per-template tests, shared by the template test files (each runs a part of the catalog, so
// vitest runs the parts in parallel): the committed JSON is the generator's output and parses,
// the card and training config are complete, the graph validates and matches its shape golden,
// parameter counts are exact (torchvision's for the ImageNet-size ones; MACs within 2%), it
// compiles to tfjs with those counts, and the small ones run a forward pass, export to ONNX with
// parity in onnxruntime-node, and take a training step with their recommended config.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAll, TEMPLATES } from './catalog';
import { shapeLines } from './lib/golden';
import { FlatHost } from './lib/units';
import { layout } from './lib/builder';
import { TORCH_REFERENCE, TORCHVISION_PUBLISHED } from './torchReference';
import { ZOO } from './zoo';
import { parseGraphText, serializeGraph, type GraphDoc } from '../src/core/graph';
import { analyze, type Analysis } from '../src/core/infer';
import { compile, type CompiledModel } from '../src/core/compile';
import { compiledParity } from '../src/onnx/parity';
import { seedWeights } from '../src/onnx/seedWeights';
import { checkModelsWithPython } from '../src/onnx/checker';
import { concreteShape } from '../src/core/fixtureGraph';
import { randomInputs, rng } from '../src/core/randomInputs';

export const here = dirname(fileURLToPath(import.meta.url));
export const ALL = buildAll();

/** Trainable params per template. ImageNet-size and small variants: from torchReference.ts; the rest by hand, arithmetic shown. */
const MLP_LAYERS = (sizes: number[]) => sizes.slice(1).reduce((n, out, i) => n + sizes[i]! * out + out, 0);
const LSTM = (input: number, units: number) => 4 * units * (input + units + 1);
// Transformer encoder layer, d = 64, 4 heads × keyDim 16, FFN 128: Q, K, V and output
// projections with biases, two LayerNorms (gamma, beta), the two FFN layers.
const ENCODER_64 = 4 * (64 * 64 + 64) + 2 * (2 * 64) + (64 * 128 + 128) + (128 * 64 + 64);
export const EXPECTED_TRAINABLE: Record<string, number> = {
  ...Object.fromEntries(Object.entries(TORCH_REFERENCE).map(([k, v]) => [k, v.params])),
  // The modern zoo: torchvision's documented counts (zoo.test.ts checks them against torchvision).
  ...Object.fromEntries(Object.entries(ZOO).map(([k, v]) => [k, v.params])),
  // C1 6·(25+1), C3 16·(6·25+1), C5 120·(16·25+1), F6 84·(120+1), output 10·(84+1).
  lenet5: 6 * 26 + 16 * 151 + 120 * 401 + 84 * 121 + 10 * 85,
  // Stem 9·16 + BN; blocks (1×1 expand, depthwise, SE fc1/fc2 with bias, 1×1 project, BN 2 per
  // channel): 16-16-16 3×3, 16-64-24 3×3, 24-72-24 3×3, 24-96-40 5×5 SE 24, 40-120-40 5×5 SE 32;
  // head 1×1 40→240 + BN; classifier 240→128→10.
  'mobilenet-mini': 176 + 464 + 3440 + 4440 + (2496 + 2592 + (96 * 24 + 24) + (24 * 96 + 96) + 3920) + (5040 + 3240 + (120 * 32 + 32) + (32 * 120 + 120) + 4880) + 10080 + MLP_LAYERS([240, 128, 10]),
  mlp: MLP_LAYERS([784, 128, 128, 128, 128, 10]),
  'xor-linear': MLP_LAYERS([2, 1]),
  xor: MLP_LAYERS([2, 4, 1]),
  spirals: MLP_LAYERS([2, 32, 32, 32, 1]),
  autoencoder: MLP_LAYERS([784, 256, 128, 32, 128, 256, 784]),
  'denoising-autoencoder': MLP_LAYERS([784, 256, 128, 32, 128, 256, 784]),
  // encoder 784→256, two heads 256→16, decoder 16→256→784.
  vae: MLP_LAYERS([784, 256]) + 2 * MLP_LAYERS([256, 16]) + MLP_LAYERS([16, 256, 784]),
  // two embeddings 12×32, two LSTMs 32→64, attentional Dense 128→64, output 64→12; dot-product attention has no weights.
  'seq2seq-attention': 2 * 12 * 32 + 2 * LSTM(32, 64) + MLP_LAYERS([128, 64, 12]),
  // …plus the W and U projections (64→64, no bias) and additive attention's learned scale vector
  // (one per feature, Keras' use_scale).
  'seq2seq-bahdanau': 2 * 12 * 32 + 2 * LSTM(32, 64) + MLP_LAYERS([128, 64, 12]) + 2 * 64 * 64 + 64,
  // embedding 96×32, SimpleRNN 32→128 (kernel, recurrent kernel, bias), output 128→96.
  'char-rnn': 96 * 32 + (32 * 128 + 128 * 128 + 128) + MLP_LAYERS([128, 96]),
  'char-lstm': 96 * 32 + LSTM(32, 64) + LSTM(64, 64) + MLP_LAYERS([64, 96]),
  // token embedding 16×64, position table 32×64, two encoder layers, head.
  'transformer-classifier': 16 * 64 + 32 * 64 + 2 * ENCODER_64 + MLP_LAYERS([64, 2]),
  'bert-pretrain': 16 * 64 + 32 * 64 + 2 * ENCODER_64 + MLP_LAYERS([64, 64]) + 2 * 64 + MLP_LAYERS([64, 16]),
  'bert-finetune': 16 * 64 + 32 * 64 + 2 * ENCODER_64 + MLP_LAYERS([64, 2]),
  // 7×7 patch conv 1→64, class token, position table 17×64, two pre-norm encoder blocks (two
  // LayerNorms, Q/K/V/output projections, MLP 64→128→64), final LayerNorm, head 64→10.
  'vit-mini': 7 * 7 * 64 + 64 + 64 + 17 * 64 + 2 * (2 * 2 * 64 + 4 * (64 * 64 + 64) + MLP_LAYERS([64, 128, 64])) + 2 * 64 + MLP_LAYERS([64, 10]),
};

export const IMAGENET_SIZE = new Set([...Object.keys(TORCHVISION_PUBLISHED), ...Object.keys(ZOO)]);
/**
 * Templates whose ONNX export is run against tfjs: every small one, and the ImageNet-size ones
 * whose tfjs CPU forward pass at 224×224 stays within a few seconds; the other ImageNet-size ones run
 * on the tfjs WASM backend in templates-fullsize.test.ts (the VGGs take minutes on the CPU one).
 */
export const ONNX_PARITY = new Set(TEMPLATES.map((t) => t.name).filter((n) => !IMAGENET_SIZE.has(n) || ['alexnet', 'resnet18'].includes(n)));


function totals(a: Analysis) {
  let trainable = 0;
  let nonTrainable = 0;
  let convDenseMacs = 0;
  for (const n of a.flat.nodes.values()) {
    trainable += n.paramCount?.trainable ?? 0;
    nonTrainable += n.paramCount?.nonTrainable ?? 0;
    if (n.type === 'Conv2D' || n.type === 'Dense') convDenseMacs += n.macs ?? 0;
  }
  return { trainable, nonTrainable, convDenseMacs };
}

function countWeights(ws: tf.LayerVariable[]): number {
  return ws.reduce((n, w) => n + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);
}

const family = (name: string) => TEMPLATES.find((t) => t.name === name)!.family;
/** The test files' parts of the catalog (each file runs one, in parallel). */
export const PARTS: Record<'imagenet' | 'small' | 'sequence', (name: string) => boolean> = {
  imagenet: (name) => IMAGENET_SIZE.has(name),
  small: (name) => !IMAGENET_SIZE.has(name) && ['alexnet', 'vgg', 'resnet', 'vit', 'mobilenet', 'lenet', 'mlp', 'toy', 'autoencoder'].includes(family(name)),
  sequence: (name) => ['seq2seq', 'language-model', 'transformer'].includes(family(name)),
};

/** Defines the tests of every template whose name passes `include`. */
export function templateSuite(include: (name: string) => boolean): void {
  const onnxDir = mkdtempSync(join(tmpdir(), 'nb-templates-onnx-'));
  const savedOnnx: string[] = [];
  const parity = [...ONNX_PARITY].filter(include);
  for (const { name, doc } of ALL.filter((t) => include(t.name))) {
    describe(`template ${name}`, () => {
      const file = join(here, `${name}.json`);

      it('the committed JSON is the generator output and parses', () => {
        const text = readFileSync(file, 'utf8');
        expect(text, `${name}.json differs from the generator: run npx tsx templates/generate.ts`).toBe(serializeGraph(doc));
        expect(parseGraphText(text, `${name}.json`)).toEqual(doc);
      });

      it('carries its card and training config', () => {
        const m = doc.meta;
        expect(m.title.length).toBeGreaterThan(2);
        const sentences = m.description.split(/(?<=[.!?])\s+(?=[A-Z])/).length;
        expect(sentences, `description of ${name}: 2–4 sentences`).toBeGreaterThanOrEqual(2);
        expect(sentences, `description of ${name}: 2–4 sentences`).toBeLessThanOrEqual(4);
        expect(m.paper).toMatch(/(19|20)\d\d/);
        expect(m.dataset.length).toBeGreaterThan(4);
        // No invented results: either a measured result with the command that produced it
        // (templates/results.ts), "not measured here" when its data is not bundled (ImageNet), or
        // "not yet measured".
        if (m.result === null) expect(m.resultNote).toMatch(IMAGENET_SIZE.has(name) ? /^not measured here: its training data \(imagenet\) is not bundled/ : /not yet measured/);
        else {
          expect(m.result.value).toBeGreaterThanOrEqual(0);
          expect(m.result.command).toContain(`templates/${name}.json`);
          expect(m.resultNote).toMatch(/^measured with: /);
        }
        const t = doc.training;
        expect(t.loss).toMatch(/^(sparseCategoricalCrossentropy|categoricalCrossentropy|binaryCrossentropy|meanSquaredError)$/);
        expect(t.optimizer).toMatch(/^(sgd|adam|rmsprop|adagrad)$/);
        expect(t.learningRate).toBeGreaterThan(0);
        expect(Number.isInteger(t.batchSize) && t.batchSize > 0).toBe(true);
        expect(Number.isInteger(t.epochs) && t.epochs > 0).toBe(true);
        expect(t.dataset).toMatch(/^[a-z0-9-]+$/);
      });

      it('validates with no errors and matches its shape golden', () => {
        const a = analyze(doc);
        expect(a.errors.map((e) => e.message)).toEqual([]);
        const golden = readFileSync(join(here, 'golden', `${name}.shapes.txt`), 'utf8');
        expect(golden, `golden/${name}.shapes.txt differs: if the change is intended, run npx tsx templates/generate.ts`).toBe(shapeLines(doc));
      });

      it('has the expected parameter counts; macro blocks change nothing', () => {
        const a = analyze(doc);
        const t = totals(a);
        expect(t.trainable).toBe(EXPECTED_TRAINABLE[name]);
        const ref = TORCH_REFERENCE[name];
        if (ref) expect(t.nonTrainable, 'BatchNorm moving mean + variance = torch buffers').toBe(ref.buffers);
        // The same template with every unit expanded in place (no macros) counts the same.
        const spec = TEMPLATES.find((x) => x.name === name)!;
        const g = new FlatHost();
        spec.build(g);
        layout(g.nodes, g.edges);
        const flatDoc: GraphDoc = { format: 'neural-blocks.graph', version: 1, nodes: g.nodes, edges: g.edges };
        const fa = analyze(flatDoc);
        expect(fa.errors.map((e) => e.message)).toEqual([]);
        expect(totals(fa)).toEqual(t);
      });

      // The zoo's MACs are checked against torchvision itself in zoo.test.ts.
      if (TORCH_REFERENCE[name]) {
        it('conv + dense MACs within 2% of torchvision', () => {
          const t = totals(analyze(doc));
          const ref = TORCH_REFERENCE[name]!;
          expect(Math.abs(t.convDenseMacs / ref.macs - 1)).toBeLessThanOrEqual(0.02);
          const pub = TORCHVISION_PUBLISHED[name];
          if (pub) expect(Math.abs(t.convDenseMacs / (pub.gmacs * 1e9) - 1)).toBeLessThanOrEqual(0.02);
        });
      }

      // One compiled model per template, shared by the tfjs and ONNX tests below.
      let compiled: CompiledModel | undefined;
      const getCompiled = (): CompiledModel =>
        // ImageNet-size: tfjs' random initialisers take ~30 s for VGG's 140 M weights on the CPU
        // backend; counts and shapes do not depend on the values, so they start from zeros and the
        // ONNX test seeds them (seedWeights) before comparing.
        (compiled ??= compile(doc, IMAGENET_SIZE.has(name) ? { kernelInitializer: 'zeros' } : {}));
      afterAll(() => compiled?.model.dispose());

      it(IMAGENET_SIZE.has(name) ? 'compiles to tfjs with the same counts' : 'compiles to tfjs with the same counts and runs a forward pass', () => {
        const expected = EXPECTED_TRAINABLE[name]!;
        const a = analyze(doc);
        const c = getCompiled();
        expect(countWeights(c.model.trainableWeights)).toBe(expected);
        expect(c.model.countParams()).toBe(expected + totals(a).nonTrainable);
        const outShapes = c.analysis.outputs.map((o) => c.analysis.nodes.get(o.node)!.outputShapes![o.port]!);
        expect(c.model.outputs.map((o) => o.shape)).toEqual(outShapes);
        if (IMAGENET_SIZE.has(name)) return;
        const inShapes = c.analysis.inputs.map((id) => c.analysis.nodes.get(id)!.outputShapes!.out!);
        const inTypes = c.analysis.inputs.map((id) => c.analysis.nodes.get(id)!.outputDtypes!.out as 'float32' | 'int32');
        // Token ids stay below the smallest vocabulary of the graph's Embeddings.
        const vocab = Math.min(...[...c.analysis.nodes.values()].filter((n) => n.type === 'Embedding').map((n) => n.params.inputDim as number), 10);
        const xs = randomInputs(inShapes, inTypes, vocab, 1);
        const ys = tf.tidy(() => {
          const out = c.model.predict(xs.length === 1 ? xs[0]! : xs);
          return (Array.isArray(out) ? out : [out]).map((y) => ({ shape: y.shape, finite: y.isFinite().all().dataSync()[0], sums: y.sum(-1).dataSync() }));
        });
        xs.forEach((x) => x.dispose());
        ys.forEach((y, k) => {
          expect(y.shape).toEqual(concreteShape(outShapes[k]!));
          expect(y.finite).toBe(1);
        });
        // Classifier heads end in a softmax: each output row sums to 1.
        const last = doc.nodes[doc.nodes.length - 1]!;
        if (last.params?.activation === 'softmax') for (const s of ys[0]!.sums) expect(s).toBeCloseTo(1, 4);
      });

      if (ONNX_PARITY.has(name)) {
        it('exports to ONNX and matches tfjs in onnxruntime within 1e-4', async () => {
          const c = getCompiled();
          // Every weight seeded (biases, BatchNorm statistics too), so a dropped or misplaced one shows.
          seedWeights(c, 7, 'parity');
          const r = await compiledParity(c, {
            ort,
            seed: 3,
            batch: IMAGENET_SIZE.has(name) ? 1 : 2,
            exportOptions: { graph: doc },
            onModel: (bytes) => {
              const f = join(onnxDir, `${name}.onnx`);
              writeFileSync(f, bytes);
              savedOnnx.push(f);
            },
          });
          expect(r.outputs.length).toBe(c.analysis.outputs.length);
          for (const o of r.outputs) {
            expect(o.tfjsShape, `output ${o.name}: onnxruntime shape ${JSON.stringify(o.shape)} differs from tfjs'`).toBeUndefined();
            expect(o.maxAbsDiff, `output ${o.name}: max |tfjs − onnxruntime|`).toBeLessThanOrEqual(1e-4);
          }
        });
      }

      if (!IMAGENET_SIZE.has(name)) {
        it('takes a training step with its recommended loss and optimizer (finite loss)', async () => {
          const c = getCompiled();
          const t = doc.training;
          const optimizer =
            t.optimizer === 'sgd' ? tf.train.momentum(t.learningRate, (t.momentum as number | undefined) ?? 0) : t.optimizer === 'adam' ? tf.train.adam(t.learningRate) : tf.train.rmsprop(t.learningRate);
          c.model.compile({ optimizer, loss: t.loss });
          // Two examples, one step: enough to show the loss and the optimizer fit the outputs and
          // gradients flow (tfjs' CPU conv backprop is slow, so no more than that here).
          const batch = 2;
          const inShapes = c.analysis.inputs.map((id) => concreteShape(c.analysis.nodes.get(id)!.outputShapes!.out!, batch));
          const inTypes = c.analysis.inputs.map((id) => c.analysis.nodes.get(id)!.outputDtypes!.out as 'float32' | 'int32');
          const vocab = Math.min(...[...c.analysis.nodes.values()].filter((n) => n.type === 'Embedding').map((n) => n.params.inputDim as number), 10);
          const r = rng(11);
          // Images in [0, 1] (as the bundled data), token ids below the vocabulary.
          const xs = inShapes.map((sh, i) =>
            inTypes[i] === 'int32' ? tf.tensor(Int32Array.from({ length: sh.reduce((a, b) => a * b, 1) }, () => Math.floor(r() * vocab)), sh, 'int32') : tf.tensor(Float32Array.from({ length: sh.reduce((a, b) => a * b, 1) }, r), sh),
          );
          const ys = c.analysis.outputs.map((o) => {
            const sh = concreteShape(c.analysis.nodes.get(o.node)!.outputShapes![o.port]!, batch);
            const n = sh.reduce((a, b) => a * b, 1);
            if (t.target === 'input') return xs[0]!.clone();
            if (t.loss === 'sparseCategoricalCrossentropy') {
              // tfjs feeds sparse labels as [..., 1]: one class index per output row.
              const classes = sh[sh.length - 1]!;
              return tf.tensor(Float32Array.from({ length: n / classes }, () => Math.floor(r() * classes)), [...sh.slice(0, -1), 1]);
            }
            return tf.tensor(Float32Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1)), sh);
          });
          try {
            const h = await c.model.fit(xs.length === 1 ? xs[0]! : xs, ys.length === 1 ? ys[0]! : ys, { epochs: 1, batchSize: batch, verbose: 0 });
            const losses = h.history.loss as number[];
            expect(losses.length).toBe(1);
            for (const l of losses) expect(Number.isFinite(l), `loss ${l}`).toBe(true);
          } finally {
            [...xs, ...ys].forEach((x) => x.dispose());
          }
        });
      }
    });
  }

  describe('ONNX checker over the exported templates', () => {
    afterAll(() => rmSync(onnxDir, { recursive: true, force: true }));
    it('onnx.checker.check_model(full_check=True) accepts every exported template', () => {
      const r = checkModelsWithPython(savedOnnx, { spawnSync });
      if (r.status === 'no-python-onnx') {
        // As in blocks/onnx.contract.test.ts: python3-onnx is required (.ci/run installs it).
        expect.unreachable(`${r.message} — python3-onnx is missing: apt-get install -y python3-onnx (bash .ci/run installs it)`);
        return;
      }
      expect(r.failures, r.failures.map((f) => `${f.file}: ${f.error}`).join('\n')).toEqual([]);
      expect(r.checked).toBe(savedOnnx.length);
      expect(savedOnnx.length).toBe(parity.length);
    });
  });
}
