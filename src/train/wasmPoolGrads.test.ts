// The WASM backend's pooling gradients (src/train/wasmPoolGrads.ts) against tfjs' CPU backend, the
// reference: bit for bit, over disjoint and overlapping windows, paddings, ties and NaN.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../core/randomInputs';
import { bridgeWasmKernels } from './wasmKernels';
import { avgPoolGrad, maxPoolGrad } from './wasmPoolGrads';

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  bridgeWasmKernels();
});

/** The input gradient of sum(pool(x) · w) on a backend (w: a random upstream gradient). */
async function gradOn(backend: 'cpu' | 'wasm', kind: 'avg' | 'max', x: Float32Array, shape: [number, number, number, number], size: [number, number], strides: [number, number], pad: 'valid' | 'same'): Promise<Float32Array> {
  await tf.setBackend(backend);
  const g = tf.tidy(() => {
    const pool = (v: tf.Tensor) => (kind === 'avg' ? tf.avgPool(v as tf.Tensor4D, size, strides, pad) : tf.maxPool(v as tf.Tensor4D, size, strides, pad));
    const outShape = pool(tf.zeros(shape)).shape;
    const r = rng(9);
    const w = tf.tensor(Float32Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1), outShape);
    return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pool(v), w)))(tf.tensor4d(x, shape));
  });
  const out = Float32Array.from(await g.data());
  g.dispose();
  return out;
}

/** Positions where two gradients differ in their bits (so -0 vs 0 and NaN vs a number count). */
function differing(a: Float32Array, b: Float32Array): number[] {
  const ua = new Uint32Array(a.buffer);
  const ub = new Uint32Array(b.buffer);
  const bad: number[] = [];
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) bad.push(i);
  return bad;
}

const cases: { x: [number, number, number, number]; size: [number, number]; strides: [number, number]; pad: 'valid' | 'same'; why: string }[] = [
  { x: [4, 28, 28, 6], size: [2, 2], strides: [2, 2], pad: 'valid', why: "LeNet-5's S2 (disjoint windows)" },
  { x: [3, 10, 10, 16], size: [2, 2], strides: [2, 2], pad: 'valid', why: "LeNet-5's S4" },
  { x: [2, 9, 7, 3], size: [2, 2], strides: [2, 2], pad: 'same', why: 'odd sizes, padded edge windows' },
  { x: [2, 11, 11, 4], size: [3, 3], strides: [2, 2], pad: 'valid', why: "overlapping windows (AlexNet's pools)" },
  { x: [2, 8, 9, 5], size: [3, 3], strides: [1, 1], pad: 'same', why: 'every pixel in up to nine windows' },
  { x: [1, 13, 12, 2], size: [3, 2], strides: [3, 4], pad: 'valid', why: 'stride larger than the filter (pixels in no window)' },
  { x: [2, 7, 10, 3], size: [4, 3], strides: [2, 1], pad: 'same', why: 'uneven filter and strides' },
];

describe('WASM pooling gradients', () => {
  it('replace tfjs-wasm\'s own AvgPoolGrad and MaxPoolGrad', () => {
    expect(bridgeWasmKernels()).toEqual(expect.arrayContaining(['AvgPoolGrad', 'MaxPoolGrad']));
    expect(tf.getKernel('AvgPoolGrad', 'wasm')!.kernelFunc).toBe(avgPoolGrad);
    expect(tf.getKernel('MaxPoolGrad', 'wasm')!.kernelFunc).toBe(maxPoolGrad);
  });

  for (const c of cases)
    for (const kind of ['avg', 'max'] as const) {
      it(`${kind} pooling ${c.size} / ${c.strides} ${c.pad} on x ${c.x} (${c.why}): the CPU backend's gradient, bit for bit`, async () => {
        const r = rng(3);
        // Max pooling: values from a few levels, so windows hold ties (the first maximum wins).
        const x = Float32Array.from({ length: c.x.reduce((a, b) => a * b) }, () => (kind === 'max' ? Math.floor(r() * 4) : r() * 2 - 1));
        const cpu = await gradOn('cpu', kind, x, c.x, c.size, c.strides, c.pad);
        const wasm = await gradOn('wasm', kind, x, c.x, c.size, c.strides, c.pad);
        expect(wasm.length).toBe(x.length);
        expect(differing(wasm, cpu)).toEqual([]);
        // not trivially zero
        expect(Math.max(...Array.from(cpu, Math.abs))).toBeGreaterThan(0.05);
      });
    }

  it('max pooling with NaN in the input: NaN never wins a window, as on the CPU backend', async () => {
    const shape: [number, number, number, number] = [1, 4, 4, 2];
    const r = rng(4);
    const x = Float32Array.from({ length: 32 }, () => r());
    x[0] = NaN; // in the first window of channel 0, beside three numbers
    for (const p of [4, 6, 12, 14]) x[p] = NaN; // the whole second window of channel 0 (pixels (0,2) (0,3) (1,2) (1,3))
    const cpu = await gradOn('cpu', 'max', x, shape, [2, 2], [2, 2], 'valid');
    const wasm = await gradOn('wasm', 'max', x, shape, [2, 2], [2, 2], 'valid');
    expect(differing(wasm, cpu)).toEqual([]);
    expect(wasm[0]).toBe(0);
    expect([4, 6, 12, 14].map((p) => wasm[p])).toEqual([0, 0, 0, 0]);
  });
});
