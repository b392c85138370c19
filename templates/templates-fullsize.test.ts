// ONNX parity at full size (224×224×3, 1000 classes) for the ImageNet-size templates that
// templateSuite.ts leaves out because tfjs' pure-JS CPU backend needs minutes per forward pass
// (VGG-11…19, VGG-16-BN, ResNet-34/50/101/152). Here tfjs runs on its WASM backend (XNNPACK),
// which only does the forward pass — enough for parity, since export and compile are the same code.
// Every weight is seeded (BatchNorm statistics too) so a dropped or misplaced tensor shows.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/core/compile';
import { compiledParity } from '../src/onnx/parity';
import { seedWeights } from '../src/onnx/seedWeights';
import { ALL, IMAGENET_SIZE, ONNX_PARITY } from './templateSuite';
import { ZOO } from './zoo';

// The modern zoo (zoo.ts) has its own full-size parity harness.
const FULL_SIZE = ALL.filter((t) => IMAGENET_SIZE.has(t.name) && !ONNX_PARITY.has(t.name) && !ZOO[t.name]);

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('ImageNet-size templates at full size: ONNX matches tfjs (WASM backend)', () => {
  it('covers every ImageNet-size template the main suite does not', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(FULL_SIZE.map((t) => t.name).sort()).toEqual(['resnet101', 'resnet152', 'resnet34', 'resnet50', 'vgg11', 'vgg13', 'vgg16', 'vgg16-bn', 'vgg19']);
  });

  for (const { name, doc } of FULL_SIZE) {
    it(`${name}: onnxruntime within 1e-4 of tfjs on a 224×224 image`, { timeout: 600_000 }, async () => {
      const c = compile(doc);
      try {
        seedWeights(c, 7, 'parity');
        const r = await compiledParity(c, { ort, seed: 3, batch: 1, exportOptions: { graph: doc } });
        expect(r.outputs.length).toBe(1);
        const o = r.outputs[0]!;
        expect(o.tfjsShape, `onnxruntime shape ${JSON.stringify(o.shape)} differs from tfjs'`).toBeUndefined();
        expect(o.shape).toEqual([1, 1000]);
        expect(o.maxAbsDiff, `max |tfjs − onnxruntime| for ${name}`).toBeLessThanOrEqual(1e-4);
      } finally {
        c.model.dispose();
      }
    });
  }
});
