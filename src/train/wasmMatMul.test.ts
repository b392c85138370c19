// The WASM matrix products with a transposed operand (wasmMatMul.ts: the operand transposed first,
// then tfjs-wasm's own untransposed kernel) against tfjs' CPU backend, and the wrapper's bookkeeping.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../core/randomInputs';
import { bridgeWasmKernels, replacedKernels } from './wasmKernels';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  bridgeWasmKernels();
});

const values = (shape: number[], seed: number) => {
  const r = rng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1), shape);
};

async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const r = { shape: out.shape, data: Float32Array.from(await out.data()) };
  out.dispose();
  return r;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('WASM matrix products with transposed operands', () => {
  it('replaces BatchMatMul and _FusedMatMul, keeping tfjs-wasm\'s own for the untransposed product', () => {
    expect(replacedKernels.BatchMatMul).toBeDefined();
    expect(replacedKernels._FusedMatMul).toBeDefined();
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).not.toBe(replacedKernels.BatchMatMul!.kernelFunc);
  });

  // 2-D (a Dense layer's gradients), batched (attention), and a batch broadcast against one matrix.
  const cases: [string, number[], number[]][] = [
    ['2-D', [37, 19], [19, 23]],
    ['batched', [3, 4, 9, 6], [3, 4, 6, 5]],
    ['broadcast batch', [5, 8, 7], [1, 7, 4]],
  ];
  for (const [name, aShape, bShape] of cases)
    for (const ta of [false, true])
      for (const tb of [false, true])
        it(`BatchMatMul ${name}, transposeA ${ta}, transposeB ${tb}: equal to the CPU backend within 1e-5`, async () => {
          const swap = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : s);
          const f = () => tf.matMul(values(swap(aShape, ta), 1), values(swap(bShape, tb), 2), ta, tb);
          const want = await on('cpu', f);
          const got = await on('wasm', f);
          expect(got.shape).toEqual(want.shape);
          expect(maxDiff(got.data, want.data)).toBeLessThan(1e-5);
        });

  it('_FusedMatMul with bias and relu and both operands transposed equals the CPU backend', async () => {
    const f = () => tf.fused.matMul({ a: values([13, 8], 3), b: values([6, 13], 4), transposeA: true, transposeB: true, bias: values([6], 5), activation: 'relu' });
    const want = await on('cpu', f);
    const got = await on('wasm', f);
    expect(got.shape).toEqual([8, 6]);
    expect(want.data.some((v) => v === 0) && want.data.some((v) => v > 0)).toBe(true);
    expect(maxDiff(got.data, want.data)).toBeLessThan(1e-5);
  });

  it('a Dense layer\'s gradients (transposed products) leak no tensor (nor the transposed copies) and match the CPU backend', async () => {
    const f = () => {
      const x = values([16, 12], 6);
      const w = values([12, 7], 7);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))));
      const [dx, dw] = g([x, w]);
      return tf.concat([dx!.flatten(), dw!.flatten()]);
    };
    const want = await on('cpu', f);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const ids = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const beforeIds = ids();
    const got = await on('wasm', f);
    expect(tf.memory().numTensors).toBe(before);
    // the transposed copies live only in the WASM backend: freed there too
    expect(ids()).toBe(beforeIds);
    expect(maxDiff(got.data, want.data)).toBeLessThan(1e-4);
  });
});
