// The custom layers of the newer blocks beyond the contract: every one saves and reloads with
// the same outputs; LayerScale and ClassToken match onnxruntime with random weights (the contract
// leg runs fresh ones: a zero token, a constant scale); drop path drops whole examples while
// training only.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';
import { compiledParity } from '../src/onnx/parity';
import { StochasticDepth } from './stochasticDepth';
import { getBlock } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LayerScale and ClassToken with random weights', () => {
  const cases = [
    { type: 'LayerScale', input: [null, 3, 4, 5] },
    { type: 'ClassToken', input: [null, 6, 4] },
  ];
  for (const c of cases)
    it(`${c.type}: onnxruntime equals tfjs, and the model reloads`, async () => {
      const m = compile(fixtureGraph(getBlock(c.type)!, { params: {}, inputs: [c.input] }));
      try {
        for (const layer of m.layersByNode.get('b')!) layer.setWeights(layer.getWeights().map((w) => tf.randomUniform(w.shape, -1, 1, 'float32', 3)));
        const r = await compiledParity(m, { ort, seed: 5 });
        expect(r.outputs[0]!.tfjsShape).toBeUndefined();
        expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
        let saved: tf.io.ModelArtifacts | undefined;
        await m.model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
        const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
        const x = tf.randomNormal([2, ...(c.input.slice(1) as number[])], 0, 1, 'float32', 9);
        const diff = tf.abs(tf.sub(back.predict(x) as tf.Tensor, m.model.predict(x) as tf.Tensor)).max().dataSync()[0]!;
        expect(diff).toBeLessThanOrEqual(1e-6);
        back.dispose();
      } finally {
        m.model.dispose();
      }
    });
});

describe('custom layers reload', () => {
  const cases: { type: string; params: Record<string, unknown>; input: number[] }[] = [
    { type: 'Conv2D', params: { filters: 6, groups: 3 }, input: [5, 5, 6] },
    { type: 'Conv1D', params: { filters: 4, groups: 4, activation: 'hardSwish' }, input: [7, 4] },
    { type: 'Dense', params: { units: 3, activation: 'geluTanh' }, input: [4] },
    { type: 'ChannelShuffle', params: { groups: 2 }, input: [3, 3, 4] },
    { type: 'MaxPooling2D', params: { poolSize: 3, strides: 2, ceilMode: true }, input: [6, 6, 2] },
    { type: 'AveragePooling2D', params: { poolSize: 3, strides: 2, padding: 'same', countIncludePad: true }, input: [6, 5, 2] },
    { type: 'AdaptiveAveragePooling2D', params: { outputSize: [2, 3] }, input: [5, 7, 2] },
    { type: 'StochasticDepth', params: {}, input: [4, 3] },
  ];
  for (const c of cases)
    it(`${c.type} ${JSON.stringify(c.params)}`, async () => {
      const m = compile(fixtureGraph(getBlock(c.type)!, { params: c.params, inputs: [[null, ...c.input]] }));
      try {
        let saved: tf.io.ModelArtifacts | undefined;
        await m.model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
        const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
        const x = tf.randomNormal([2, ...c.input], 0, 1, 'float32', 4);
        const diff = tf.abs(tf.sub(back.predict(x) as tf.Tensor, m.model.predict(x) as tf.Tensor)).max().dataSync()[0]!;
        expect(diff).toBe(0);
        back.dispose();
      } finally {
        m.model.dispose();
      }
    });
});

describe('StochasticDepth', () => {
  it('keeps or drops each example whole while training, scaled by 1/(1 − rate); identity at inference', () => {
    const layer = new StochasticDepth({ rate: 0.5 });
    const x = tf.ones([400, 3, 2]);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const rows = (tf.reshape(y, [400, 6]).arraySync() as number[][]).map((r) => new Set(r));
    // Every example is all 0 or all 2 (= 1 / 0.5).
    expect(rows.every((s) => s.size === 1 && (s.has(0) || s.has(2)))).toBe(true);
    const kept = rows.filter((s) => s.has(2)).length;
    expect(kept).toBeGreaterThan(140); // binomial(400, 0.5): 200 ± 10
    expect(kept).toBeLessThan(260);
    const inf = layer.apply(x, { training: false }) as tf.Tensor;
    expect(tf.equal(inf, x).all().dataSync()[0]).toBe(1);
  });
});
