// LayerNormalization beyond the contract: ONNX equals tfjs with random gamma and beta, a
// non-last axis normalises that axis, and it trains without gamma or beta (tfjs 4.22 alone
// throws in the gradient there).
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import ln from './layerNormalization';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';
import type { GraphDoc } from '../src/core/graph';
import { seedWeights } from '../src/onnx/seedWeights';
import { compiledParity } from '../src/onnx/parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LayerNormalization', () => {
  for (const [k, fx] of ln.fixtures.entries()) {
    it(`ONNX equals tfjs with random gamma and beta: fixture ${k} ${JSON.stringify(fx.params)}`, async () => {
      const c = compile(fixtureGraph(ln, fx));
      try {
        seedWeights(c, 21 + k, 'parity');
        const r = await compiledParity(c, { ort, seed: 5 });
        expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      } finally {
        c.model.dispose();
      }
    });
  }

  for (const flags of [{ center: true, scale: true }, { center: false, scale: true }, { center: true, scale: false }]) {
    it(`axis 1 of [3, 4] normalises over that axis (${JSON.stringify(flags)})`, () => {
      const c = compile(fixtureGraph(ln, { params: { axis: 1, epsilon: 1e-3, ...flags }, inputs: [[null, 3, 4]] }));
      try {
        seedWeights(c, 3, 'parity');
        const layer = c.layersByNode.get('b')![0]!;
        const w = layer.getWeights().map((t) => Array.from(t.dataSync()));
        const gamma = flags.scale ? w[0]! : [1, 1, 1];
        const beta = flags.center ? w[flags.scale ? 1 : 0]! : [0, 0, 0];
        const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 8);
        const xs = x.arraySync() as number[][][];
        const y = (c.model.predict(x) as tf.Tensor).arraySync() as number[][][];
        for (let n = 0; n < 2; n++)
          for (let j = 0; j < 4; j++) {
            const col = [0, 1, 2].map((i) => xs[n]![i]![j]!);
            const m = col.reduce((a, b) => a + b, 0) / 3;
            const v = col.reduce((a, b) => a + (b - m) ** 2, 0) / 3;
            for (let i = 0; i < 3; i++) expect(y[n]![i]![j]!).toBeCloseTo(((col[i]! - m) / Math.sqrt(v + 1e-3)) * gamma[i]! + beta[i]!, 4);
          }
      } finally {
        c.model.dispose();
      }
    });
  }

  for (const flags of [{ center: false, scale: true }, { center: true, scale: false }]) {
    it(`fits with ${JSON.stringify(flags)}`, async () => {
      const doc: GraphDoc = {
        format: 'neural-blocks.graph',
        version: 1,
        nodes: [
          { id: 'x', type: 'Input', params: { shape: [5, 6] } },
          { id: 'd', type: 'Dense', params: { units: 6 } },
          { id: 'b', type: 'LayerNormalization', params: flags },
        ],
        edges: [
          { source: 'x', target: 'd' },
          { source: 'd', target: 'b' },
        ],
      };
      const c = compile(doc);
      try {
        const before = c.model.getLayer('d').getWeights()[0]!.dataSync().slice();
        c.model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
        const h = await c.model.fit(tf.randomNormal([8, 5, 6], 0, 1, 'float32', 1), tf.randomNormal([8, 5, 6], 0, 1, 'float32', 2), { epochs: 2, verbose: 0 });
        expect(Number.isFinite(h.history.loss![1] as number)).toBe(true);
        const after = c.model.getLayer('d').getWeights()[0]!.dataSync();
        expect(after.some((v, i) => v !== before[i])).toBe(true);
      } finally {
        c.model.dispose();
      }
    });
  }

  it('rejects an unknown axis size and rank 5, naming the fix', () => {
    const a = analyze(fixtureGraph(ln, { params: {}, inputs: [[null, 3, null]] }));
    expect(a.errors[0]).toMatchObject({ param: 'axis' });
    expect(a.errors[0]!.message).toMatch(/axis -1 of input \[null, 3, null\] has an unknown size/);
    const r5 = analyze(fixtureGraph(ln, { params: {}, inputs: [[null, 2, 3, 4, 5]] }));
    expect(r5.errors[0]!.message).toMatch(/LayerNormalization needs .* input on "in", got \[null, 2, 3, 4, 5\]/);
  });
});

describe('LayerNormalization save and reload', () => {
  it('reloads as a tfjs LayerNormalization with the same predictions (no beta)', async () => {
    const c = compile(fixtureGraph(ln, { params: { center: false }, inputs: [[null, 3, 5]] }));
    try {
      seedWeights(c, 2, 'parity');
      let saved: tf.io.ModelArtifacts | undefined;
      await c.model.save(tf.io.withSaveHandler(async (m) => ((saved = m), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      expect(back.getLayer('b').getClassName()).toBe('LayerNormalization');
      const x = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 1);
      const d = tf.max(tf.abs(tf.sub(back.predict(x) as tf.Tensor, c.model.predict(x) as tf.Tensor))).dataSync()[0]!;
      expect(d).toBeLessThan(1e-5);
      back.dispose();
    } finally {
      c.model.dispose();
    }
  });
});
