// Full-size parity for the zoo templates marked ciParity in zoo.ts (the others run in
// scripts/zoo-parity.ts, which loops over the whole zoo): tfjs on its WASM backend (XNNPACK)
// against onnxruntime-node on the exported ONNX at 224×224, and against the exported PyTorch
// project in Debian's torch, every weight seeded (BatchNorm statistics too), on the logits.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from './catalog';
import { ZOO } from './zoo';
import { withLogits, zooOnnxParity, zooTorchParity, type TorchParity } from './zooParity';

// Compared on the logits (the output layer's softmax removed; see withLogits).
const CI = buildAll()
  .filter((t) => ZOO[t.name]?.ciParity)
  .map((t) => ({ name: t.name, doc: withLogits(t.doc) }));
let torch: Record<string, TorchParity> | undefined;

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('zoo templates at full size (224×224): ONNX and PyTorch match tfjs', () => {
  it('runs the zoo entries marked ciParity, each of them a template', () => {
    expect(tf.getBackend()).toBe('wasm');
    const marked = Object.entries(ZOO).filter(([, z]) => z.ciParity).map(([n]) => n).sort();
    expect(marked.length).toBeGreaterThan(0);
    expect(CI.map((t) => t.name).sort()).toEqual(marked);
  });

  for (const { name, doc } of CI) {
    it(`${name}: onnxruntime within 1e-4 of tfjs`, { timeout: 600_000 }, async () => {
      const r = await zooOnnxParity(doc, ort);
      expect(r.tfjsShape, `onnxruntime shape ${JSON.stringify(r.shape)} differs from tfjs'`).toBeUndefined();
      expect(r.shape).toEqual([1, 1000]);
      console.log(`${name} 224×224: max |tfjs − onnxruntime| ${r.maxAbsDiff.toExponential(2)} (largest logit ${r.scale.toFixed(4)})`);
      // 1e-4, relative once the logits exceed 1 (as the PyTorch leg).
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4 * Math.max(1, r.scale));
    });

    it(`${name}: Debian's torch within 1e-4 of tfjs`, { timeout: 1_200_000 }, () => {
      torch ??= zooTorchParity(CI);
      const r = torch[name]!;
      console.log(`${name} 224×224: max |torch − tfjs| ${r.maxAbsDiff.toExponential(2)} (largest logit ${r.scale.toFixed(4)})`);
      // As the other PyTorch parity tests: 1e-4, relative once outputs exceed 1.
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4 * Math.max(1, r.scale));
    });
  }
});
