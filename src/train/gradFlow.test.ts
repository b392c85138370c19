// Gradient flow: the numbers are the real ones (checked against tf.variableGrads and the SGD
// update rule), sampling does not change training, and a deep sigmoid MLP is flagged as vanishing
// where the same net with ReLU and He initialisation is not.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { makePoints } from '../data/synthetic';
import { DEFAULT_TRAINING, type TrainingConfig } from './config';
import { lossValue, train } from './loop';
import { createGradFlow, diagnose, powerOfTen, type GradFlowSample } from './gradFlow';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function deep(layers: number, activation: string, units = 16): GraphDoc {
  const ids = ['x', ...Array.from({ length: layers }, (_, i) => `dense_${i + 1}`), 'out'];
  return {
    format: 'neural-blocks.graph',
    version: 1,
    nodes: [
      { id: 'x', type: 'Input', params: { shape: [2] } },
      ...ids.slice(1, -1).map((id) => ({ id, type: 'Dense', params: { units, activation } })),
      { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } },
    ],
    edges: ids.slice(1).map((t, i) => ({ source: ids[i]!, target: t })),
  };
}

async function samples(doc: GraphDoc, cfg: TrainingConfig, every = 1, activations = true) {
  const c = compile(doc, { seed: cfg.seed, kernelInitializer: cfg.kernelInitializer });
  const got: GradFlowSample[] = [];
  const res = await train(c, makePoints('xor', { n: 256, seed: 2 }), cfg, {}, {}, { gradFlow: createGradFlow(c, { every, activations }, (s) => void got.push(s)) });
  return { c, got, res };
}

const cfg: TrainingConfig = { ...DEFAULT_TRAINING, epochs: 1, batchSize: 64, validationSplit: 0, optimizer: 'sgd', learningRate: 0.1 };

describe('gradient flow', () => {
  it('gives each block its true gradient norm and, for SGD, the update ratio lr·‖g‖/‖w‖', async () => {
    const doc = deep(2, 'tanh');
    // The same seed builds the same initial weights: the first sample's gradient is computable here.
    const twin = compile(doc, { seed: 1, kernelInitializer: cfg.kernelInitializer });
    const data = makePoints('xor', { n: 256, seed: 2 });
    const { c, got } = await samples(doc, { ...cfg, batchSize: 256 });
    const n = data.train.n;
    const x = tf.tensor(data.train.x[0]!.data, [n, 2]);
    const y = tf.tensor(data.train.y[0]!.data, [n], 'int32');
    const vars = twin.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => lossValue('sparseCategoricalCrossentropy', y, twin.model.apply(x) as tf.Tensor), vars);
    const first = got[0]!;
    expect(first.step).toBe(1);
    expect(first.blocks.map((b) => b.node)).toEqual(['dense_1', 'dense_2', 'out']);
    for (const b of first.blocks) {
      const own = twin.model.trainableWeights.filter((w) => w.originalName.startsWith(`${b.node}/`)).map((w) => grads[(w.read() as tf.Variable).name]!);
      const want = Math.sqrt(own.reduce((s, g) => s + (tf.sum(tf.square(g)).dataSync()[0] as number), 0));
      expect(b.gradNorm).toBeGreaterThan(0);
      expect(Math.abs(b.gradNorm - want) / want).toBeLessThan(1e-4);
    }
    // one batch per epoch: the step was lr·g exactly, and the weights after it are the model's now
    for (const b of first.blocks) {
      const w = c.layersByNode.get(b.node)![0]!.trainableWeights.reduce((s, v) => s + (tf.sum(tf.square(v.read())).dataSync()[0] as number), 0);
      expect(Math.abs(b.weightNorm - Math.sqrt(w)) / Math.sqrt(w)).toBeLessThan(1e-5);
      expect(Math.abs(b.updateRatio - (0.1 * b.gradNorm) / b.weightNorm) / b.updateRatio).toBeLessThan(1e-3);
    }
    tf.dispose([x, y, ...Object.values(grads)]);
    twin.model.dispose();
    c.model.dispose();
  });

  it('samples every N batches and never changes what training does', async () => {
    const doc = deep(2, 'relu');
    const c = compile(doc, { seed: 4, kernelInitializer: cfg.kernelInitializer });
    await train(c, makePoints('xor', { n: 256, seed: 2 }), { ...cfg, seed: 4, epochs: 2, batchSize: 16 });
    const plain = c.model.getWeights().map((w) => Array.from(w.dataSync()));
    const { c: c2, got } = await samples(doc, { ...cfg, seed: 4, epochs: 2, batchSize: 16 }, 5);
    const sampled = c2.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(sampled).toEqual(plain);
    // 205 training examples in batches of 16: 13 batches an epoch, sampled at 0, 5 and 10 of each
    expect(got.map((s) => s.step)).toEqual([1, 6, 11, 14, 19, 24]);
    // ReLU outputs: some exact zeros, a finite mean and std
    const act = got[0]!.blocks[0]!.act!;
    expect(act.zeros).toBeGreaterThan(0.05);
    expect(act.zeros).toBeLessThan(1);
    expect(act.std).toBeGreaterThan(0);
    c.model.dispose();
    c2.model.dispose();
  });

  it('flags a 10-layer sigmoid MLP\'s first block as vanishing, not the same net with ReLU + He initialisation', async () => {
    const sig = await samples(deep(10, 'sigmoid'), cfg);
    const relu = await samples(deep(10, 'relu'), { ...cfg, kernelInitializer: 'heNormal' });
    const ratio = (s: GradFlowSample) => s.blocks[0]!.gradNorm / s.blocks[s.blocks.length - 1]!.gradNorm;
    expect(ratio(sig.got[0]!)).toBeLessThan(1e-3);
    expect(ratio(relu.got[0]!)).toBeGreaterThan(1e-2);
    const flags = diagnose(sig.got[0]!);
    expect(flags.some((f) => f.kind === 'vanishing' && f.node === 'dense_1')).toBe(true);
    expect(flags.find((f) => f.node === 'dense_1')!.message).toMatch(/^dense_1's gradients are 10⁻[¹²³⁴⁵⁶⁷⁸⁹⁰]+ of (out|dense_\d+)'s/);
    expect(diagnose(relu.got[0]!).filter((f) => f.kind === 'vanishing')).toEqual([]);
    sig.c.model.dispose();
    relu.c.model.dispose();
  });

  it('leaves no tensors behind', async () => {
    const doc = deep(2, 'relu');
    const c = compile(doc, { seed: 1 });
    const data = makePoints('xor', { n: 128, seed: 2 });
    const hook = createGradFlow(c, { every: 1, activations: true }, () => undefined);
    await train(c, data, cfg, {}, {}, { gradFlow: hook }); // warm-up builds the probe model once
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await train(c, data, cfg, {}, {}, { gradFlow: hook });
    expect(tf.memory().numTensors).toBe(before);
    c.model.dispose();
  });

  it('flags a block whose steps are as big as its weights as exploding', () => {
    const flags = diagnose({ epoch: 0, batch: 0, step: 1, blocks: [{ node: 'rnn', gradNorm: 5e4, weightNorm: 3, updateRatio: 4 }, { node: 'out', gradNorm: 2e4, weightNorm: 1, updateRatio: 0.9 }] });
    expect(flags.map((f) => [f.kind, f.node])).toEqual([
      ['exploding', 'rnn'],
      ['exploding', 'out'],
    ]);
    expect(flags[0]!.message).toContain('clipNorm');
  });

  it('writes powers of ten as superscripts', () => {
    expect(powerOfTen(1e-6)).toBe('10⁻⁶');
    expect(powerOfTen(3.2e-5)).toBe('10⁻⁴'); // log10 = -4.49 rounds to -4
    expect(powerOfTen(12)).toBe('10¹');
  });
});
