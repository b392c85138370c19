// ONNX parity for the convolution blocks with every weight randomised, biases included. The
// contract leg runs freshly initialised layers, whose biases are all zero, so a bias that went
// to the wrong channel (depthwise channel order, separable's pointwise step) would slip through.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/core/compile';
import { analyze } from '../src/core/infer';
import { fixtureGraph } from '../src/core/fixtureGraph';
import { compiledParity } from '../src/onnx/parity';
import { getBlock } from './index';
import { windowPads } from './convCommon';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CASES: { type: string; params: Record<string, unknown>; input: (number | null)[] }[] = [
  { type: 'Conv2D', params: { filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu' }, input: [null, 9, 8, 3] },
  { type: 'Conv2D', params: { filters: 3, kernelSize: 3, dilationRate: [2, 1], activation: 'softmax' }, input: [null, 10, 7, 2] },
  { type: 'Conv1D', params: { filters: 4, kernelSize: 3, dilationRate: 2, padding: 'causal', activation: 'gelu' }, input: [null, 12, 3] },
  { type: 'Conv1D', params: { filters: 2, kernelSize: 4, strides: 3, padding: 'same', activation: 'selu' }, input: [null, 11, 2] },
  { type: 'DepthwiseConv2D', params: { kernelSize: [2, 3], depthMultiplier: 3, strides: 2, padding: 'same', activation: 'swish' }, input: [null, 7, 9, 4] },
  { type: 'SeparableConv2D', params: { filters: 6, kernelSize: 3, depthMultiplier: 2, dilationRate: 2, padding: 'same', activation: 'hardSigmoid' }, input: [null, 9, 9, 3] },
  { type: 'SeparableConv2D', params: { filters: 2, kernelSize: [3, 1], strides: [1, 2], depthMultiplier: 1 }, input: [null, 8, 9, 4] },
  { type: 'Conv2DTranspose', params: { filters: 3, kernelSize: [3, 4], strides: 2, padding: 'same', activation: 'elu' }, input: [null, 4, 5, 2] },
  { type: 'Conv2DTranspose', params: { filters: 2, kernelSize: [2, 5], strides: [3, 2], padding: 'valid', activation: 'tanh' }, input: [null, 3, 4, 3] },
  { type: 'Conv2DTranspose', params: { filters: 2, kernelSize: 1, strides: 3, padding: 'same' }, input: [null, 3, 3, 2] },
  // Grouped (split → conv → concat) and depthwise (one depthwiseConv2d) GroupedConv paths.
  { type: 'Conv2D', params: { filters: 6, kernelSize: 3, groups: 3, padding: 'same', activation: 'relu' }, input: [null, 6, 5, 9] },
  { type: 'Conv2D', params: { filters: 8, kernelSize: 3, groups: 4, strides: 2 }, input: [null, 7, 7, 4] },
  { type: 'Conv1D', params: { filters: 4, kernelSize: 3, groups: 2, padding: 'causal' }, input: [null, 8, 6] },
];

describe('conv blocks: ONNX equals tfjs with random weights and biases', () => {
  CASES.forEach((c, k) => {
    it(`${c.type} ${JSON.stringify(c.params)} on ${JSON.stringify(c.input)}`, async () => {
      const spec = getBlock(c.type)!;
      const doc = fixtureGraph(spec, { params: c.params, inputs: [c.input] });
      const m = compile(doc);
      try {
        for (const layer of m.layersByNode.get('b')!) {
          const ws = layer.getWeights();
          layer.setWeights(ws.map((w, i) => tf.randomUniform(w.shape, -1, 1, 'float32', 100 * k + i)));
        }
        // The biases really are non-zero now.
        const bias = m.layersByNode.get('b')!.flatMap((l) => l.weights).find((w) => w.name.endsWith('bias'));
        if (bias) expect(tf.abs(bias.read()).max().dataSync()[0]).toBeGreaterThan(0.05);
        const r = await compiledParity(m, { ort, seed: 7 });
        expect(r.outputs[0]!.tfjsShape).toBeUndefined();
        expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      } finally {
        m.model.dispose();
      }
    });
  });
});

describe('groups', () => {
  it('must divide the input channels and filters, and the error says so on the groups param', () => {
    const a = analyze(fixtureGraph(getBlock('Conv2D')!, { params: { filters: 8, groups: 3 }, inputs: [[null, 5, 5, 6]] }));
    const e = a.nodes.get('b')!.errors[0]!;
    expect(e.message).toMatch(/groups 3 must divide both the input channels \(6\) and filters \(8\).*e\.g\. 2/);
    expect(e.param).toBe('groups');
  });
});

describe('windowPads', () => {
  it('puts TF "same" extra padding at the end and causal padding on the left', () => {
    // in 10, k 4, s 3: out 4, total (4−1)·3 + 4 − 10 = 3 → 1 before, 2 after.
    expect(windowPads([10], [4], [3], [1], 'same')).toEqual({ pads: { ints: [1, 2] } });
    // k 3 at dilation 2 spans 5: total 4 → 2 and 2.
    expect(windowPads([7, 7], [3, 1], [1, 1], [2, 1], 'same')).toEqual({ pads: { ints: [2, 0, 2, 0] } });
    expect(windowPads([null], [3], [1], [2], 'causal')).toEqual({ pads: { ints: [4, 0] } });
    expect(windowPads([null, 5], [3, 3], [1, 1], [1, 1], 'same')).toEqual({ pads: { ints: [1, 1, 1, 1] } });
    expect(windowPads([null, 5], [3, 3], [2, 2], [1, 1], 'same')).toEqual({ auto_pad: { s: 'SAME_UPPER' } });
  });
});
