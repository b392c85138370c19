import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { generateTfjs } from './codegen';
import { parseGraph, parseGraphText, type GraphDoc } from './graph';
import { analyze } from './infer';
import { summarize } from './summary';

function run(doc: GraphDoc): tf.LayersModel {
  const { code, unsupported, errors } = generateTfjs(doc, { form: 'body' });
  expect(errors).toEqual([]);
  expect(unsupported).toEqual([]);
  return new Function('tf', code)(tf) as tf.LayersModel;
}

function totalParams(doc: GraphDoc): number {
  const s = summarize(analyze(doc));
  return s.totals.trainableParams + s.totals.nonTrainableParams;
}

const branchy = parseGraph({
  format: 'neural-blocks.graph',
  version: 1,
  name: 'two branches',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [12, 12, 3] } },
    { id: 'conv a', type: 'Conv2D', params: { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' } },
    { id: 'b', type: 'Conv2D', params: { filters: 8, kernelSize: [1, 1], useBias: false } },
    { id: 'sum', type: 'Add' },
    { id: 'head', type: 'Dense', params: { units: 5, activation: 'softmax' } },
  ],
  edges: [
    { source: 'x', target: 'conv a' },
    { source: 'x', target: 'b' },
    { source: 'conv a', target: 'sum', targetHandle: 'in0' },
    { source: 'b', target: 'sum', targetHandle: 'in1' },
    { source: 'sum', target: 'head' },
  ],
});

describe('codegen', () => {
  it('writes readable tfjs-layers code, one line per layer', () => {
    const { code } = generateTfjs(branchy);
    expect(code).toMatch(/^import \* as tf from '@tensorflow\/tfjs';$/m);
    expect(code).toMatch(/const x = tf\.input\(\{ shape: \[12, 12, 3\]/);
    expect(code).toMatch(/const conv_a = tf\.layers\.conv2d\(\{ filters: 8, kernelSize: \[3, 3\].*\}\)\.apply\(x\);/);
    expect(code).toMatch(/const sum = tf\.layers\.add\(\{ name: "sum" \}\)\.apply\(\[conv_a, b\]\);/);
    expect(code).toMatch(/export const model = tf\.model\(\{ inputs: x, outputs: head, name: "two_branches" \}\);/);
  });

  it('the generated code builds a model whose countParams equals the summary', () => {
    const model = run(branchy);
    expect(model.countParams()).toBe(totalParams(branchy));
    expect(model.countParams()).toBe(3 * 3 * 3 * 8 + 8 + 3 * 8 + (12 * 12 * 8 * 0 + 8 * 5 + 5));
    expect(model.outputs[0]!.shape).toEqual([null, 12, 12, 5]);
    model.dispose();
  });

  it('runs for the LeNet-5 template', () => {
    const doc = parseGraphText(readFileSync('templates/lenet5.json', 'utf8'));
    const model = run(doc);
    expect(model.countParams()).toBe(totalParams(doc));
    model.dispose();
  });

  it('an invalid graph gives its errors as comments, not code', () => {
    const bad = { ...branchy, edges: branchy.edges.slice(0, 4) };
    const bad2 = { ...bad, nodes: bad.nodes.map((n) => (n.id === 'b' ? { ...n, params: { filters: 4, kernelSize: 1 } } : n)) };
    const r = generateTfjs(bad2);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.code).toMatch(/\/\/ The graph has \d+ error\(s\)/);
    expect(r.code).toMatch(/Add needs inputs of the same shape/);
  });
});
