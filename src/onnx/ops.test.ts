// emitActivation against tfjs for every activation name, and the weight-loading path of export.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../core/shapes';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { compiledParity } from './parity';
import { seedWeights } from './seedWeights';
import { exportCommand } from '../cli/commands/export';
import { decodeModel, onnxReader } from './read';
import { kernelToOnnx, depthwiseKernelToOnnx, convPadAttrs } from './ops';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dense = (activation: string, units = 6): GraphDoc => ({
  format: 'neural-blocks.graph',
  version: 1,
  name: activation,
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [3, 5] } },
    { id: 'd', type: 'Dense', params: { units, activation } },
  ],
  edges: [{ source: 'x', target: 'd' }],
});

describe('emitActivation matches tfjs', () => {
  for (const a of ACTIVATIONS) {
    it(a, async () => {
      const c = compile(dense(a));
      try {
        // Large weights push the pre-activations well past the interesting ranges (relu6's 6,
        // hardSigmoid's ±2.5, softplus' thresholds).
        seedWeights(c, 11, 'parity');
        const layer = c.layersByNode.get('d')![0]!;
        const scaled = layer.getWeights().map((w) => tf.mul(w, 8));
        layer.setWeights(scaled);
        scaled.forEach((t) => t.dispose());
        const r = await compiledParity(c, { ort, seed: 3 });
        expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      } finally {
        c.model.dispose();
      }
    });
  }
});

describe('layout helpers', () => {
  it('conv kernels go [kh, kw, in, out] → [out, in, kh, kw]; depthwise → [in·mult, 1, kh, kw]', () => {
    const shape = [2, 3, 4, 5];
    const data = Float32Array.from({ length: 120 }, (_, i) => i);
    const k = kernelToOnnx({ name: 'k', shape, data });
    expect(k.dims).toEqual([5, 4, 2, 3]);
    // element [o, i, h, w] = source [h, w, i, o]
    const at = (h: number, w: number, i: number, o: number) => ((h * 3 + w) * 4 + i) * 5 + o;
    expect(k.data[((4 * 4 + 1) * 2 + 1) * 3 + 2]).toBe(at(1, 2, 1, 4));
    const d = depthwiseKernelToOnnx({ name: 'dw', shape, data });
    expect(d.dims).toEqual([20, 1, 2, 3]);
    // output channel c·mult + m = source [h, w, c, m]
    expect(d.data[(3 * 5 + 2) * 6 + 1 * 3 + 0]).toBe(at(1, 0, 3, 2));
  });

  it("pads like TF's SAME (extra pixel at the end); unknown sizes: static pads at stride 1, else auto_pad", () => {
    expect(convPadAttrs([11, 9], [2, 5], [2, 1], [1, 1], 'same')).toEqual({ pads: { ints: [0, 2, 1, 2] } });
    expect(convPadAttrs([10], [3], [1], [2], 'same')).toEqual({ pads: { ints: [2, 2] } });
    expect(convPadAttrs([5, 5], [3, 3], [1, 1], [1, 1], 'valid')).toEqual({ pads: { ints: [0, 0, 0, 0] } });
    // Stride 1: total (k − 1)·d whatever the size (onnxruntime refuses SAME_UPPER with dilations).
    expect(convPadAttrs([null], [3], [1], [1], 'same')).toEqual({ pads: { ints: [1, 1] } });
    expect(convPadAttrs([null, 6], [3, 2], [1, 1], [2, 3], 'same')).toEqual({ pads: { ints: [2, 1, 2, 2] } });
    expect(convPadAttrs([null], [3], [2], [1], 'same')).toEqual({ auto_pad: { s: 'SAME_UPPER' } });
    expect(() => convPadAttrs([null], [3], [2], [2], 'same')).toThrow(/SAME_UPPER refuses dilations/);
  });
});

describe('export --weights (a saved tfjs model.json)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nb-onnx-weights-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports the saved weights, matched by name', async () => {
    const doc = dense('tanh', 4);
    writeFileSync(join(dir, 'g.json'), JSON.stringify(doc));
    const c = compile(doc);
    const want = c.layersByNode.get('d')![0]!.getWeights().map((w) => Array.from(w.dataSync()));
    await c.model.save(
      tf.io.withSaveHandler(async (art) => {
        writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: art.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: art.weightSpecs }] }));
        writeFileSync(join(dir, 'w.bin'), new Uint8Array(art.weightData as ArrayBuffer));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    c.model.dispose();
    const out: string[] = [];
    const code = await exportCommand.run([join(dir, 'g.json'), '-o', join(dir, 'm.onnx'), '--weights', join(dir, 'model.json')], { out: (t) => out.push(t), err: (t) => out.push(t) });
    expect(code, out.join('\n')).toBe(0);
    const reader = onnxReader(readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8'));
    const m = decodeModel(reader, readFileSync(join(dir, 'm.onnx'))) as { graph: { initializer: { dims: number[]; raw_data: Uint8Array }[] } };
    const got = m.graph.initializer.map((t) => Array.from(new Float32Array(Uint8Array.from(t.raw_data).buffer)));
    expect(got).toEqual(want);
  });

  it('names a missing weight', async () => {
    writeFileSync(join(dir, 'empty.json'), JSON.stringify({ weightsManifest: [] }));
    const err: string[] = [];
    const code = await exportCommand.run([join(dir, 'g.json'), '-o', join(dir, 'n.onnx'), '--weights', join(dir, 'empty.json')], { out: () => {}, err: (t) => err.push(t) });
    expect(code).toBe(2);
    expect(err[0]).toMatch(/no weight "d\/kernel"/);
  });
});
