// The import check (compareImported) on LeNet-5 exported by us and imported op by op: the shared
// "run both, largest difference" helpers (onnx/parity.ts) give a difference at float32 rounding,
// and a changed weight shows as a real difference.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import { parseGraphText } from '../core/graph';
import { exportOnnx } from '../onnx/export';
import { maxAbsDiff } from '../onnx/parity';
import { onnxReader } from '../onnx/read';
import { seedWeights } from '../onnx/seedWeights';
import { compareImported } from './compare';
import { importOnnx } from './index';
import { readOnnx } from './onnx/index';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('compareImported', () => {
  it('matches onnxruntime on a re-imported LeNet-5, and sees a changed weight', async () => {
    const c = compile(parseGraphText(readFileSync(new URL('../../templates/lenet5.json', import.meta.url), 'utf8'), 'lenet5.json'));
    seedWeights(c, 7, 'parity');
    const bytes = exportOnnx(c);
    c.model.dispose();
    const m = readOnnx(bytes, reader);
    const imported = importOnnx(bytes, reader, { source: 'lenet5.onnx' });
    const r = await compareImported(bytes, m, imported, { ort: ort as never, seed: 3 });
    expect(r.outputs.map((o) => o.shape)).toEqual([[2, 10]]);
    expect(r.inputs[0]!.shape).toEqual([2, 28, 28, 1]);
    expect(r.outputs[0]!.refMaxAbs).toBeGreaterThan(0.01);
    expect(r.maxAbsDiff).toBeLessThan(1e-5);
    // One weight moved by 1: the comparison must see it.
    const key = Object.keys(imported.weights).find((k) => imported.weights[k]!.shape.length === 2)!;
    const w = imported.weights[key]!;
    const moved = { ...imported, weights: { ...imported.weights, [key]: { shape: w.shape, data: w.data.map((v, i) => (i === 0 ? v + 1 : v)) } } };
    const bad = await compareImported(bytes, m, moved, { ort: ort as never, seed: 3 });
    expect(bad.maxAbsDiff).toBeGreaterThan(1e-3);
  }, 120_000);

  it('maxAbsDiff: the largest difference, Infinity for a NaN on either side', () => {
    expect(maxAbsDiff([1, 2, 3], new Float32Array([1, 2.5, 2]))).toBe(1);
    expect(maxAbsDiff([1, NaN], [1, 1])).toBe(Infinity);
    expect(maxAbsDiff([1, 1], [NaN, 1])).toBe(Infinity);
    expect(maxAbsDiff([], [])).toBe(0);
  });
});
