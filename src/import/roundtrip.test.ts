// Round trip of our own ONNX exports WITHOUT the stored graph: each small template is compiled
// with seeded random weights (biases and statistics too), exported with no metadata_props at all
// (so the importer cannot reopen the graph and must read the file op by op, as any foreign
// file), imported, checked (it validates, has the template's weighted blocks and trainable
// parameters — macros flatten, Dropout and other inference identities vanish, a Dense's softmax
// may become its own Softmax block) and run against the original tfjs model: max |diff| ≤ 1e-4.
//
// The ImageNet-size templates import the same way but compiling and running them twice takes
// minutes each on the CPU backend; those with Keras-style squeeze-excitation (a ReduceMean over
// [1, 2] that keeps its dims → GlobalAveragePooling2D keepDims) run here on a 64×64 input: the
// same blocks and parameters, a smaller image. The VAE's Sampling (an Identity of the mean in the
// file) comes back as the block from its doc_string, with its log-variance Dense
// (samplingImport.test.ts: what happens when that doc_string does not hold up).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import { parseGraphText, type GraphDoc } from '../core/graph';
import { analyze } from '../core/infer';
import { GRAPH_METADATA_KEY, exportOnnx } from '../onnx/export';
import { parityInputs } from '../onnx/parity';
import { decodeModel, onnxReader } from '../onnx/read';
import { seedWeights } from '../onnx/seedWeights';
import { applyWeights, importOnnx } from './index';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const template = (name: string): GraphDoc => parseGraphText(readFileSync(new URL(`../../templates/${name}.json`, import.meta.url), 'utf8'), `${name}.json`);

/** Small templates that re-import op by op. */
const ROUND_TRIP = [
  'transformer-classifier',
  'bert-finetune',
  'bert-pretrain',
  'vit-mini',
  'char-lstm',
  'mlp',
  'lenet5',
  'alexnet-mini',
  'vgg-mini',
  'resnet-mini',
  'autoencoder',
  'denoising-autoencoder',
  'spirals',
  'xor',
  'xor-linear',
  'seq2seq-attention',
  'char-rnn',
  'seq2seq-bahdanau',
  'mobilenet-mini',
];
/** ImageNet-size templates with Keras-style squeeze-excitation, run at 64×64. */
const SE_FULL_SIZE = ['mobilenet-v3-small', 'mobilenet-v3-large', 'efficientnet-b0', 'regnet-y-400mf'];
/** Blocks that carry weights or structure and must come back one for one. */
const KEPT = [
  'Dense', 'MultiHeadAttention', 'AdditiveAttention', 'LayerNormalization', 'Embedding', 'PositionalEmbedding', 'ClassToken', 'LSTM', 'GRU',
  'BatchNormalization', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'MaxPooling2D', 'Add', 'Multiply', 'Sampling',
];

const count = (types: string[], t: string) => types.filter((x) => x === t).length;
const trainable = (m: tf.LayersModel) => m.trainableWeights.reduce((s, w) => s + w.shape.reduce((p, q) => p! * q!, 1)!, 0);

/** Exports `g` with no stored graph; returns the bytes and the compiled original (caller disposes). */
function exportBare(g: GraphDoc) {
  const c = compile(g);
  seedWeights(c, 7, 'parity');
  const bytes = exportOnnx(c);
  const m = decodeModel(reader, bytes) as { metadata_props?: { key: string }[] };
  expect((m.metadata_props ?? []).some((p) => p.key === GRAPH_METADATA_KEY)).toBe(false);
  return { c, bytes };
}

describe('our ONNX exports re-imported op by op, without the stored graph', () => {
  it.each(ROUND_TRIP)('%s: validates, keeps its blocks and parameters, matches within 1e-4', (name) => {
    roundTrip(template(name));
  }, 120_000);

  it.each(SE_FULL_SIZE)('%s at 64×64: the SE pooling comes back as GlobalAveragePooling2D keepDims, matches within 1e-4', (name) => {
    const g = template(name);
    const input = g.nodes.find((n) => n.type === 'Input')!;
    input.params = { ...input.params, shape: [64, 64, 3] };
    const r = roundTrip(g);
    const kept = r.doc.nodes.filter((n) => n.type === 'GlobalAveragePooling2D' && n.params?.keepDims === true);
    expect(kept.length).toBeGreaterThan(0);
  }, 240_000);

  // Attention options no template uses: a causal mask, a learned dot-product scale, a value size
  // and output size of their own.
  const selfAttention = (name: string, type: string, params: Record<string, unknown>): GraphDoc => ({
    format: 'neural-blocks.graph',
    version: 1,
    name,
    nodes: [
      { id: 'x', type: 'Input', params: { shape: [6, 8] } },
      { id: 'd', type: 'Dense', params: { units: 8, activation: 'tanh' } },
      { id: 'att', type, params },
      { id: 'head', type: 'Dense', params: { units: 3 } },
    ],
    edges: [
      { source: 'x', target: 'd' },
      { source: 'd', target: 'att', targetHandle: 'query' },
      { source: 'd', target: 'att', targetHandle: 'value' },
      { source: 'att', target: 'head' },
    ],
  });
  it.each([
    selfAttention('causal-dot', 'Attention', { useScale: true, useCausalMask: true }),
    selfAttention('causal-mha', 'MultiHeadAttention', { numHeads: 2, keyDim: 3, valueDim: 4, outputShape: 5, useCausalMask: true }),
    selfAttention('causal-additive-unscaled', 'AdditiveAttention', { useScale: false, useCausalMask: true }),
  ])('$name: the options come back', (g) => {
    const r = roundTrip(g);
    const p = g.nodes[2]!.params!;
    expect(r.doc.nodes[2]!.params).toEqual(p.numHeads ? { ...p, useBias: true } : p);
  });

  function roundTrip(g: GraphDoc) {
    const { c, bytes } = exportBare(g);
    const name = g.name;
    const r = importOnnx(bytes, reader, { source: `${name}.onnx` });
    expect(r.report.source).toBe('foreign');
    // Nothing of the file is left out (not even the VAE's log-variance branch, which no output reads).
    expect(r.report.notes.filter((n) => /not recovered/.test(n))).toEqual([]);
    const a = analyze(r.doc);
    expect(a.errors.map((e) => e.message)).toEqual([]);
    const flat = c.analysis.flat;
    const before = flat.order.map((id) => flat.nodes.get(id)!.type);
    const after = r.doc.nodes.map((n) => n.type);
    // Conv2D on a one-channel input may come back as the equal DepthwiseConv2D.
    expect(count(after, 'Conv2D') + count(after, 'DepthwiseConv2D')).toBe(count(before, 'Conv2D') + count(before, 'DepthwiseConv2D'));
    for (const t of KEPT) expect(count(after, t), `${t} blocks`).toBe(count(before, t));
    const c2 = compile(r.doc, { kernelInitializer: 'zeros' });
    try {
      applyWeights(c2.model, r.weights);
      expect(trainable(c2.model)).toBe(trainable(c.model));
      const feeds = parityInputs(c.analysis, 3, 2);
      const byId = new Map(feeds.map((f) => [f.name, tf.tensor(f.data, f.shape, f.dtype)]));
      const run = (m: tf.LayersModel, ids: string[]) => {
        const xs = ids.map((id) => byId.get(id)!);
        const y = m.predict(xs.length === 1 ? xs[0]! : xs);
        return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync().slice());
      };
      const want = run(c.model, c.analysis.inputs);
      const got = run(c2.model, c2.analysis.inputs);
      byId.forEach((t) => t.dispose());
      expect(got.length).toBe(want.length);
      let diff = 0;
      want.forEach((w, k) => {
        expect(got[k]!.length).toBe(w.length);
        for (let i = 0; i < w.length; i++) diff = Math.max(diff, Math.abs(w[i]! - got[k]![i]!));
      });
      expect(diff).toBeLessThanOrEqual(1e-4);
    } finally {
      c.model.dispose();
      c2.model.dispose();
    }
    return r;
  }

  // keepDims on every global pooling block (the SE gate's shape), 2-D and 1-D, mean and max.
  const keepDims = (type: string, shape: number[]): GraphDoc => ({
    format: 'neural-blocks.graph',
    version: 1,
    name: `${type}-keepDims`,
    nodes: [
      { id: 'x', type: 'Input', params: { shape } },
      { id: 'pool', type, params: { keepDims: true } },
      { id: 'head', type: 'Dense', params: { units: 3 } },
    ],
    edges: [
      { source: 'x', target: 'pool' },
      { source: 'pool', target: 'head' },
    ],
  });
  it.each([
    keepDims('GlobalAveragePooling2D', [5, 4, 6]),
    keepDims('GlobalMaxPooling2D', [5, 4, 6]),
    keepDims('GlobalAveragePooling1D', [7, 6]),
    keepDims('GlobalMaxPooling1D', [7, 6]),
  ])('$name: the pooling keeps its dims', (g) => {
    const r = roundTrip(g);
    expect(r.doc.nodes.filter((n) => n.type === g.nodes[1]!.type).map((n) => n.params)).toEqual([{ keepDims: true }]);
  });

  // The scale barely moves a softmax over 64 tanh features at 1e-4, so it is compared itself.
  it('additive attention: the per-feature scale comes back as the block\'s own weight', () => {
    const g = selfAttention('additive', 'AdditiveAttention', {});
    const { c, bytes } = exportBare(g);
    try {
      const r = importOnnx(bytes, reader, { source: 'additive.onnx' });
      const att = r.doc.nodes.find((n) => n.type === 'AdditiveAttention')!;
      expect(att.params).toEqual({});
      const want = c.model.getLayer('att').getWeights()[0]!.dataSync();
      expect(want.length).toBe(8);
      expect(Array.from(r.weights[`${att.id}/scale`]!.data)).toEqual(Array.from(want));
    } finally {
      c.model.dispose();
    }
  });

  // Sampling has no ONNX op: the file holds its mean (an Identity) and the log-variance Dense as
  // nodes no output reads; the Identity's doc_string names them, so the block comes back.
  it('vae: the Sampling block and its log-variance Dense come back from the doc_string, same structure, within 1e-4', () => {
    const g = template('vae');
    const r = roundTrip(g);
    const types = r.doc.nodes.map((n) => n.type);
    expect(count(types, 'Dense')).toBe(5);
    expect(count(types, 'Sampling')).toBe(1);
    const z = r.doc.nodes.find((n) => n.type === 'Sampling')!;
    expect(z.params).toEqual({ klWeight: 1 / 784 });
    expect(z.params!.klWeight).toBe(g.nodes.find((n) => n.id === 'z')!.params!.klWeight);
    // Each port is fed by the Dense holding that head's weights (seeded, so all different).
    const { c } = exportBare(g);
    try {
      for (const [port, head] of [['mean', 'z_mean'], ['logVar', 'z_log_var']] as const) {
        const edges = r.doc.edges.filter((e) => e.target === z.id && e.targetHandle === port);
        expect(edges.length, port).toBe(1);
        const src = r.doc.nodes.find((n) => n.id === edges[0]!.source)!;
        expect(src.type).toBe('Dense');
        const [kernel, bias] = c.model.getLayer(head).getWeights();
        expect(Array.from(r.weights[`${src.id}/kernel`]!.data), `${port} kernel`).toEqual(Array.from(kernel!.dataSync()));
        expect(Array.from(r.weights[`${src.id}/bias`]!.data), `${port} bias`).toEqual(Array.from(bias!.dataSync()));
      }
    } finally {
      c.model.dispose();
    }
    expect(r.report.notes).toEqual([]);
  });

  // Sampling elsewhere: both ports fed by one Dense, and on feature maps between convolutions.
  const sampling = (name: string, nodes: GraphDoc['nodes'], edges: GraphDoc['edges']): GraphDoc => ({ format: 'neural-blocks.graph', version: 1, name, nodes, edges });
  it.each([
    sampling(
      'one head for mean and logVar',
      [
        { id: 'x', type: 'Input', params: { shape: [6] } },
        { id: 'h', type: 'Dense', params: { units: 3 } },
        { id: 'z', type: 'Sampling', params: { klWeight: 0.5 } },
        { id: 'y', type: 'Dense', params: { units: 2 } },
      ],
      [
        { source: 'x', target: 'h' },
        { source: 'h', target: 'z', targetHandle: 'mean' },
        { source: 'h', target: 'z', targetHandle: 'logVar' },
        { source: 'z', target: 'y' },
      ],
    ),
    sampling(
      'conv heads',
      [
        { id: 'x', type: 'Input', params: { shape: [6, 6, 2] } },
        { id: 'm', type: 'Conv2D', params: { filters: 3, kernelSize: 3, padding: 'same' } },
        { id: 'v', type: 'Conv2D', params: { filters: 3, kernelSize: 3, padding: 'same' } },
        { id: 'z', type: 'Sampling', params: { klWeight: 2 } },
        { id: 'y', type: 'Conv2D', params: { filters: 1, kernelSize: 3, strides: 2 } },
      ],
      [
        { source: 'x', target: 'm' },
        { source: 'x', target: 'v' },
        { source: 'm', target: 'z', targetHandle: 'mean' },
        { source: 'v', target: 'z', targetHandle: 'logVar' },
        { source: 'z', target: 'y' },
      ],
    ),
  ])('Sampling with $name comes back with both inputs', (g) => {
    const r = roundTrip(g);
    const z = r.doc.nodes.find((n) => n.type === 'Sampling')!;
    expect(z.params).toEqual(g.nodes.find((n) => n.type === 'Sampling')!.params);
    expect(r.doc.edges.filter((e) => e.target === z.id).map((e) => e.targetHandle).sort()).toEqual(['logVar', 'mean']);
    expect(r.report.notes.filter((n) => /Sampling/.test(n))).toEqual([]);
  });

  it("vae: the exported Sampling node is an Identity of the mean whose doc_string names the log-variance tensor and klWeight", () => {
    const { c, bytes } = exportBare(template('vae'));
    c.model.dispose();
    const m = decodeModel(reader, bytes) as { graph: { node: { name: string; op_type: string; input: string[]; doc_string?: string }[] } };
    const z = m.graph.node.filter((n) => n.doc_string);
    expect(z.map((n) => [n.name, n.op_type, n.input])).toEqual([['z/Sampling', 'Identity', ['z_mean/add']]]);
    expect(z[0]!.doc_string).toBe('Neural Blocks Sampling (inference: the mean); log-variance: z_log_var/add; klWeight: 0.0012755102040816326');
    expect(m.graph.node.map((n) => n.name)).toEqual(expect.arrayContaining(['z_log_var/MatMul_node', 'z_log_var/Add_node']));
  });
});
