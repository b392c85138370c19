// Conv1D beyond the contract grid: causal padding really is causal (tfjs-layers itself throws
// on "causal" in the forward pass, so the block pads on the left and runs a "valid" conv), the
// model still serializes and reloads, and bad params give errors that name the fix.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/core/infer';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function graph(shape: (number | null)[], params: Record<string, unknown>): GraphDoc {
  return {
    format: 'neural-blocks.graph',
    version: 1,
    nodes: [
      { id: 'x', type: 'Input', params: { shape } },
      { id: 'c', type: 'Conv1D', params },
    ],
    edges: [{ source: 'x', target: 'c' }],
  };
}

describe('Conv1D', () => {
  it('causal: step t depends only on steps ≤ t, and equals a hand-computed dilated sum', () => {
    const c = compile(graph([8, 1], { filters: 1, kernelSize: 3, dilationRate: 2, padding: 'causal', useBias: false }));
    try {
      const conv = c.layersByNode.get('c')!.find((l) => l.getClassName() === 'Conv1D')!;
      // Kernel taps w0, w1, w2 on x[t−4], x[t−2], x[t].
      const w = [0.5, -2, 3];
      conv.setWeights([tf.tensor3d(w, [3, 1, 1])]);
      const xs = [1, 2, 3, 4, 5, 6, 7, 8];
      const y = Array.from((c.model.predict(tf.tensor3d(xs, [1, 8, 1])) as tf.Tensor).dataSync());
      const at = (i: number) => (i >= 0 ? xs[i]! : 0);
      const want = xs.map((_, t) => w[0]! * at(t - 4) + w[1]! * at(t - 2) + w[2]! * at(t));
      y.forEach((v, t) => expect(v).toBeCloseTo(want[t]!, 5));
      // Changing the future leaves the past alone.
      const xs2 = [...xs.slice(0, 5), 100, -100, 100];
      const y2 = Array.from((c.model.predict(tf.tensor3d(xs2, [1, 8, 1])) as tf.Tensor).dataSync());
      expect(y2.slice(0, 5)).toEqual(y.slice(0, 5));
    } finally {
      c.model.dispose();
    }
  });

  it('a causal model serializes and reloads with the same predictions', async () => {
    const c = compile(graph([6, 2], { filters: 3, kernelSize: 2, padding: 'causal', activation: 'tanh' }));
    try {
      const json = c.model.toJSON(null, false) as unknown as object;
      const reloaded = await tf.models.modelFromJSON(json as never);
      reloaded.setWeights(c.model.getWeights());
      const x = tf.randomUniform([2, 6, 2], -1, 1, 'float32', 3);
      const a = (c.model.predict(x) as tf.Tensor).dataSync();
      const b = (reloaded.predict(x) as tf.Tensor).dataSync();
      expect(Array.from(b)).toEqual(Array.from(a));
      reloaded.dispose();
    } finally {
      c.model.dispose();
    }
  });

  it('rejects strides > 1 with dilationRate > 1, naming dilationRate', () => {
    const a = analyze(graph([10, 2], { filters: 2, strides: 2, dilationRate: 2 }));
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]!.param).toBe('dilationRate');
    expect(a.errors[0]!.message).toMatch(/strides \[2\] and dilationRate \[2\] cannot both be > 1.*set one of them to 1/);
  });

  it('a kernel longer than the input is an error on kernelSize that says what would fix it', () => {
    const a = analyze(graph([4, 2], { filters: 2, kernelSize: 5 }));
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]!.param).toBe('kernelSize');
    expect(a.errors[0]!.message).toMatch(/\[null, 0, 2\].*smaller kernelSize, padding "same"/);
    // Dilation counts: kernel 3 at dilation 3 spans 7 steps.
    expect(analyze(graph([6, 1], { kernelSize: 3, dilationRate: 3 })).errors[0]!.param).toBe('kernelSize');
    // "same" and "causal" never shrink below one step.
    expect(analyze(graph([4, 2], { kernelSize: 5, padding: 'causal' })).errors).toEqual([]);
  });

  it('rejects a Conv1D on an image with a hint', () => {
    const a = analyze(graph([8, 8, 3], { filters: 2 }));
    expect(a.errors[0]!.message).toMatch(/Conv1D needs a 2-D \(3 with batch\) input.*got \[null, 8, 8, 3\]/);
  });
});
