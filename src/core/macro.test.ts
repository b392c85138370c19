import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from './graph';
import { analyze } from './infer';
import { compile } from './compile';
import { summarize } from './summary';
import { expandMacros } from './macro';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// A residual unit: conv → conv → add(shortcut), used twice.
function residualDoc(filters = 4): GraphDoc {
  return {
    format: 'neural-blocks.graph',
    version: 1,
    name: 'res',
    macros: {
      Res: {
        label: 'Residual unit',
        inputs: ['in'],
        outputs: [{ name: 'out', node: 'add' }],
        nodes: [
          { id: 'c1', type: 'Conv2D', params: { filters, kernelSize: 3, padding: 'same', activation: 'relu' } },
          { id: 'c2', type: 'Conv2D', params: { filters, kernelSize: 3, padding: 'same' } },
          { id: 'add', type: 'Add' },
        ],
        edges: [
          { source: '$in', target: 'c1' },
          { source: 'c1', target: 'c2' },
          { source: 'c2', target: 'add', targetHandle: 'in0' },
          { source: '$in', target: 'add', targetHandle: 'in1' },
        ],
      },
    },
    nodes: [
      { id: 'x', type: 'Input', params: { shape: [8, 8, 4] } },
      { id: 'r1', type: 'Macro', params: { name: 'Res' } },
      { id: 'r2', type: 'Macro', params: { name: 'Res' } },
      { id: 'head', type: 'Dense', params: { units: 3 } },
    ],
    edges: [
      { source: 'x', target: 'r1' },
      { source: 'r1', target: 'r2' },
      { source: 'r2', target: 'head' },
    ],
  };
}

describe('macro blocks', () => {
  it('expands instances into prefixed inner nodes with the $input edges wired', () => {
    const ex = expandMacros(residualDoc());
    expect(ex.issues).toEqual([]);
    expect(ex.flat.nodes.map((n) => n.id)).toEqual(['x', 'r1/c1', 'r1/c2', 'r1/add', 'r2/c1', 'r2/c2', 'r2/add', 'head']);
    expect(ex.flat.edges).toContainEqual({ source: 'x', target: 'r1/add', targetHandle: 'in1' });
    expect(ex.flat.edges).toContainEqual({ source: 'r1/add', target: 'r2/c1' });
    expect(ex.flat.edges).toContainEqual({ source: 'r2/add', target: 'head' });
  });

  it('lifts shapes, params and MACs onto the instance node', () => {
    const a = analyze(residualDoc());
    expect(a.errors).toEqual([]);
    const r1 = a.nodes.get('r1')!;
    expect(r1.outputShapes).toEqual({ out: [null, 8, 8, 4] });
    expect(r1.inputShapes).toEqual([[null, 8, 8, 4]]);
    // two 3×3 convs 4→4 with bias: 2 × (3·3·4·4 + 4) = 296
    expect(r1.paramCount).toEqual({ trainable: 296, nonTrainable: 0 });
    expect(r1.macs).toBe(2 * 8 * 8 * 9 * 4 * 4);
    expect(a.order).toEqual(['x', 'r1', 'r2', 'head']);
    const s = summarize(a, ['x', 'r1', 'r2', 'head']);
    expect(s.totals.trainableParams).toBe(2 * 296 + (4 * 3 + 3));
  });

  it('compiles to the same model as the flat graph', () => {
    const doc = residualDoc();
    const c = compile(doc);
    const flat = compile(expandMacros(doc).flat);
    expect(c.model.countParams()).toBe(flat.model.countParams());
    expect(c.model.countParams()).toBe(2 * 296 + 15);
    flat.model.setWeights(c.model.getWeights());
    const x = tf.randomUniform([2, 8, 8, 4], -1, 1, 'float32', 7);
    const y1 = c.model.predict(x) as tf.Tensor;
    const y2 = flat.model.predict(x) as tf.Tensor;
    expect(y1.shape).toEqual([2, 8, 8, 3]);
    expect(tf.max(tf.abs(tf.sub(y1, y2))).dataSync()[0]).toBeLessThan(1e-6);
    c.model.dispose();
    flat.model.dispose();
  });

  it('reports an error inside a macro on the instance, naming the inner node', () => {
    const doc = residualDoc();
    doc.nodes[0]!.params = { shape: [8, 8, 3] }; // shortcut has 3 channels, branch 4: Add fails
    const a = analyze(doc);
    const errs = a.nodes.get('r1')!.errors;
    expect(errs.length).toBe(1);
    expect(errs[0]!.message).toMatch(/inside macro block "r1", node "add": Add "r1\/add": Add needs inputs of the same shape/);
    expect(errs[0]!.inner?.node).toBe('r1/add');
    // downstream nodes are unknown, not blamed
    expect(a.nodes.get('r2')!.errors).toEqual([]);
    expect(a.nodes.get('head')!.outputShapes).toBeUndefined();
  });

  it('reports unknown and recursive macros', () => {
    const doc = residualDoc();
    doc.nodes[1]!.params = { name: 'Nope' };
    let a = analyze(doc);
    expect(a.nodes.get('r1')!.errors[0]!.message).toMatch(/unknown macro "Nope"; defined macros: Res/);
    const rec = residualDoc();
    rec.macros!.Res!.nodes.push({ id: 'self', type: 'Macro', params: { name: 'Res' } });
    rec.macros!.Res!.edges.push({ source: 'add', target: 'self' });
    a = analyze(rec);
    expect(a.errors.some((d) => /contains itself \(Res → Res\)/.test(d.message))).toBe(true);
  });
});

describe('merge of a tensor with itself', () => {
  it('predicts Add(x, x) while x also feeds another block (tfjs early-free workaround)', () => {
    const doc: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [3] } },
        { id: 'd', type: 'Dense', params: { units: 3 } },
        { id: 'sum', type: 'Add' },
        { id: 'other', type: 'Dense', params: { units: 2 } },
      ],
      edges: [
        { source: 'x', target: 'd' },
        { source: 'd', target: 'sum', targetHandle: 'in0' },
        { source: 'd', target: 'sum', targetHandle: 'in1' },
        { source: 'd', target: 'other' },
      ],
    };
    const c = compile(doc);
    const x = tf.tensor2d([[1, 2, 3]]);
    const [sum, other] = c.model.predict(x) as tf.Tensor[];
    const dOut = (c.layersByNode.get('d')![0]!.apply(x) as tf.Tensor).dataSync();
    expect(Array.from(sum!.dataSync())).toEqual(Array.from(dOut).map((v) => 2 * v));
    expect(other!.shape).toEqual([1, 2]);
    c.model.dispose();
  });
});
