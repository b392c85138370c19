// Conv2D layers trained through wasmConvTrain.ts (one fused forward kernel, dy·step(y), channel
// sums for the bias) against the same layers through tfjs' own ops on WASM and on the CPU backend:
// the loss and every weight's gradient, for ReLU and linear layers, with and without bias, strided,
// 'valid' and 'same', first layer (its input is data) and deeper ones.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../core/randomInputs';
import { bridgeWasmKernels } from './wasmKernels';
import { wasmConvTraining } from './wasmConvTrain';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  bridgeWasmKernels();
});
afterAll(() => {
  wasmConvTraining.enabled = true;
});

const randn = (shape: number[], seed: number) => {
  const r = rng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1), shape);
};

/** A small CNN with the given conv layers; its loss and its weights' gradients on one batch. */
async function lossAndGrads(backend: 'cpu' | 'wasm', route: boolean, convs: tf.layers.Layer[]): Promise<{ loss: number; grads: Float32Array[]; routed: number }> {
  await tf.setBackend(backend);
  wasmConvTraining.enabled = route;
  const input = tf.input({ shape: [12, 12, 3] });
  const h = convs.reduce<tf.SymbolicTensor>((t, l) => l.apply(t) as tf.SymbolicTensor, input);
  const m = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 5, activation: 'softmax' }).apply(tf.layers.flatten().apply(h)) as tf.SymbolicTensor });
  // the same weights on every run
  m.setWeights(m.getWeights().map((w, i) => randn(w.shape, 10 + i).mul(0.5)));
  const x = randn([4, 12, 12, 3], 1);
  const y = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5);
  const loss = () => tf.losses.softmaxCrossEntropy(y, tf.log((m.apply(x, { training: true }) as tf.Tensor).clipByValue(1e-7, 1))) as tf.Scalar;
  const { value, grads } = tf.variableGrads(loss);
  // How many conv layer calls of one more step took the route.
  const before = wasmConvTraining.routed;
  tf.tidy(() => tf.variableGrads(loss).value);
  const routed = wasmConvTraining.routed - before;
  const out = { loss: (await value.data())[0]!, grads: await Promise.all(m.trainableWeights.map(async (w) => Float32Array.from(await grads[w.originalName]!.data()))), routed };
  tf.dispose([value, ...Object.values(grads), x, y]);
  m.dispose();
  return out;
}

const maxRel = (a: Float32Array[], b: Float32Array[]) => {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!) / (1e-3 + Math.abs(b[i]![j]!))))));
  return m;
};

describe('Conv2D training on WASM through one fused forward kernel', () => {
  const layers = (): [string, () => tf.layers.Layer[], number][] => [
    ['relu, bias, same, the first layer and a deeper one', () => [tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' })], 2],
    ['linear, no bias, valid, stride 2', () => [tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', useBias: false }), tf.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu' })], 2],
    ['relu, stride 2 same, without bias after one with', () => [tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', useBias: false })], 2],
    ['tanh (LeNet-5) and sigmoid', () => [tf.layers.conv2d({ filters: 4, kernelSize: 5, padding: 'same', activation: 'tanh' }), tf.layers.conv2d({ filters: 5, kernelSize: 3, activation: 'sigmoid' })], 2],
    ['elu layers stay on tfjs\' path', () => [tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'elu' })], 0],
  ];
  for (const [name, make, sums] of layers())
    it(`${name}: loss and gradients equal tfjs' own path and the CPU backend`, async () => {
      const ours = await lossAndGrads('wasm', true, make());
      const tfjs = await lossAndGrads('wasm', false, make());
      const cpu = await lossAndGrads('cpu', true, make());
      // the route was taken by every conv layer it applies to (none off the route)
      expect(ours.routed).toBe(sums);
      expect(tfjs.routed).toBe(0);
      expect(ours.grads.length).toBe(cpu.grads.length);
      expect(Math.abs(ours.loss - cpu.loss)).toBeLessThan(1e-5);
      expect(Math.abs(ours.loss - tfjs.loss)).toBeLessThan(1e-5);
      expect(maxRel(ours.grads, cpu.grads)).toBeLessThan(2e-3);
      expect(maxRel(ours.grads, tfjs.grads)).toBeLessThan(2e-3);
      // the gradients are not trivially zero
      expect(ours.grads.every((g) => g.some((v) => Math.abs(v) > 1e-6))).toBe(true);
    });

  it('a training step leaks no tensor and no WASM memory', async () => {
    await tf.setBackend('wasm');
    wasmConvTraining.enabled = true;
    const m = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
    const x = randn([3, 8, 8, 2], 4);
    const opt = tf.train.sgd(0.1);
    const step = () => opt.minimize(() => tf.mean(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
    step();
    const ids = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const [n, d] = [tf.memory().numTensors, ids()];
    step();
    step();
    expect(tf.memory().numTensors).toBe(n);
    expect(ids()).toBe(d);
    tf.dispose(x);
    opt.dispose();
    m.dispose();
  });
});
