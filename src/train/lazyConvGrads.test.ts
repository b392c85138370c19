// The first convolution's input gradient is not computed while training (lazyConvGrads.ts), and
// the weight gradients are those of the fused path.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { rng } from '../core/randomInputs';
import { installLazyConvInputGradient, lazyConv } from './lazyConvGrads';

function model(activation: 'tanh' | 'linear' | 'relu') {
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 3, kernelSize: 3, activation, kernelInitializer: tf.initializers.randomNormal({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation, kernelInitializer: tf.initializers.randomNormal({ seed: 3 }), biasInitializer: tf.initializers.randomNormal({ seed: 4 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.randomNormal({ seed: 5 }) }),
    ],
  });
  return m;
}

async function gradsAndCalls(activation: 'tanh' | 'linear' | 'relu') {
  await tf.setBackend('cpu');
  const m = model(activation);
  const r = rng(3);
  const x = tf.tensor4d(Float32Array.from({ length: 2 * 144 }, () => r() - 0.5), [2, 12, 12, 1]);
  const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
  let grads: Float32Array[] = [];
  const prof = await tf.profile(() => {
    const { grads: g } = tf.variableGrads(() => tf.sum(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
    grads = vars.map((v) => g[v.name]!.dataSync() as Float32Array);
  });
  const inputGrads = prof.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length;
  const out = (m.predict(x) as tf.Tensor).dataSync();
  m.dispose();
  x.dispose();
  return { grads, inputGrads, out };
}

describe('lazy convolution input gradients while training', () => {
  for (const act of ['tanh', 'linear', 'relu'] as const) {
    it(`${act}: only the second convolution's input gradient is computed, weight gradients as before`, async () => {
      installLazyConvInputGradient();
      lazyConv.enabled = false;
      const before = await gradsAndCalls(act);
      lazyConv.enabled = true;
      const after = await gradsAndCalls(act);
      // the fused path (tanh, linear) computed both; relu was already lazy in tfjs
      if (act !== 'relu') expect(before.inputGrads).toBe(2);
      expect(after.inputGrads).toBe(1);
      expect(after.grads.length).toBe(6);
      after.grads.forEach((g, i) => {
        const scale = Math.max(1, ...Array.from(before.grads[i]!).map(Math.abs));
        g.forEach((v, j) => expect(Math.abs(v - before.grads[i]![j]!) / scale).toBeLessThan(1e-5));
      });
      expect(Math.max(...Array.from(after.grads[0]!).map(Math.abs))).toBeGreaterThan(1e-4);
      // inference (no gradient recorded) is untouched
      expect(Array.from(after.out)).toEqual(Array.from(before.out));
    });
  }
});
