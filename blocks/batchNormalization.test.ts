// BatchNormalization beyond the contract: exported ONNX matches tfjs with randomised gamma, beta
// and moving statistics (the contract runs freshly initialised ones, where gamma = var = 1 and
// beta = mean = 0 would hide a swapped or dropped statistic), and the errors name the fix.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import bn from './batchNormalization';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { fixtureGraph } from '../src/core/fixtureGraph';
import type { GraphDoc } from '../src/core/graph';
import { seedWeights } from '../src/onnx/seedWeights';
import { compiledParity } from '../src/onnx/parity';
import type { Fixture } from '../src/core/spec';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function errorsOf(fx: Fixture) {
  return analyze(fixtureGraph(bn, fx)).errors;
}

describe('BatchNormalization', () => {
  for (const [k, fx] of bn.fixtures.entries()) {
    it(`ONNX equals tfjs with random statistics: fixture ${k} ${JSON.stringify(fx.params)}`, async () => {
      const c = compile(fixtureGraph(bn, fx));
      try {
        seedWeights(c, 11 + k, 'parity');
        const r = await compiledParity(c, { ort, seed: 3 });
        expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      } finally {
        c.model.dispose();
      }
    });
  }

  it('counts gamma and beta as trainable, the moving statistics as not (as tfjs)', () => {
    const a = analyze(fixtureGraph(bn, { params: { scale: false }, inputs: [[null, 5, 5, 8]] }));
    expect(a.nodes.get('b')!.paramCount).toEqual({ trainable: 8, nonTrainable: 16 });
  });

  it('rejects rank 5 (tfjs has no kernel for it), naming what it got', () => {
    const errs = errorsOf({ params: {}, inputs: [[null, 2, 3, 4, 5]] });
    expect(errs).toHaveLength(1);
    expect(errs[0]!.message).toMatch(/BatchNormalization needs a 1-D .* or 3-D .* input on "in", got \[null, 2, 3, 4, 5\]/);
  });

  it('rejects an unknown feature axis and a batch axis, on the param', () => {
    const unknown = errorsOf({ params: {}, inputs: [[null, 4, null]] });
    expect(unknown[0]).toMatchObject({ param: 'axis' });
    expect(unknown[0]!.message).toMatch(/axis -1 of input \[null, 4, null\] has an unknown size/);
    const batch = errorsOf({ params: { axis: 0 }, inputs: [[null, 4, 3]] });
    expect(batch[0]!.message).toMatch(/axis 0 does not fit input \[null, 4, 3\]: use 1…2 or -1…-2/);
  });
});

describe('BatchNormalization training (tfjs 4.22 throws without gamma or beta; ours does not)', () => {
  /** A model Input → Dense → BatchNormalization(flags), with fixed seeded weights. */
  function model(flags: { center: boolean; scale: boolean }, axis = -1) {
    const doc: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [3, 4] } },
        { id: 'd', type: 'Dense', params: { units: 4 } },
        { id: 'b', type: 'BatchNormalization', params: { ...flags, axis, momentum: 0.5 } },
      ],
      edges: [
        { source: 'x', target: 'd' },
        { source: 'd', target: 'b' },
      ],
    };
    const c = compile(doc);
    seedWeights(c, 5, 'parity');
    return c;
  }

  for (const flags of [{ center: false, scale: true }, { center: true, scale: false }, { center: false, scale: false }]) {
    it(`fits with ${JSON.stringify(flags)} and updates the moving statistics like tfjs`, async () => {
      const ours = model(flags);
      // The reference: stock tfjs with both weights, the missing one fixed at its meaning
      // (gamma 1, beta 0) and the others copied.
      const ref = model({ center: true, scale: true });
      try {
        const bnOurs = ours.layersByNode.get('b')![0]!;
        const bnRef = ref.layersByNode.get('b')![0]!;
        const w = bnOurs.getWeights();
        const [mean, variance] = w.slice(-2);
        const gamma = flags.scale ? w[0]! : tf.ones([4]);
        const beta = flags.center ? w[flags.scale ? 1 : 0]! : tf.zeros([4]);
        bnRef.setWeights([gamma, beta, mean!, variance!]);
        const x = tf.randomNormal([6, 3, 4], 0, 2, 'float32', 9);
        const yOurs = bnOurs.apply(x, { training: true }) as tf.Tensor;
        const yRef = bnRef.apply(x, { training: true }) as tf.Tensor;
        expect(tf.max(tf.abs(tf.sub(yOurs, yRef))).dataSync()[0]).toBeLessThan(1e-5);
        const statsOurs = bnOurs.getWeights().slice(-2).map((w) => Array.from(w.dataSync()));
        const statsRef = bnRef.getWeights().slice(-2).map((w) => Array.from(w.dataSync()));
        statsOurs.flat().forEach((v, i) => expect(v).toBeCloseTo(statsRef.flat()[i]!, 5));
        // And a whole fit step runs (tfjs' own layer throws here).
        ours.model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
        const h = await ours.model.fit(x, tf.randomNormal([6, 3, 4], 0, 1, 'float32', 4), { epochs: 2, verbose: 0 });
        expect(Number.isFinite(h.history.loss![1] as number)).toBe(true);
      } finally {
        ours.model.dispose();
        ref.model.dispose();
      }
    });
  }

  it('normalises a non-last axis correctly (tfjs alone would not: its CPU kernel cycles the statistics)', () => {
    const c = model({ center: true, scale: true }, 1);
    try {
      const ws = c.layersByNode.get('b')!.find((l) => l.weights.length)!.getWeights().map((w) => Array.from(w.dataSync()));
      const [gamma, beta, mean, variance] = ws as number[][];
      const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 2);
      const dense = c.model.getLayer('d').apply(x) as tf.Tensor;
      const y = (c.model.predict(x) as tf.Tensor).arraySync() as number[][][];
      const h = dense.arraySync() as number[][][];
      for (let n = 0; n < 2; n++)
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 4; j++) {
            const want = ((h[n]![i]![j]! - mean![i]!) / Math.sqrt(variance![i]! + 1e-3)) * gamma![i]! + beta![i]!;
            expect(y[n]![i]![j]!).toBeCloseTo(want, 4);
          }
    } finally {
      c.model.dispose();
    }
  });
});

describe('BatchNormalization save and reload', () => {
  it('reloads as tfjs layers with the same predictions (non-last axis, no gamma)', async () => {
    const c = compile(fixtureGraph(bn, { params: { axis: 1, scale: false }, inputs: [[null, 3, 5]] }));
    try {
      seedWeights(c, 2, 'parity');
      let saved: tf.io.ModelArtifacts | undefined;
      await c.model.save(tf.io.withSaveHandler(async (m) => ((saved = m), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      const x = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 1);
      const d = tf.max(tf.abs(tf.sub(back.predict(x) as tf.Tensor, c.model.predict(x) as tf.Tensor))).dataSync()[0]!;
      expect(d).toBeLessThan(1e-6);
      back.dispose();
    } finally {
      c.model.dispose();
    }
  });
});
