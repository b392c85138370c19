// Import, proven on models no one here wrote: torchvision's ResNet-18, VGG-11 and AlexNet and
// small PyTorch LSTM / CNN models are exported to ONNX by Debian's python3-torch (one python
// process, src/import/torch_models.py), imported, compiled to tfjs, given the imported weights,
// and compared with onnxruntime on the original file (NCHW there, NHWC here): max |diff| ≤ 1e-4.
// Also: our own ONNX exports and tfjs saves reopen exactly, foreign tfjs layers models import
// with their weights, and the import CLI's exit codes and messages.
//
// Needs /usr/bin/python3 with torch + torchvision (apt: python3-torch python3-torchvision, which
// .ci/run installs); without them these tests fail, they are never skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { exportOnnx } from '../onnx/export';
import { onnxReader } from '../onnx/read';
import { saveModel } from '../train/weights';
import { importCommand } from '../cli/commands/import';
import { applyWeights, importFile, importOnnx, importTfjs, type ImportResult } from './index';
import { GRUResetAfter } from '../core/layers/gruResetAfter';
import { inputData } from './nnCheck';

const PY = '/usr/bin/python3';
const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'nb-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const torchCheck = spawnSync(PY, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
const hasTorch = torchCheck.status === 0;

const TORCH_MODELS = ['resnet18', 'vgg11', 'alexnet', 'lstm', 'gru', 'bigru', 'bigru_last', 'mixed', 'cumsum'];
const inputs: Record<string, number[]> = {};

beforeAll(() => {
  if (!hasTorch) throw new Error(`these tests need ${PY} with torch and torchvision (apt install python3-torch python3-torchvision; bash .ci/run installs them): ${torchCheck.stderr || torchCheck.error}`);
  const r = spawnSync(PY, [new URL('./torch_models.py', import.meta.url).pathname, dir, '13', ...TORCH_MODELS], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`torch export failed: ${r.stderr}`);
  for (const line of r.stdout.trim().split('\n')) {
    const j = JSON.parse(line) as { name: string; input: number[] };
    inputs[j.name] = j.input;
  }
}, 300_000);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Imports a torch-exported file, runs both sides on one input, returns the max |diff|. */
async function parityOf(name: string): Promise<{ diff: number; result: ImportResult; refMax: number; ms: Record<string, number> }> {
  const file = join(dir, `${name}.onnx`);
  const bytes = new Uint8Array(readFileSync(file));
  const ms: Record<string, number> = {};
  let t = Date.now();
  const result = importOnnx(bytes, reader, { source: `${name}.onnx` });
  ms.import = Date.now() - t;
  expect(result.report.source).toBe('foreign');
  t = Date.now();
  // Zero initial weights: cheaper than random ones for 130M parameters, and all are replaced.
  const c = compile(result.doc, { kernelInitializer: 'zeros' });
  applyWeights(c.model, result.weights);
  ms.compile = Date.now() - t;
  const shape = inputs[name]!;
  const x = inputData(shape.reduce((p, q) => p * q, 1), 7);
  const sess = await ort.InferenceSession.create(bytes);
  const ref = (await sess.run({ [sess.inputNames[0]!]: new ort.Tensor('float32', x, shape) }))[sess.outputNames[0]!]!.data as Float32Array;
  await sess.release();
  t = Date.now();
  const y = tf.tidy(() => {
    let xt = tf.tensor(x, shape);
    if (shape.length === 4) xt = xt.transpose([0, 2, 3, 1]); // NCHW → NHWC
    return (c.model.predict(xt) as tf.Tensor).dataSync().slice();
  });
  ms.forward = Date.now() - t;
  c.model.dispose();
  const diff = maxAbsDiff(ref, y);
  const refMax = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  console.log(`import ${name}: max |diff| ${diff.toExponential(2)} (outputs up to ${refMax.toFixed(3)}); ms ${JSON.stringify(ms)}`);
  return { diff, result, refMax, ms };
}

const count = (doc: GraphDoc, type: string) => doc.nodes.filter((n) => n.type === type).length;
const torchIt = it; // torch is required (.ci/run installs it): a missing torch fails these tests

describe('ONNX import of PyTorch models (torch.onnx.export, onnxruntime reference)', () => {
  torchIt('ResNet-18 (224×224): residual adds, strided 1×1 downsampling, global pooling', async () => {
    const { diff, result, refMax } = await parityOf('resnet18');
    expect(refMax).toBeGreaterThan(0.1);
    expect(diff).toBeLessThanOrEqual(1e-4);
    const d = result.doc;
    expect(count(d, 'Conv2D')).toBe(20);
    expect(count(d, 'Add')).toBe(8);
    expect(count(d, 'GlobalAveragePooling2D')).toBe(1);
    expect(count(d, 'Dense')).toBe(1);
    expect(d.nodes[0]).toMatchObject({ type: 'Input', params: { shape: [224, 224, 3] } });
    expect(result.report.notes.join(' ')).toMatch(/NHWC/);
  }, 300_000);

  torchIt('AlexNet (224×224): explicit pads, NCHW flatten order before the classifier', async () => {
    const { diff, result, refMax } = await parityOf('alexnet');
    expect(refMax).toBeGreaterThan(1e-3);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(diff / refMax).toBeLessThan(1e-4);
    const d = result.doc;
    expect(count(d, 'Conv2D')).toBe(5);
    expect(count(d, 'Dense')).toBe(3);
    // The Flatten reads the conv stack in PyTorch's (C, H, W) order.
    const flat = d.nodes.find((n) => n.type === 'Flatten')!;
    const before = d.edges.find((e) => e.target === flat.id)!;
    expect(d.nodes.find((n) => n.id === before.source)).toMatchObject({ type: 'Permute', params: { dims: [3, 1, 2] } });
  }, 300_000);

  // VGG-11's tfjs CPU forward at 224×224 takes minutes; smaller inputs would make torchvision's
  // AdaptiveAvgPool(7×7) a non-identity that torch cannot export, so 224 stays.
  torchIt('VGG-11 (224×224)', async () => {
    const { diff, result, refMax } = await parityOf('vgg11');
    expect(refMax).toBeGreaterThan(1e-3);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(count(result.doc, 'Conv2D')).toBe(8);
    expect(count(result.doc, 'MaxPooling2D')).toBe(5);
  }, 900_000);

  torchIt('nn.LSTM (batch_first) + Linear on the last step', async () => {
    const { diff, result, refMax } = await parityOf('lstm');
    expect(refMax).toBeGreaterThan(0.01);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(result.doc.nodes.map((n) => n.type)).toEqual(['Input', 'LSTM', 'Dense']);
    expect(result.doc.nodes[1]!.params).toMatchObject({ units: 16, returnSequences: false });
  }, 120_000);

  torchIt('a CNN with unfused BatchNorm, depthwise conv, padded pools, concat, sigmoid and flatten', async () => {
    const { diff, result, refMax } = await parityOf('mixed');
    expect(refMax).toBeGreaterThan(0.01);
    expect(diff).toBeLessThanOrEqual(1e-4);
    for (const t of ['BatchNormalization', 'DepthwiseConv2D', 'LeakyReLU', 'Concatenate', 'AveragePooling2D', 'Permute']) expect(count(result.doc, t)).toBeGreaterThan(0);
  }, 120_000);

  torchIt('nn.GRU (batch_first, linear_before_reset 1) + Linear on the last step → GRU with resetAfter', async () => {
    const { diff, result, refMax } = await parityOf('gru');
    expect(refMax).toBeGreaterThan(0.01);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(result.doc.nodes.map((n) => n.type)).toEqual(['Input', 'GRU', 'Dense']);
    expect(result.doc.nodes[1]!.params).toMatchObject({ units: 8, resetAfter: true, returnSequences: false });
    // Input and recurrent biases stay apart: [2, 3·units].
    expect(Object.entries(result.weights).find(([k]) => k.endsWith('/bias') && k.includes('GRU'))![1].shape).toEqual([2, 24]);
  }, 120_000);

  torchIt('bidirectional nn.GRU: its output sequence and both final states → Bidirectional(GRU, resetAfter)', async () => {
    const { diff, result, refMax } = await parityOf('bigru');
    expect(refMax).toBeGreaterThan(0.01);
    expect(diff).toBeLessThanOrEqual(1e-4);
    const bi = result.doc.nodes.find((n) => n.type === 'Bidirectional')!;
    expect(bi.params).toMatchObject({ layer: 'GRU', units: 5, resetAfter: true, mergeMode: 'concat', returnSequences: true, returnState: true });
    // h_n[0] and h_n[1] come from the forward and backward state ports.
    const fromBi = result.doc.edges.filter((e) => e.source === bi.id).map((e) => e.sourceHandle ?? 'out').sort();
    expect(fromBi).toEqual(['h', 'hBack', 'out']);
    expect(count(result.doc, 'GlobalAveragePooling1D')).toBe(1);
    expect(count(result.doc, 'Concatenate')).toBe(1);
  }, 120_000);

  torchIt('the last step of a bidirectional output (y[:, -1]) is read as the last step of the output sequence', async () => {
    // Its backward half is the backward direction's first output, which no state port gives;
    // the step is picked from the output sequence instead, which holds it.
    const { diff, result, refMax } = await parityOf('bigru_last');
    expect(refMax).toBeGreaterThan(0.01);
    expect(diff).toBeLessThanOrEqual(1e-4);
    const bi = result.doc.nodes.find((n) => n.type === 'Bidirectional')!;
    expect(bi.params).toMatchObject({ layer: 'GRU', units: 4, returnSequences: true });
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// Our own files reopen exactly
// ---------------------------------------------------------------------------------------------

const ownGraph: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'own',
  nodes: [
    { id: 'img', type: 'Input', params: { shape: [12, 10, 3] } },
    { id: 'c1', type: 'Conv2D', params: { filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' } },
    { id: 'bn', type: 'BatchNormalization', params: {} },
    { id: 'r', type: 'Reshape', params: { targetShape: [6, 20] } },
    { id: 'lstm', type: 'LSTM', params: { units: 5, returnSequences: true } },
    { id: 'gru', type: 'GRU', params: { units: 3, resetAfter: true } },
    { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } },
  ],
  edges: [
    { source: 'img', target: 'c1' },
    { source: 'c1', target: 'bn' },
    { source: 'bn', target: 'r' },
    { source: 'r', target: 'lstm' },
    { source: 'lstm', target: 'gru' },
    { source: 'gru', target: 'out' },
  ],
};

/** Distinct non-trivial weights everywhere (BatchNorm variances kept positive). */
function randomizeAll(model: tf.LayersModel): void {
  let k = 3;
  model.setWeights(
    model.weights.map((w) => {
      const shape = w.shape as number[];
      return tf.tensor(inputData(shape.reduce((p, q) => p * q, 1), k++).map((v) => (w.name.includes('variance') ? 1 + Math.abs(v) : v)), shape);
    }),
  );
}

describe('reopening our own exports', () => {
  it('ONNX: the graph comes back from metadata_props and the weights bit for bit', async () => {
    const c = compile(ownGraph);
    randomizeAll(c.model);
    const bytes = exportOnnx(c, { graph: ownGraph });
    const r = importOnnx(bytes, reader, { source: 'own.onnx' });
    expect(r.report.source).toBe('neural-blocks');
    expect(r.doc).toEqual(ownGraph);
    const names = c.model.weights.map((w) => w.originalName).sort();
    expect(Object.keys(r.weights).sort()).toEqual(names);
    for (const w of c.model.weights) expect(Array.from(r.weights[w.originalName]!.data)).toEqual(Array.from(w.read().dataSync()));
    // And through importFile (the canvas' entry point: the proto text comes from Vite's ?raw
    // import), which also detects the kind by content.
    const viaFile = await importFile('model.bin', bytes);
    expect(viaFile.doc).toEqual(ownGraph);
    c.model.dispose();
  });

  it('ONNX without the stored graph: our exporter\'s Transposes fold away and the outputs match', () => {
    const cnn: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      name: 'cnn',
      nodes: [
        { id: 'img', type: 'Input', params: { shape: [9, 8, 2] } },
        { id: 'c1', type: 'Conv2D', params: { filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' } },
        { id: 'p', type: 'MaxPooling2D', params: { poolSize: 2, padding: 'same' } },
        { id: 'f', type: 'Flatten', params: {} },
        { id: 'd', type: 'Dense', params: { units: 3, activation: 'tanh' } },
      ],
      edges: [
        { source: 'img', target: 'c1' },
        { source: 'c1', target: 'p' },
        { source: 'p', target: 'f' },
        { source: 'f', target: 'd' },
      ],
    };
    const c = compile(cnn);
    randomizeAll(c.model);
    const r = importOnnx(exportOnnx(c, { graph: cnn }), reader, { ignoreMetadata: true });
    expect(r.report.source).toBe('foreign');
    expect(r.doc.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
    const c2 = compile(r.doc);
    applyWeights(c2.model, r.weights);
    const x = tf.tensor(inputData(2 * 9 * 8 * 2, 9), [2, 9, 8, 2]);
    expect(maxAbsDiff((c.model.predict(x) as tf.Tensor).dataSync(), (c2.model.predict(x) as tf.Tensor).dataSync())).toBeLessThanOrEqual(1e-6);
    c.model.dispose();
    c2.model.dispose();
  });

  // Our exporter's ONNX, read op by op: covers Embedding (Gather), GRU with
  // linear_before_reset 0 and 1 (resetAfter), LayerNormalization, DepthwiseConv2D, Pad and ReduceMax.
  const chain = (name: string, nodes: GraphDoc['nodes']): GraphDoc => ({
    format: 'neural-blocks.graph',
    version: 1,
    name,
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id })),
  });
  it.each([
    chain('emb', [
      { id: 'tok', type: 'Input', params: { shape: [5], dtype: 'int32' } },
      { id: 'e', type: 'Embedding', params: { inputDim: 9, outputDim: 4 } },
      { id: 'l', type: 'LSTM', params: { units: 3 } },
      { id: 'd', type: 'Dense', params: { units: 2 } },
    ]),
    chain('gru', [
      { id: 'x', type: 'Input', params: { shape: [5, 3] } },
      { id: 'g', type: 'GRU', params: { units: 4, returnSequences: true } },
      { id: 'ln', type: 'LayerNormalization', params: {} },
      { id: 'g2', type: 'GRU', params: { units: 2 } },
    ]),
    chain('gru-reset-after', [
      { id: 'x', type: 'Input', params: { shape: [5, 3] } },
      { id: 'g', type: 'GRU', params: { units: 4, resetAfter: true, returnSequences: true } },
      { id: 'g2', type: 'GRU', params: { units: 2, resetAfter: true } },
    ]),
    chain('dw', [
      { id: 'x', type: 'Input', params: { shape: [8, 8, 3] } },
      { id: 'dw', type: 'DepthwiseConv2D', params: { depthMultiplier: 2, padding: 'same' } },
      { id: 'z', type: 'ZeroPadding2D', params: { padding: [[1, 0], [0, 2]] } },
      { id: 'a', type: 'AveragePooling2D', params: { poolSize: 2 } },
      { id: 'g', type: 'GlobalMaxPooling2D', params: {} },
      { id: 's', type: 'Softmax', params: {} },
    ]),
  ])('ONNX op by op: $name', (g) => {
    const c = compile(g);
    randomizeAll(c.model);
    const r = importOnnx(exportOnnx(c, { graph: g }), reader, { ignoreMetadata: true });
    expect(r.doc.nodes.map((n) => n.type)).toEqual(g.nodes.map((n) => n.type));
    const c2 = compile(r.doc);
    applyWeights(c2.model, r.weights);
    const p = g.nodes[0]!.params as { shape: number[]; dtype?: string };
    const shape = [2, ...p.shape];
    const n = shape.reduce((q, v) => q * v, 1);
    const x = p.dtype === 'int32' ? tf.tensor(Array.from({ length: n }, (_, i) => (i * 5) % 9), shape, 'int32') : tf.tensor(inputData(n, 11), shape);
    expect(maxAbsDiff((c.model.predict(x) as tf.Tensor).dataSync(), (c2.model.predict(x) as tf.Tensor).dataSync())).toBeLessThanOrEqual(1e-6);
    c.model.dispose();
    c2.model.dispose();
  });

  it('tfjs: saveModel output reopens with its graph and weights', async () => {
    const c = compile(ownGraph);
    randomizeAll(c.model);
    const saved = await saveModel(c.model, ownGraph);
    const r = importTfjs(saved.modelJson, new Uint8Array(saved.weights));
    expect(r.report.source).toBe('neural-blocks');
    expect(r.doc).toEqual(ownGraph);
    const c2 = compile(r.doc);
    applyWeights(c2.model, r.weights);
    const x = tf.tensor(inputData(2 * 12 * 10 * 3, 5), [2, 12, 10, 3]);
    expect(maxAbsDiff((c.model.predict(x) as tf.Tensor).dataSync(), (c2.model.predict(x) as tf.Tensor).dataSync())).toBe(0);
    c.model.dispose();
    c2.model.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Foreign tfjs layers models (built with tfjs here, saved through a save handler)
// ---------------------------------------------------------------------------------------------

async function save(model: tf.LayersModel): Promise<{ json: Record<string, unknown>; bin: Uint8Array }> {
  let out: { json: Record<string, unknown>; bin: Uint8Array } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out = {
        json: { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] },
        bin: new Uint8Array(tf.io.concatenateArrayBuffers(a.weightData ?? new ArrayBuffer(0))),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

async function tfjsParity(model: tf.LayersModel, x: tf.Tensor): Promise<ImportResult> {
  randomizeAll(model);
  const { json, bin } = await save(model);
  const r = importTfjs(json, bin, 'model.json');
  expect(r.report.source).toBe('foreign');
  const c = compile(r.doc);
  applyWeights(c.model, r.weights);
  const diff = maxAbsDiff((model.predict(x) as tf.Tensor).dataSync(), (c.model.predict(x) as tf.Tensor).dataSync());
  expect(diff).toBeLessThanOrEqual(1e-6);
  c.model.dispose();
  return r;
}

describe('tfjs layers-model import', () => {
  it('a Sequential CNN', async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [10, 9, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const r = await tfjsParity(m, tf.tensor(inputData(2 * 10 * 9 * 2, 2), [2, 10, 9, 2]));
    expect(r.doc.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'BatchNormalization', 'MaxPooling2D', 'Flatten', 'Dropout', 'Dense']);
  });

  it('a functional model with Add and Concatenate', async () => {
    const inp = tf.input({ shape: [8] });
    const a = tf.layers.dense({ units: 6, activation: 'tanh' }).apply(inp) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 6 }).apply(inp) as tf.SymbolicTensor;
    const s = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([s, inp]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(cat) as tf.SymbolicTensor;
    const r = await tfjsParity(tf.model({ inputs: inp, outputs: out }), tf.tensor(inputData(3 * 8, 4), [3, 8]));
    const concat = r.doc.nodes.find((n) => n.type === 'Concatenate')!;
    expect(r.doc.edges.filter((e) => e.target === concat.id).map((e) => e.targetHandle)).toEqual(['in0', 'in1']);
  });

  it('an LSTM sequence model', async () => {
    const m = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [6, 3], units: 5, returnSequences: true }), tf.layers.lstm({ units: 4 }), tf.layers.dense({ units: 2 })] });
    const r = await tfjsParity(m, tf.tensor(inputData(2 * 6 * 3, 6), [2, 6, 3]));
    expect(r.doc.nodes.map((n) => n.type)).toEqual(['Input', 'LSTM', 'LSTM', 'Dense']);
  });

  it('a GRU with resetAfter (saved as GRUResetAfter) comes back as a GRU block with resetAfter', async () => {
    const m = tf.sequential({ layers: [new GRUResetAfter({ inputShape: [5, 3], units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }), tf.layers.gru({ units: 2, recurrentActivation: 'sigmoid' })] });
    const r = await tfjsParity(m, tf.tensor(inputData(2 * 5 * 3, 6), [2, 5, 3]));
    expect(r.doc.nodes.map((n) => n.type)).toEqual(['Input', 'GRU', 'GRU']);
    expect(r.doc.nodes[1]!.params).toMatchObject({ units: 4, resetAfter: true, returnSequences: true });
    // tfjs' own GRU says resetAfter: false in its config.
    expect(r.doc.nodes[2]!.params?.resetAfter ?? false).toBe(false);
  });

  it('refuses a layer with no block, naming it', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.thresholdedReLU({ theta: 0.5 })] });
    const { json, bin } = await save(m);
    expect(() => importTfjs(json, bin)).toThrow(/ThresholdedReLU.*no block for tfjs layer class ThresholdedReLU/);
  });
});

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('neural-blocks import', () => {
  torchIt('imports an ONNX file to a graph and weights that export reads back', async () => {
    const out = join(dir, 'lstm.json');
    const t = io();
    expect(await importCommand.run([join(dir, 'lstm.onnx'), '-o', out, '--weights-out', join(dir, 'lstm-w')], t.io)).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as GraphDoc;
    expect(doc.nodes.map((n) => n.type)).toEqual(['Input', 'LSTM', 'Dense']);
    expect(existsSync(join(dir, 'lstm-w', 'weights.bin'))).toBe(true);
    const mj = JSON.parse(readFileSync(join(dir, 'lstm-w', 'model.json'), 'utf8')) as { weightsManifest: { weights: { name: string }[] }[] };
    expect(mj.weightsManifest[0]!.weights.map((w) => w.name).sort()).toEqual(['head_Gemm/bias', 'head_Gemm/kernel', 'lstm_LSTM/bias', 'lstm_LSTM/kernel', 'lstm_LSTM/recurrent_kernel']);
  });

  torchIt('exits 1 listing every blocker in one run, grouped by op with counts and node names', async () => {
    const t = io();
    expect(await importCommand.run([join(dir, 'cumsum.onnx'), '-o', join(dir, 'cumsum.json')], t.io)).toBe(1);
    const err = t.err.join('\n');
    expect(err).toMatch(/cumsum\.onnx cannot be imported: 6 nodes \(2 kinds of op\)/);
    expect(err).toMatch(/^ *CumSum ×5: no block for ONNX op CumSum$/m);
    expect(err).toMatch(/^ *nodes: "\/CumSum", "\/CumSum_1", "\/CumSum_2" and 2 more$/m);
    expect(err).toMatch(/^ *Erf ×1: /m);
    expect(err).toMatch(/would cover it: GELU is mapped when written as torch exports it/);
    expect(existsSync(join(dir, 'cumsum.json'))).toBe(false);
  });

  it('exits 2 with one line for a file that is not a model', async () => {
    const bad = join(dir, 'junk.onnx');
    writeFileSync(bad, 'this is not protobuf at all');
    const t = io();
    expect(await importCommand.run([bad, '-o', join(dir, 'junk.json')], t.io)).toBe(2);
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toMatch(/^neural-blocks: .*junk\.onnx is not (a readable )?(an )?ONNX model/);
    const t2 = io();
    expect(await importCommand.run([join(dir, 'missing.onnx')], t2.io)).toBe(2);
    expect(t2.err[0]).toMatch(/no such file/);
  });

  it('reads a model.json with the weights.bin beside it', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' })] });
    const { json, bin } = await save(m);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'weights.bin'), bin);
    const t = io();
    expect(await importCommand.run([join(dir, 'model.json'), '-o', join(dir, 'tfjs.json')], t.io)).toBe(0);
    expect((JSON.parse(readFileSync(join(dir, 'tfjs.json'), 'utf8')) as GraphDoc).nodes.map((n) => n.type)).toEqual(['Input', 'Dense']);
  });
});
