// The attention, positional and Sampling blocks inside whole graphs: node-level errors, a small
// transformer block and a VAE that compile, reload from JSON with the same predictions, train
// with model.fit, and export to ONNX matching tfjs within 1e-4.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import { compiledParity } from '../src/onnx/parity';
import { randomInputs } from '../src/core/randomInputs';
import type { GraphDoc } from '../src/core/graph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const graph = (nodes: GraphDoc['nodes'], edges: GraphDoc['edges']): GraphDoc => ({ format: 'neural-blocks.graph', version: 1, name: 'g', nodes, edges });

const transformer = graph(
  [
    { id: 'x', type: 'Input', params: { shape: [7, 5] } },
    { id: 'proj', type: 'Dense', params: { units: 8 } },
    { id: 'pos', type: 'PositionalEmbedding', params: { maxLength: 10 } },
    { id: 'sine', type: 'SinePositionEncoding', params: {} },
    { id: 'mha', type: 'MultiHeadAttention', params: { numHeads: 2, keyDim: 4, useCausalMask: true, dropout: 0.1 } },
    { id: 'res', type: 'Add', params: {} },
    { id: 'att', type: 'Attention', params: { useScale: true, returnAttentionScores: true } },
    { id: 'add', type: 'AdditiveAttention', params: {} },
    { id: 'head', type: 'Dense', params: { units: 3 } },
    { id: 'mix', type: 'Dense', params: { units: 2 } },
  ],
  [
    { source: 'x', target: 'proj' },
    { source: 'proj', target: 'pos' },
    { source: 'pos', target: 'sine' },
    { source: 'sine', target: 'mha', targetHandle: 'query' },
    { source: 'sine', target: 'mha', targetHandle: 'value' },
    { source: 'sine', target: 'res', targetHandle: 'in0' },
    { source: 'mha', target: 'res', targetHandle: 'in1' },
    { source: 'res', target: 'att', targetHandle: 'query' },
    { source: 'sine', target: 'att', targetHandle: 'value' },
    { source: 'att', sourceHandle: 'out', target: 'add', targetHandle: 'query' },
    { source: 'res', target: 'add', targetHandle: 'value' },
    { source: 'add', target: 'head' },
    { source: 'att', sourceHandle: 'scores', target: 'mix' },
  ],
);

const vae = graph(
  [
    { id: 'x', type: 'Input', params: { shape: [6] } },
    { id: 'enc', type: 'Dense', params: { units: 8, activation: 'tanh' } },
    { id: 'mean', type: 'Dense', params: { units: 2 } },
    { id: 'logVar', type: 'Dense', params: { units: 2 } },
    { id: 'z', type: 'Sampling', params: { klWeight: 0.05 } },
    { id: 'dec', type: 'Dense', params: { units: 6 } },
  ],
  [
    { source: 'x', target: 'enc' },
    { source: 'enc', target: 'mean' },
    { source: 'enc', target: 'logVar' },
    { source: 'mean', target: 'z', targetHandle: 'mean' },
    { source: 'logVar', target: 'z', targetHandle: 'logVar' },
    { source: 'z', target: 'dec' },
  ],
);

describe('graph errors', () => {
  it('Attention with query and key of different sizes is an error on the node, naming the port', () => {
    const a = analyze(
      graph(
        [
          { id: 'q', type: 'Input', params: { shape: [4, 8] } },
          { id: 'v', type: 'Input', params: { shape: [6, 5] } },
          { id: 'att', type: 'Attention', params: {} },
        ],
        [
          { source: 'q', target: 'att', targetHandle: 'query' },
          { source: 'v', target: 'att', targetHandle: 'value' },
        ],
      ),
    );
    expect(a.ok).toBe(false);
    expect(a.errors).toContainEqual(
      expect.objectContaining({ node: 'att', port: 'value', message: expect.stringMatching(/Attention needs query and key with the same last dimension: query \[null, 4, 8\] has 8/) }),
    );
  });

  it('a missing query and a sequence longer than maxLength are reported', () => {
    const a = analyze(
      graph(
        [
          { id: 'v', type: 'Input', params: { shape: [12, 4] } },
          { id: 'mha', type: 'MultiHeadAttention', params: {} },
          { id: 'pos', type: 'PositionalEmbedding', params: { maxLength: 10 } },
        ],
        [
          { source: 'v', target: 'mha', targetHandle: 'value' },
          { source: 'v', target: 'pos' },
        ],
      ),
    );
    expect(a.errors.some((e) => e.node === 'mha' && e.port === 'query')).toBe(true);
    expect(a.errors).toContainEqual(expect.objectContaining({ node: 'pos', param: 'maxLength', message: expect.stringMatching(/raise maxLength to at least 12/) }));
  });
});

describe('a transformer-style graph', () => {
  it('infers shapes, counts params as tfjs, reloads from JSON and matches onnxruntime', async () => {
    const a = analyze(transformer);
    expect(a.errors).toEqual([]);
    expect(a.nodes.get('att')!.outputShapes).toEqual({ out: [null, 7, 8], scores: [null, 7, 7] });
    const c = compile(transformer);
    try {
      const total = [...a.nodes.values()].reduce((n, i) => n + i.paramCount!.trainable, 0);
      expect(c.model.countParams()).toBe(total);
      expect(c.outputNames).toEqual([{ node: 'head', port: 'out' }, { node: 'mix', port: 'out' }]);
      const xs = randomInputs([[null, 7, 5]], undefined, 10, 3);
      const reloaded = await tf.models.modelFromJSON(JSON.parse(c.model.toJSON() as string));
      reloaded.setWeights(c.model.getWeights());
      const p1 = c.model.predict(xs[0]!) as tf.Tensor[];
      const p2 = reloaded.predict(xs[0]!) as tf.Tensor[];
      p1.forEach((t, i) => expect(tf.max(tf.abs(tf.sub(t, p2[i]!))).dataSync()[0]).toBeLessThan(1e-6));
      // The attention weights on the scores port are distributions over the key steps.
      const scores = (c.layersByNode.get('att')![0]!.output as tf.SymbolicTensor[])[1]!;
      const rowSums = tf.sum(tf.model({ inputs: c.model.inputs, outputs: scores }).predict(xs[0]!) as tf.Tensor, -1).dataSync();
      expect(rowSums.length).toBe(2 * 7);
      for (const s of rowSums) expect(s).toBeCloseTo(1, 5);
      const r = await compiledParity(c, { ort, seed: 2 });
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      expect(r.outputs.map((o) => o.shape)).toEqual([[2, 7, 3], [2, 7, 2]]);
    } finally {
      c.model.dispose();
    }
  });
});

describe('a VAE graph', () => {
  it('trains with model.fit (KL included), predicts the decoded mean and exports to ONNX', async () => {
    const c = compile(vae);
    try {
      const xs = randomInputs([[null, 6]], undefined, 10, 4, 64)[0]!;
      c.model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
      const h = await c.model.fit(xs, xs, { epochs: 40, batchSize: 64, verbose: 0 });
      const loss = h.history.loss as number[];
      expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! * 0.8);
      // Inference is deterministic (z = mean).
      const a1 = (c.model.predict(xs) as tf.Tensor).dataSync();
      const a2 = (c.model.predict(xs) as tf.Tensor).dataSync();
      expect(Array.from(a1)).toEqual(Array.from(a2));
      // evaluate() has no layer losses, so the fit loss exceeds the plain MSE by the KL.
      const mse = (c.model.evaluate(xs, xs) as tf.Scalar).dataSync()[0]!;
      expect(loss[loss.length - 1]!).toBeGreaterThan(mse * 0.5);
      const r = await compiledParity(c, { ort, seed: 5 });
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    } finally {
      c.model.dispose();
    }
  });
});
