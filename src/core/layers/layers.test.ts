// The custom layers: numbers against hand-computed references, gradients reach every weight and
// a few optimizer steps lower the loss, configs round-trip through toJSON / modelFromJSON and
// through a save/load IOHandler with identical predictions, and the pure shape rules reject
// bad inputs with messages that say what to fix.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
// The layers live in their blocks' modules; the registry registers them (modelFromJSON needs that).
import '../../../blocks/index';
import { Attention } from '../../../blocks/attention';
import { AdditiveAttention } from '../../../blocks/additiveAttention';
import { MultiHeadAttention, mhaShapes } from '../../../blocks/multiHeadAttention';
import { PositionalEmbedding } from '../../../blocks/positionalEmbedding';
import { SinePositionEncoding, sineEncoding } from '../../../blocks/sinePositionEncoding';
import { Sampling, klDivergence, samplingLosses, samplingShape } from '../../../blocks/sampling';
import { luongShapes, positionalShape } from './shapes';
import { randomArray } from '../randomInputs';
import { withSeededRandom } from '../seeded';
import type { Shape } from '../spec';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rand = (shape: number[], seed: number) => tf.tensor(randomArray(shape, seed), shape);

function softmaxRows(rows: number[][]): number[][] {
  return rows.map((r) => {
    const m = Math.max(...r);
    const e = r.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  });
}

/** A one-layer functional model over fresh Inputs (shapes without batch). */
function wrap(layer: tf.layers.Layer, inputShapes: number[][]): tf.LayersModel {
  const inputs = inputShapes.map((s) => tf.input({ shape: s }));
  const out = layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as tf.SymbolicTensor | tf.SymbolicTensor[];
  return tf.model({ inputs, outputs: out });
}

async function expectSamePredictions(a: tf.LayersModel, b: tf.LayersModel, xs: tf.Tensor[]) {
  const pa = [a.predict(xs.length === 1 ? xs[0]! : xs)].flat() as tf.Tensor[];
  const pb = [b.predict(xs.length === 1 ? xs[0]! : xs)].flat() as tf.Tensor[];
  expect(pb.length).toBe(pa.length);
  for (let i = 0; i < pa.length; i++) {
    expect(pb[i]!.shape).toEqual(pa[i]!.shape);
    const d = tf.max(tf.abs(tf.sub(pa[i]!, pb[i]!))).dataSync()[0]!;
    expect(d).toBeLessThan(1e-6);
  }
}

describe('Attention (dot) numbers', () => {
  it('equals softmax(q·kᵀ·scale)·v computed by hand, with and without a causal mask', () => {
    const q = [[[1, 0], [0, 1], [1, 1]]];
    const k = [[[1, 2], [3, -1]]];
    const v = [[[1, 0, 2], [0, 1, -1]]];
    for (const causal of [false, true]) {
      const layer = new Attention({ useScale: true, useCausalMask: causal, returnAttentionScores: true });
      const [out, w] = layer.apply([tf.tensor(q), tf.tensor(v), tf.tensor(k)]) as tf.Tensor[];
      layer.setWeights([tf.scalar(0.5)]);
      const [out2, w2] = layer.apply([tf.tensor(q), tf.tensor(v), tf.tensor(k)]) as tf.Tensor[];
      void out;
      void w;
      const scores = q[0]!.map((qi, i) => k[0]!.map((kj, j) => (causal && j > i ? -1e9 : 0.5 * (qi[0]! * kj[0]! + qi[1]! * kj[1]!))));
      const weights = softmaxRows(scores);
      const expected = weights.map((wr) => [0, 1, 2].map((c) => wr[0]! * v[0]![0]![c]! + wr[1]! * v[0]![1]![c]!));
      expect(Array.from(w2!.dataSync())).toEqual(weights.flat().map((x) => expect.closeTo(x, 5)));
      expect(Array.from(out2!.dataSync())).toEqual(expected.flat().map((x) => expect.closeTo(x, 5)));
      if (causal) expect(w2!.arraySync() as number[][][]).toEqual([[[1, 0], expect.anything(), expect.anything()]]);
    }
  });

  it('concat score mode: w·Σ tanh(q + k)', () => {
    const layer = new Attention({ scoreMode: 'concat', returnAttentionScores: true });
    const q = tf.tensor([[[0.3, -0.2]]]);
    const k = tf.tensor([[[0.1, 0.4], [-0.5, 0.2]]]);
    layer.apply([q, k]);
    layer.setWeights([tf.scalar(2)]);
    const [, w] = layer.apply([q, k]) as tf.Tensor[];
    const s = [2 * (Math.tanh(0.4) + Math.tanh(0.2)), 2 * (Math.tanh(-0.2) + Math.tanh(0))];
    expect(Array.from(w!.dataSync())).toEqual(softmaxRows([s])[0]!.map((x) => expect.closeTo(x, 5)));
  });
});

describe('AdditiveAttention numbers', () => {
  it('equals softmax(Σ scale·tanh(q + k))·v', () => {
    const layer = new AdditiveAttention({ returnAttentionScores: true });
    const q = tf.tensor([[[0.3, -0.2]]]);
    const v = tf.tensor([[[0.1, 0.4], [-0.5, 0.2]]]);
    layer.apply([q, v]);
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[2]]);
    layer.setWeights([tf.tensor([1.5, -0.5])]);
    const [out, w] = layer.apply([q, v]) as tf.Tensor[];
    const s = [1.5 * Math.tanh(0.4) - 0.5 * Math.tanh(0.2), 1.5 * Math.tanh(-0.2) - 0.5 * Math.tanh(0)];
    const ws = softmaxRows([s])[0]!;
    expect(Array.from(w!.dataSync())).toEqual(ws.map((x) => expect.closeTo(x, 5)));
    expect(Array.from(out!.dataSync())).toEqual([ws[0]! * 0.1 + ws[1]! * -0.5, ws[0]! * 0.4 + ws[1]! * 0.2].map((x) => expect.closeTo(x, 5)));
  });
});

describe('MultiHeadAttention numbers', () => {
  it('matches a per-head reference built from plain tfjs ops, with Keras weight shapes', () => {
    const [h, kd, vd, dq, dv, dout] = [2, 3, 4, 5, 6, 7];
    const layer = new MultiHeadAttention({ numHeads: h, keyDim: kd, valueDim: vd, outputShape: dout, useCausalMask: true, returnAttentionScores: true });
    const q = rand([2, 4, dq], 1);
    const v = rand([2, 4, dv], 2);
    const [out, w] = layer.apply([q, v]) as tf.Tensor[];
    const weights = layer.getWeights();
    expect(weights.map((t) => t.shape)).toEqual([[dq, h, kd], [h, kd], [dv, h, kd], [h, kd], [dv, h, vd], [h, vd], [h, vd, dout], [dout]]);
    const [wq, bq, wk, bk, wv, bv, wo, bo] = weights as tf.Tensor[];
    const heads: tf.Tensor[] = [];
    const probs: tf.Tensor[] = [];
    const mask = tf.tensor2d([0, 1, 2, 3].flatMap((i) => [0, 1, 2, 3].map((j) => (j > i ? -1e9 : 0))), [4, 4]);
    for (let i = 0; i < h; i++) {
      const proj = (x: tf.Tensor, kern: tf.Tensor, bias: tf.Tensor, dim: number) =>
        tf.add(tf.einsum('btd,dk->btk', x, tf.reshape(tf.slice(kern, [0, i, 0], [-1, 1, dim]), [-1, dim])), tf.reshape(tf.slice(bias, [i, 0], [1, dim]), [dim]));
      const qh = proj(q, wq!, bq!, kd);
      const kh = proj(v, wk!, bk!, kd);
      const vh = proj(v, wv!, bv!, vd);
      const p = tf.softmax(tf.add(tf.div(tf.matMul(qh, kh, false, true), Math.sqrt(kd)), mask));
      probs.push(p);
      heads.push(tf.einsum('btv,vo->bto', tf.matMul(p, vh), tf.reshape(tf.slice(wo!, [i, 0, 0], [1, vd, dout]), [vd, dout])));
    }
    const ref = tf.add(tf.addN(heads), bo!);
    expect(out!.shape).toEqual([2, 4, dout]);
    expect(tf.max(tf.abs(tf.sub(out!, ref))).dataSync()[0]).toBeLessThan(1e-5);
    expect(w!.shape).toEqual([2, h, 4, 4]);
    expect(tf.max(tf.abs(tf.sub(w!, tf.stack(probs, 1)))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('has exactly Keras\' parameter count', () => {
    // keras.layers.MultiHeadAttention(num_heads=4, key_dim=8) on query [*, 10, 16], value [*, 12, 16]
    // has 4·8·16·3 + 4·8·3 (q, k, v) + 4·8·16 + 16 (output) = 2160 parameters.
    const m = wrap(new MultiHeadAttention({ numHeads: 4, keyDim: 8 }), [[10, 16], [12, 16]]);
    expect(m.countParams()).toBe(2160);
  });
});

describe('positional layers', () => {
  it('SinePositionEncoding adds Keras-hub\'s encoding: sin on even features, cos on odd', () => {
    const enc = sineEncoding(3, 4, 10000);
    // position 1: timescales 1, 1, 10000^(−1/2) = 0.01, 0.01.
    expect(Array.from(enc)).toEqual([0, 1, 0, 1, Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01), Math.sin(2), Math.cos(2), Math.sin(0.02), Math.cos(0.02)].map((x) => expect.closeTo(x, 6)));
    const y = new SinePositionEncoding({}).apply(tf.ones([2, 3, 4])) as tf.Tensor;
    expect(Array.from(y.dataSync()).slice(0, 12)).toEqual(Array.from(enc).map((x) => expect.closeTo(x + 1, 6)));
  });

  it('PositionalEmbedding adds rows 0…T−1 of its table and rejects sequences longer than maxLength', () => {
    const layer = new PositionalEmbedding({ maxLength: 5 });
    const x = rand([2, 3, 4], 3);
    layer.apply(x);
    const table = rand([5, 4], 4);
    layer.setWeights([table]);
    const y = layer.apply(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(y, tf.add(x, tf.slice(table, [0, 0], [3, 4]))))).dataSync()[0]).toBeLessThan(1e-7);
    expect(() => layer.apply(tf.zeros([1, 6, 4]))).toThrow(/6 steps but has maxLength 5: raise maxLength/);
  });
});

describe('training: gradients reach every weight and the loss goes down', () => {
  const cases: [string, () => tf.LayersModel][] = [
    ['Attention', () => seqModel((x) => new Attention({ useScale: true, useCausalMask: true, dropout: 0.1 }).apply([x, x]) as tf.SymbolicTensor)],
    ['Attention concat', () => seqModel((x) => new Attention({ scoreMode: 'concat', useScale: true }).apply([x, x]) as tf.SymbolicTensor)],
    ['AdditiveAttention', () => seqModel((x) => new AdditiveAttention({ dropout: 0.1 }).apply([x, x]) as tf.SymbolicTensor)],
    ['MultiHeadAttention', () => seqModel((x) => new MultiHeadAttention({ numHeads: 2, keyDim: 4, dropout: 0.1, useCausalMask: true }).apply([x, x]) as tf.SymbolicTensor)],
    ['PositionalEmbedding', () => seqModel((x) => new PositionalEmbedding({ maxLength: 8 }).apply(x) as tf.SymbolicTensor)],
    ['SinePositionEncoding', () => seqModel((x) => new SinePositionEncoding({}).apply(x) as tf.SymbolicTensor)],
  ];
  /** Input [6, 4] → Dense(4) → the layer under test → Flatten → Dense(1). */
  function seqModel(body: (x: tf.SymbolicTensor) => tf.SymbolicTensor): tf.LayersModel {
    const x = tf.input({ shape: [6, 4] });
    const h = tf.layers.dense({ units: 4 }).apply(x) as tf.SymbolicTensor;
    const y = tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(body(h)) as tf.SymbolicTensor) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: y });
  }
  for (const [name, make] of cases) {
    // Initial weights and dropout masks from a seeded Math.random (tfjs draws its seeds from it):
    // unseeded, one run in many started where 15 steps did not bring the loss under 0.7× (CI, the
    // AdditiveAttention case; 1 of 8 seeds tried failed one case). 25 steps pass every seed tried.
    // The steps run synchronously (model.fit's awaits would let the seeded stream go before its
    // dropout draws).
    it(name, () =>
      withSeededRandom(18, () => {
        const model = make();
        const xs = rand([16, 6, 4], 5);
        const ys = tf.sum(xs, [1, 2]).reshape([16, 1]);
        const loss = () => tf.losses.meanSquaredError(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;
        // Every weight gets a non-zero gradient.
        const { grads } = tf.variableGrads(loss);
        for (const w of model.trainableWeights) {
          const g = grads[w.name];
          expect(g, `gradient of ${w.name}`).toBeDefined();
          expect(tf.max(tf.abs(g!)).dataSync()[0], `gradient of ${w.name}`).toBeGreaterThan(0);
        }
        const opt = tf.train.adam(0.02);
        const losses = Array.from({ length: 25 }, () => (opt.minimize(loss, true) as tf.Scalar).dataSync()[0]!);
        expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.7);
      }),
    );
  }
});

describe('Sampling', () => {
  it('is the mean at inference and mean + exp(logVar/2)·ε while training', () => {
    const layer = new Sampling({});
    const mean = tf.fill([2000, 2], 3);
    const logVar = tf.fill([2000, 2], Math.log(4)); // σ = 2
    expect(Array.from((layer.apply([mean, logVar]) as tf.Tensor).dataSync().slice(0, 4))).toEqual([3, 3, 3, 3]);
    const z = layer.apply([mean, logVar], { training: true }) as tf.Tensor;
    const { mean: m, variance } = tf.moments(z);
    expect(m.dataSync()[0]).toBeCloseTo(3, 0);
    expect(Math.sqrt(variance.dataSync()[0]!)).toBeCloseTo(2, 0);
  });

  it('KL is −0.5·mean over batch of Σ(1 + logVar − mean² − exp(logVar))', () => {
    const mean = tf.tensor([[1, 0], [0.5, -1]]);
    const logVar = tf.tensor([[0, 0.5], [-1, 0]]);
    const rows = [[1, 0, 0, 0.5], [0.5, -1, -1, 0]].map(([m1, m2, l1, l2]) => 1 + l1! - m1! ** 2 - Math.exp(l1!) + 1 + l2! - m2! ** 2 - Math.exp(l2!));
    expect(klDivergence(mean, logVar).dataSync()[0]).toBeCloseTo((-0.5 * (rows[0]! + rows[1]!)) / 2, 5);
  });

  it('model.fit adds the weighted KL to the loss and the gradient pulls mean → 0, logVar → 0', async () => {
    // Mean and logVar come from biases only (zero kernel input), so the data loss is 0 and fit
    // minimises the KL alone: its reported loss is the KL, and training shrinks it.
    const x = tf.input({ shape: [1] });
    const mean = tf.layers.dense({ units: 3, kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: 1 }) }).apply(x) as tf.SymbolicTensor;
    const logVar = tf.layers.dense({ units: 3, kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: 0.5 }) }).apply(x) as tf.SymbolicTensor;
    const sampling = new Sampling({ klWeight: 0.5 });
    const z = sampling.apply([mean, logVar]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, kernelInitializer: 'zeros', useBias: false, trainable: false }).apply(z) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: out });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const xs = tf.zeros([8, 1]);
    const ys = tf.zeros([8, 1]);
    const kl0 = 0.5 * -0.5 * 3 * (1 + 0.5 - 1 - Math.exp(0.5));
    const h = await model.fit(xs, ys, { epochs: 20, batchSize: 8, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[0]).toBeCloseTo(kl0, 4);
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! * 0.5);
    expect(samplingLosses(model).dataSync()[0]).toBeCloseTo(loss[loss.length - 1]!, 1);
  });
});

describe('serialization: toJSON / modelFromJSON and save / load give the same predictions', () => {
  const cases: [string, () => tf.layers.Layer, number[][]][] = [
    ['Attention', () => new Attention({ useScale: true, scoreMode: 'concat', useCausalMask: true, returnAttentionScores: true, dropout: 0.2 }), [[3, 4], [5, 2], [5, 4]]],
    ['AdditiveAttention', () => new AdditiveAttention({ useCausalMask: true, returnAttentionScores: true }), [[4, 3], [4, 3]]],
    ['MultiHeadAttention', () => new MultiHeadAttention({ numHeads: 3, keyDim: 2, valueDim: 4, outputShape: 5, useBias: false, useCausalMask: true, returnAttentionScores: true }), [[4, 6], [4, 3], [4, 7]]],
    ['PositionalEmbedding', () => new PositionalEmbedding({ maxLength: 9, outputDim: 4 }), [[6, 4]]],
    ['SinePositionEncoding', () => new SinePositionEncoding({ maxWavelength: 500 }), [[6, 5]]],
    ['Sampling', () => new Sampling({ klWeight: 0.25 }), [[3], [3]]],
  ];
  for (const [name, make, shapes] of cases) {
    it(name, async () => {
      const model = wrap(make(), shapes);
      // Non-default weights, so a reload with fresh initial values would show.
      model.setWeights(model.getWeights().map((w, i) => rand(w.shape, 100 + i)));
      const xs = shapes.map((s, i) => rand([2, ...s], 10 + i));
      const json = model.toJSON() as string;
      expect(json).toContain(`"class_name":"${name}"`);
      const fromJson = await tf.models.modelFromJSON(JSON.parse(json));
      fromJson.setWeights(model.getWeights());
      await expectSamePredictions(model, fromJson, xs);
      const layerConfig = (l: tf.LayersModel) => l.layers.find((x) => x.getClassName() === name)!.getConfig();
      expect(layerConfig(fromJson)).toEqual(layerConfig(model));

      let artifacts: tf.io.ModelArtifacts | undefined;
      await model.save(
        tf.io.withSaveHandler(async (a) => {
          artifacts = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
      await expectSamePredictions(model, loaded, xs);
    });
  }
});

describe('one tensor on several ports (self-attention)', () => {
  // tfjs' executor frees a tensor fed twice to one layer too early when it has other consumers;
  // the blocks pass distinct tensors plus portInputs instead. This is the transformer pattern:
  // x → attention(query = x, value = x) and x → residual Add.
  const layers: [string, (portInputs: number[]) => tf.layers.Layer][] = [
    ['Attention', (portInputs) => new Attention({ returnAttentionScores: true, portInputs })],
    ['AdditiveAttention', (portInputs) => new AdditiveAttention({ returnAttentionScores: true, portInputs })],
    ['MultiHeadAttention', (portInputs) => new MultiHeadAttention({ numHeads: 2, keyDim: 3, returnAttentionScores: true, portInputs })],
  ];
  for (const [name, make] of layers) {
    it(`${name}: predict works and equals the layer fed [x, x], and the config round-trips`, async () => {
      const x = tf.input({ shape: [5, 4] });
      const h = tf.layers.dense({ units: 4 }).apply(x) as tf.SymbolicTensor;
      const layer = make([0, 0]);
      const [att, scores] = layer.apply([h]) as tf.SymbolicTensor[];
      const res = tf.layers.add().apply([h, att!]) as tf.SymbolicTensor;
      const sc = tf.layers.dense({ units: 2 }).apply(scores!) as tf.SymbolicTensor;
      const model = tf.model({ inputs: x, outputs: [res, sc] });
      const xs = rand([2, 5, 4], 9);
      const [y1] = model.predict(xs) as tf.Tensor[];
      // Same numbers as the plain layer on [hx, hx] with the same weights.
      const hx = (model.layers[1]!.apply(xs) as tf.Tensor);
      const plain = make(null as unknown as number[]);
      plain.apply([hx, hx]);
      plain.setWeights(layer.getWeights());
      const [ref] = plain.apply([hx, hx]) as tf.Tensor[];
      expect(tf.max(tf.abs(tf.sub(y1!, tf.add(hx, ref!)))).dataSync()[0]).toBeLessThan(1e-5);
      const reloaded = await tf.models.modelFromJSON(JSON.parse(model.toJSON() as string));
      reloaded.setWeights(model.getWeights());
      await expectSamePredictions(model, reloaded, [xs]);
    });
  }
});

describe('pure shape rules', () => {
  const s = (...d: (number | null)[]): Shape => [null, ...d];
  it('Attention needs query and key with the same last dimension', () => {
    expect(() => luongShapes([s(4, 8), s(6, 5)], 'Attention', false)).toThrow(/Attention needs query and key with the same last dimension: query \[null, 4, 8\] has 8, value \(used as key\) \[null, 6, 5\] has 5 — add a Dense\(5\)/);
    expect(() => luongShapes([s(4, 8), s(6, 5), s(6, 3)], 'AdditiveAttention', false)).toThrow(/same last dimension: query \[null, 4, 8\] has 8, key \[null, 6, 3\] has 3/);
    expect(luongShapes([s(4, 8), s(6, 5), s(6, 8)], 'Attention', true)).toEqual([s(4, 5), s(4, 6)]);
  });
  it('key and value must have the same number of steps; inputs must be sequences', () => {
    expect(() => mhaShapes([s(4, 8), s(6, 8), s(7, 8)], 2, null, false)).toThrow(/key and value with the same number of time steps: key \[null, 7, 8\] has 7, value \[null, 6, 8\] has 6/);
    expect(() => luongShapes([s(8), s(6, 8)], 'Attention', false)).toThrow(/Attention needs a 2-D \(3 with batch\) input on "query", got \[null, 8\]/);
    expect(mhaShapes([s(4, 8), s(null, 3)], 5, 11, true)).toEqual([s(4, 11), s(5, 4, null)]);
  });
  it('positional and sampling shapes', () => {
    expect(() => positionalShape(s(12, 4), 'PositionalEmbedding', 10)).toThrow(/maxLength 10 but the input \[null, 12, 4\] has 12 time steps — raise maxLength to at least 12/);
    expect(() => positionalShape(s(5, 4), 'PositionalEmbedding', 10, 8)).toThrow(/outputDim is 8, the input \[null, 5, 4\] has 4 — set outputDim to 4/);
    expect(() => samplingShape([s(4), s(3)])).toThrow(/Sampling needs mean and logVar of the same shape, got mean \[null, 4\] and logVar \[null, 3\]/);
    // An unknown size stays unknown: at inference z is the mean, sized by the run, not by logVar.
    expect(samplingShape([s(4, null), s(null, 2)])).toEqual(s(null, null));
    expect(samplingShape([s(4, 2), s(4, 2)])).toEqual(s(4, 2));
  });
});
