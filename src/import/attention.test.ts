// Import of Transformer models as torch exports them: a TransformerEncoder classifier over an
// Embedding (learned positions, 2 × nn.TransformerEncoderLayer, batch_first, post-norm and
// pre-norm, mean over the steps, Linear) whose attention torch spells out in MatMul / Reshape /
// Transpose / Softmax and whose LayerNorm it decomposes at opset 13 (native at 17), torchvision's
// VisionTransformer and ConvNeXt blocks at 32×32, and Luong dot-product attention; built by
// src/import/torch_attn_models.py with Debian's python3-torch, imported, compiled to tfjs with
// the imported weights and compared with onnxruntime on the original file: max |diff| ≤ 1e-4,
// trainable parameters equal to torch's.
//
// Needs /usr/bin/python3 with torch (apt: python3-torch); without it these tests fail, they are
// never skipped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { onnxReader } from '../onnx/read';
import { applyWeights, importOnnx } from './index';
import { exportTorchFixtures, inputData } from './nnCheck';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'nb-attn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const models: Record<string, { input: number[]; dtype: string; params: number }> = {};

beforeAll(() => {
  for (const opset of ['13', '17']) {
    for (const j of exportTorchFixtures<{ name: string; input: number[]; dtype: string; params: number }>('./torch_attn_models.py', dir, opset)) {
      models[j.name] = j;
    }
  }
}, 300_000);

/** Imports `name` at `opset`, runs it and onnxruntime on one input (batch 2). */
async function parity(name: string, opset: number): Promise<{ doc: GraphDoc; diff: number; refMax: number; params: number }> {
  const bytes = new Uint8Array(readFileSync(join(dir, `${name}_o${opset}.onnx`)));
  const r = importOnnx(bytes, reader, { source: `${name}.onnx` });
  const c = compile(r.doc, { kernelInitializer: 'zeros' });
  applyWeights(c.model, r.weights);
  const m = models[name]!;
  const shape = [2, ...m.input.slice(1)];
  const n = shape.reduce((p, q) => p * q, 1);
  const ints = m.dtype === 'int64';
  // Token ids cover the vocabulary (50) unevenly, so positions and tokens both matter.
  const ids = Int32Array.from({ length: n }, (_, i) => (i * 17 + opset) % 50);
  const x = inputData(n, opset);
  const sess = await ort.InferenceSession.create(bytes);
  const feed = ints ? new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), shape) : new ort.Tensor('float32', x, shape);
  const ref = (await sess.run({ [sess.inputNames[0]!]: feed }))[sess.outputNames[0]!]!.data as Float32Array;
  await sess.release();
  // Images are NCHW in the file and NHWC in the imported graph.
  const input = () => (ints ? tf.tensor(ids, shape, 'int32') : shape.length === 4 ? tf.tensor(x, shape).transpose([0, 2, 3, 1]) : tf.tensor(x, shape));
  const y = tf.tidy(() => (c.model.predict(input()) as tf.Tensor).dataSync().slice());
  const params = c.model.trainableWeights.reduce((s, w) => s + w.shape.reduce((p, q) => p! * q!, 1)!, 0);
  c.model.dispose();
  expect(y.length).toBe(ref.length);
  let diff = 0;
  let refMax = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i]! - y[i]!));
    refMax = Math.max(refMax, Math.abs(ref[i]!));
  }
  return { doc: r.doc, diff, refMax, params };
}

const types = (doc: GraphDoc) => doc.nodes.map((n) => n.type);
const count = (doc: GraphDoc, type: string) => doc.nodes.filter((n) => n.type === type).length;

describe.each([13, 17])('ONNX import of torch Transformers (opset %i, onnxruntime reference)', (opset) => {
  it.each([
    ['transformer_post', 'post-norm, two different layers'],
    ['transformer_pre', 'pre-norm, torch\'s shared layer copies'],
  ])('%s (%s): attention → MultiHeadAttention, LayerNorm → LayerNormalization, torch\'s parameter count', async (name) => {
    const { doc, diff, refMax, params } = await parity(name, opset);
    expect(refMax).toBeGreaterThan(0.05);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(params).toBe(models[name]!.params);
    expect(count(doc, 'MultiHeadAttention')).toBe(2);
    expect(count(doc, 'LayerNormalization')).toBe(4);
    for (const n of doc.nodes.filter((x) => x.type === 'MultiHeadAttention')) expect(n.params).toMatchObject({ numHeads: 2, keyDim: 8, useBias: true });
    expect(doc.nodes.find((n) => n.type === 'LayerNormalization')!.params).toMatchObject({ epsilon: 1e-5, axis: -1 });
    // Embedding + positions, then the encoder; the mean over the steps and the head end it.
    expect(types(doc).slice(0, 3)).toEqual(['Input', 'Embedding', 'PositionalEmbedding']);
    expect(types(doc).slice(-2)).toEqual(['GlobalAveragePooling1D', 'Dense']);
    expect(types(doc)[3]).toBe(name === 'transformer_pre' ? 'LayerNormalization' : 'MultiHeadAttention');
    // Nothing of the spelt-out attention is left.
    expect(count(doc, 'Permute') + count(doc, 'Reshape') + count(doc, 'Softmax')).toBe(0);
  }, 120_000);

  it("torchvision's VisionTransformer (vit_b_16's code at 32×32): class token, positions, encoder, x[:, 0] → head", async () => {
    const { doc, diff, refMax, params } = await parity('vit_tiny', opset);
    expect(refMax).toBeGreaterThan(0.05);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(params).toBe(models.vit_tiny!.params);
    expect(types(doc).slice(0, 8)).toEqual(['Input', 'Conv2D', 'Permute', 'Reshape', 'Permute', 'ClassToken', 'PositionalEmbedding', 'LayerNormalization']);
    expect(count(doc, 'MultiHeadAttention')).toBe(2);
    expect(count(doc, 'LayerNormalization')).toBe(5);
    // The MLP's GELU (spelt out with Erf) is fused into its first Dense.
    expect(doc.nodes.filter((n) => n.params?.activation === 'gelu')).toHaveLength(2);
    // x[:, 0]: the class token's row, cropped from the sequence viewed as an image.
    expect(types(doc).slice(-4)).toEqual(['Reshape', 'Cropping2D', 'Reshape', 'Dense']);
  }, 120_000);

  it("torchvision's ConvNeXt blocks at 32×32: LayerNorm over channels, GELU MLP, layer scale [C, 1, 1] → LayerScale", async () => {
    const { doc, diff, refMax, params } = await parity('convnext_tiny32', opset);
    expect(refMax).toBeGreaterThan(0.05);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(params).toBe(models.convnext_tiny32!.params);
    expect(count(doc, 'LayerScale')).toBe(2);
    expect(count(doc, 'LayerNormalization')).toBe(4);
    expect(doc.nodes.filter((n) => n.params?.activation === 'gelu')).toHaveLength(2);
  }, 120_000);

  it('Luong dot-product attention written with torch.bmm → the Attention block', async () => {
    const { doc, diff, refMax, params } = await parity('dot_attention', opset);
    expect(refMax).toBeGreaterThan(0.05);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(params).toBe(models.dot_attention!.params);
    expect(types(doc)).toEqual(['Input', 'Dense', 'Dense', 'Attention', 'Dense']);
    expect(doc.nodes[3]!.params).toEqual({});
  }, 120_000);

  it("an attention scaled by 0.3 (no head size's 1/√d) is not taken for MultiHeadAttention: dot-product Attention with that scale", async () => {
    const { doc, diff, refMax } = await parity('odd_scale_attention', opset);
    expect(refMax).toBeGreaterThan(0.05);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(types(doc)).toEqual(['Input', 'Dense', 'Dense', 'Dense', 'Attention']);
    expect(doc.nodes[4]!.params).toEqual({ useScale: true });
  }, 120_000);
});

describe('ONNX import of decomposed LayerNorm (opset 13)', () => {
  it('without affine parameters and with eps 1e-3 → LayerNormalization (scale / center off, epsilon kept)', async () => {
    const { doc, diff, refMax, params } = await parity('layernorms', 13);
    expect(refMax).toBeGreaterThan(0.5);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(params).toBe(models.layernorms!.params);
    expect(types(doc)).toEqual(['Input', 'LayerNormalization', 'Dense', 'LayerNormalization']);
    expect(doc.nodes[1]!.params).toMatchObject({ scale: false, center: false, epsilon: 1e-5 });
    expect(doc.nodes[3]!.params).toMatchObject({ scale: true, center: true, epsilon: 1e-3 });
  }, 120_000);
});
