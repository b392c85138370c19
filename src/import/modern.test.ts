// Import of the idioms modern torchvision networks are made of (MobileNetV3's Hardswish and
// Hardsigmoid, EfficientNet's SiLU and squeeze-excitation, ResNeXt's grouped convolutions,
// SqueezeNet / GoogLeNet's ceil_mode pooling, DenseNet's one-tensor cat, ShuffleNetV2's channel
// chunk and shuffle): small torch.nn models exported by Debian's python3-torch at opsets 13 and
// 17 (src/import/torch_modern_models.py), imported, compiled to tfjs with the imported weights,
// and compared with onnxruntime on the original file: max |diff| ≤ 1e-4.
//
// Needs /usr/bin/python3 with torch (apt: python3-torch, which .ci/run installs); without it
// these tests fail, they are never skipped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { onnxReader } from '../onnx/read';
import { ImportError, applyWeights, importOnnx } from './index';
import { exportTorchFixtures, inputData } from './nnCheck';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'nb-modern-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const inputs: Record<string, number[]> = {};

beforeAll(() => {
  for (const opset of ['13', '17']) {
    for (const j of exportTorchFixtures<{ name: string; input: number[] }>('./torch_modern_models.py', dir, opset)) {
      inputs[j.name] = j.input;
    }
  }
}, 300_000);

/** Imports `name` at `opset`, runs it and onnxruntime on one input (batch 2), returns the doc and max |diff|. */
async function parity(name: string, opset: number): Promise<{ doc: GraphDoc; diff: number; refMax: number }> {
  const bytes = new Uint8Array(readFileSync(join(dir, `${name}_o${opset}.onnx`)));
  const r = importOnnx(bytes, reader, { source: `${name}.onnx` });
  const c = compile(r.doc, { kernelInitializer: 'zeros' });
  applyWeights(c.model, r.weights);
  const shape = [2, ...inputs[name]!.slice(1)];
  const x = inputData(shape.reduce((p, q) => p * q, 1), opset);
  const sess = await ort.InferenceSession.create(bytes);
  const ref = (await sess.run({ [sess.inputNames[0]!]: new ort.Tensor('float32', x, shape) }))[sess.outputNames[0]!]!.data as Float32Array;
  await sess.release();
  const y = tf.tidy(() => {
    const out = c.model.predict(tf.tensor(x, shape).transpose([0, 2, 3, 1])) as tf.Tensor;
    return (out.rank === 4 ? out.transpose([0, 3, 1, 2]) : out).dataSync().slice(); // NHWC → NCHW
  });
  c.model.dispose();
  expect(y.length).toBe(ref.length);
  let diff = 0;
  let refMax = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i]! - y[i]!));
    refMax = Math.max(refMax, Math.abs(ref[i]!));
  }
  return { doc: r.doc, diff, refMax };
}

const types = (doc: GraphDoc) => doc.nodes.map((n) => n.type);
const count = (doc: GraphDoc, type: string) => doc.nodes.filter((n) => n.type === type).length;
const activations = (doc: GraphDoc) => doc.nodes.map((n) => n.params?.activation).filter((a) => a && a !== 'linear');

describe.each([13, 17])('ONNX import of modern torch idioms (opset %i, onnxruntime reference)', (opset) => {
  it('Hardswish, SiLU and Hardsigmoid → hardSwish / swish / hardSigmoidTorch (fused into the conv that makes their input)', async () => {
    const { doc, diff, refMax } = await parity('gates', opset);
    expect(refMax).toBeGreaterThan(0.05);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // The first two are fused into their convs; the hardswish of a value read twice stays a block.
    expect(activations(doc).sort()).toEqual(['hardSigmoidTorch', 'hardSwish', 'hardSwish', 'sigmoid', 'swish']);
    expect(count(doc, 'Conv2D')).toBe(3);
  }, 120_000);

  it('squeeze-excitation: [N,C,1,1] gates broadcast onto [N,C,H,W] by Multiply, Add and Subtract', async () => {
    const { doc, diff, refMax } = await parity('se', opset);
    expect(refMax).toBeGreaterThan(0.01);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(count(doc, 'Multiply')).toBe(2);
    expect(count(doc, 'Add')).toBe(1);
    expect(count(doc, 'Subtract')).toBe(1);
    expect(activations(doc)).toEqual(expect.arrayContaining(['swish', 'sigmoid', 'hardSigmoidTorch']));
  }, 120_000);

  it('grouped Conv → Conv2D groups, dilated depthwise → Conv2D groups, depthwise ×2 → DepthwiseConv2D', async () => {
    const { doc, diff, refMax } = await parity('grouped', opset);
    expect(refMax).toBeGreaterThan(0.05);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(doc.nodes.filter((n) => n.type === 'Conv2D').map((n) => n.params?.groups ?? 1)).toEqual([1, 4, 24]);
    expect(doc.nodes.find((n) => n.type === 'DepthwiseConv2D')!.params).toMatchObject({ depthMultiplier: 2 });
  }, 120_000);

  it('ceil_mode max / average pooling and count_include_pad → ceilMode pools (ZeroPadding2D for pads)', async () => {
    const { doc, diff, refMax } = await parity('ceilpools', opset);
    expect(refMax).toBeGreaterThan(0.05);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(doc.nodes.filter((n) => n.params?.ceilMode === true).map((n) => n.type).sort()).toEqual(['AveragePooling2D', 'AveragePooling2D', 'AveragePooling2D', 'MaxPooling2D']);
  }, 120_000);

  it("DenseNet's torch.cat of one tensor is a pass-through, not a one-input Concatenate", async () => {
    const { doc, diff } = await parity('densecat', opset);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(types(doc)).toEqual(['Input', 'Conv2D', 'Conv2D', 'Concatenate']);
  }, 120_000);

  it("ShuffleNetV2: channel chunk → ChannelSplit, channel shuffle → ChannelShuffle, image slice → Cropping2D", async () => {
    const { doc, diff, refMax } = await parity('shuffle', opset);
    expect(refMax).toBeGreaterThan(0.05);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(doc.nodes.filter((n) => n.type === 'ChannelShuffle').map((n) => n.params?.groups)).toEqual([2, 4]);
    expect(count(doc, 'ChannelSplit')).toBe(2);
    expect(count(doc, 'Reshape') + count(doc, 'Permute')).toBe(0);
  }, 120_000);

  it('a HardSigmoid with alpha 0.3 (neither PyTorch nor Keras) is refused with its constants', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, `odd_hardsigmoid_o${opset}.onnx`)));
    let err: unknown;
    try {
      importOnnx(bytes, reader, { source: 'odd.onnx' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImportError);
    const u = (err as ImportError).unsupported;
    expect(u).toHaveLength(1);
    expect(u[0]).toMatchObject({ op: 'HardSigmoid' });
    expect(u[0]!.reason).toMatch(/alpha 0\.3, beta 0\.5 has no block/);
  });

  it('every blocker is named in one run, also those after a refused node (stand-ins of known shape)', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, `blockers_o${opset}.onnx`)));
    let err: unknown;
    try {
      importOnnx(bytes, reader, { source: 'blockers.onnx' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImportError);
    const u = (err as ImportError).unsupported;
    // conv → HardSigmoid(0.3) ✗ → grouped conv (fine) → HardSigmoid(0.3) ✗ → dilated MaxPool ✗ → Erf ✗
    expect(u.map((x) => x.op)).toEqual(['HardSigmoid', 'HardSigmoid', 'MaxPool', 'Erf']);
    expect(u[2]!.reason).toMatch(/dilations \[2,2\]/);
    expect(u[3]!.reason).toMatch(/no block for ONNX op Erf/);
    expect(new Set(u.map((x) => x.node)).size).toBe(4);
  });
});
