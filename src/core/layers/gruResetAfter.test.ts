// GRUResetAfter (Keras reset_after / PyTorch nn.GRU semantics): against a hand-written reference
// of the formulas, through save/reload, training, and ONNX (linear_before_reset = 1) with EVERY
// weight random — the block contract's ONNX leg uses tfjs' initial weights, whose zero biases
// would not show a recurrent bias put in the wrong row.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRUResetAfter } from './gruResetAfter';
import { compile } from '../compile';
import type { GraphDoc } from '../graph';
import { compiledParity } from '../../onnx/parity';
import { seedWeights } from '../../onnx/seedWeights';
import { rng } from '../randomInputs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The GRU recurrence with reset after the recurrent matmul, in plain numbers. */
function reference(x: number[][][], k: Float32Array, r: Float32Array, b: Float32Array, u: number): number[][] {
  return x.map((seq) => {
    let h = new Array<number>(u).fill(0);
    for (const xt of seq) {
      const mx = Array.from({ length: 3 * u }, (_, j) => xt.reduce((s, v, i) => s + v * k[i * 3 * u + j]!, 0) + b[j]!);
      const mh = Array.from({ length: 3 * u }, (_, j) => h.reduce((s, v, i) => s + v * r[i * 3 * u + j]!, 0) + b[3 * u + j]!);
      h = h.map((hp, j) => {
        const z = sigmoid(mx[j]! + mh[j]!);
        const rg = sigmoid(mx[u + j]! + mh[u + j]!);
        const cand = Math.tanh(mx[2 * u + j]! + rg * mh[2 * u + j]!);
        return z * hp + (1 - z) * cand;
      });
    }
    return h;
  });
}

function randomData(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

describe('GRUResetAfter layer', () => {
  it('computes the reset-after recurrence (bias [2, 3u]: input row, recurrent row)', () => {
    const u = 2;
    const f = 3;
    const layer = new GRUResetAfter({ units: u, recurrentActivation: 'sigmoid' });
    const input = tf.input({ shape: [4, f] });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[f, 3 * u], [u, 3 * u], [2, 3 * u]]);
    const k = randomData(f * 3 * u, 1);
    const r = randomData(u * 3 * u, 2);
    const b = randomData(2 * 3 * u, 3);
    layer.setWeights([tf.tensor(k, [f, 3 * u]), tf.tensor(r, [u, 3 * u]), tf.tensor(b, [2, 3 * u])]);
    const xs = randomData(2 * 4 * f, 4);
    const x3 = [0, 1].map((n) => [0, 1, 2, 3].map((t) => [0, 1, 2].map((i) => xs[(n * 4 + t) * f + i]!)));
    const y = model.predict(tf.tensor(xs, [2, 4, f])) as tf.Tensor;
    const got = y.arraySync() as number[][];
    const want = reference(x3, k, r, b, u);
    for (let n = 0; n < 2; n++) for (let j = 0; j < u; j++) expect(Math.abs(got[n]![j]! - want[n]![j]!)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('reloads from its JSON config (alone and inside Bidirectional) with identical outputs', async () => {
    const input = tf.input({ shape: [5, 3] });
    const gru = new GRUResetAfter({ units: 4, returnSequences: true, recurrentActivation: 'hardSigmoid', name: 'g' });
    const bi = tf.layers.bidirectional({ layer: new GRUResetAfter({ units: 2, name: 'inner' }) as never, mergeMode: 'concat', name: 'bi' });
    const out = bi.apply(gru.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(randomData(w.size, 10 + i), w.shape)));
    const again = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as never });
    again.setWeights(model.getWeights());
    expect(again.layers[1]!.getClassName()).toBe('GRUResetAfter');
    const x = tf.tensor(randomData(2 * 5 * 3, 99), [2, 5, 3]);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const c = (again.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(c)).toEqual(Array.from(a));
    model.dispose();
    again.dispose();
  });

  it('trains: both bias rows and the kernels get gradients', async () => {
    const layer = new GRUResetAfter({ units: 3, dropout: 0.1, recurrentDropout: 0.1 });
    const input = tf.input({ shape: [4, 2] });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(layer.apply(input)) as tf.SymbolicTensor });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const x = tf.tensor(randomData(16 * 4 * 2, 5), [16, 4, 2]);
    const y = tf.tensor(randomData(16, 6), [16, 1]);
    const before = layer.getWeights().map((w) => w.dataSync().slice());
    const h = await model.fit(x, y, { epochs: 15, batchSize: 16, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]!);
    const after = layer.getWeights().map((w) => w.dataSync());
    // The recurrent bias row (second half of the bias) moved too.
    const recBefore = before[2]!.slice(9);
    const recAfter = after[2]!.slice(9);
    expect(recAfter.some((v, i) => Math.abs(v - recBefore[i]!) > 1e-4)).toBe(true);
    model.dispose();
  });
});

describe('GRU resetAfter → ONNX with every weight random', () => {
  const cases: { name: string; params: Record<string, unknown>; type?: string; steps?: number | null }[] = [
    { name: 'native op', params: { units: 4, resetAfter: true, returnSequences: true } },
    { name: 'native op backwards, last step', params: { units: 3, resetAfter: true, goBackwards: true } },
    { name: 'unrolled (hardSigmoid gates)', params: { units: 3, resetAfter: true, recurrentActivation: 'hardSigmoid', returnSequences: true } },
    { name: 'Bidirectional concat', type: 'Bidirectional', params: { layer: 'GRU', units: 3, resetAfter: true, returnSequences: true } },
    { name: 'Bidirectional unrolled sum', type: 'Bidirectional', params: { layer: 'GRU', units: 2, resetAfter: true, activation: 'elu', mergeMode: 'sum' } },
  ];
  for (const cs of cases)
    it(`${cs.name} matches onnxruntime within 1e-4`, async () => {
      const doc: GraphDoc = {
        format: 'neural-blocks.graph',
        version: 1,
        nodes: [
          { id: 'x', type: 'Input', params: { shape: [6, 3] } },
          { id: 'b', type: cs.type ?? 'GRU', params: cs.params },
        ],
        edges: [{ source: 'x', target: 'b' }],
      };
      const c = compile(doc);
      try {
        seedWeights(c, 3, 'parity');
        // The recurrent bias row really is non-zero (else the test would not see its placement).
        const bias = c.model.weights.find((w) => /bias/.test(w.originalName) && w.shape.length === 2)!;
        expect(bias.shape[0]).toBe(2);
        expect(Math.max(...Array.from(bias.read().dataSync()).slice(bias.shape[1]!).map(Math.abs))).toBeGreaterThan(0.1);
        const r = await compiledParity(c, { ort, seed: 2, exportOptions: { graph: doc } });
        for (const o of r.outputs) {
          expect(o.tfjsShape).toBeUndefined();
          expect(o.maxAbsDiff).toBeLessThanOrEqual(1e-4);
        }
      } finally {
        c.model.dispose();
      }
    });
});
