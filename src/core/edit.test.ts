import { describe, expect, it } from 'vitest';
import { addNode, connect, copyFragment, disconnect, duplicate, moveNodes, paste, removeNodes, renameNode, setParam, setTraining, withEdgeIds } from './edit';
import { expandMacro, groupIntoMacro } from './editMacro';
import { emptyGraph, type GraphDoc } from './graph';
import { analyze } from './infer';

function chain(): GraphDoc {
  let doc = emptyGraph('t');
  const a = addNode(doc, 'Input', { x: 0, y: 0 }, { shape: [28, 28, 1] });
  doc = a.doc;
  const c = addNode(doc, 'Conv2D', { x: 200, y: 0 }, { filters: 6, kernelSize: 5 });
  doc = c.doc;
  doc = connect(doc, { source: a.id, target: c.id }).doc;
  return doc;
}

describe('edit', () => {
  it('adds nodes with fresh ids and connects them with default handles', () => {
    const doc = chain();
    expect(doc.nodes.map((n) => n.id)).toEqual(['input_1', 'conv2d_1']);
    expect(doc.edges).toEqual([{ id: 'e1', source: 'input_1', target: 'conv2d_1' }]);
    const a = analyze(doc);
    expect(a.ok).toBe(true);
    expect(a.nodes.get('conv2d_1')!.outputShapes!.out).toEqual([null, 24, 24, 6]);
  });

  it('setParam re-infers; undefined restores the default', () => {
    let doc = setParam(chain(), 'conv2d_1', 'kernelSize', 3);
    expect(analyze(doc).nodes.get('conv2d_1')!.outputShapes!.out).toEqual([null, 26, 26, 6]);
    doc = setParam(doc, 'conv2d_1', 'filters', undefined);
    expect(doc.nodes[1]!.params).toEqual({ kernelSize: 3 });
    expect(analyze(doc).nodes.get('conv2d_1')!.outputShapes!.out).toEqual([null, 26, 26, 32]);
  });

  it('a port fed twice replaces the old edge', () => {
    let doc = chain();
    const b = addNode(doc, 'Input', { x: 0, y: 100 }, { shape: [10, 10, 3] });
    doc = connect(b.doc, { source: b.id, target: 'conv2d_1', targetHandle: 'in' }).doc;
    expect(doc.edges).toHaveLength(1);
    expect(doc.edges[0]!.source).toBe('input_2');
    expect(analyze(doc).nodes.get('conv2d_1')!.outputShapes!.out).toEqual([null, 6, 6, 6]);
  });

  it('variadic merges take the next in{k}, and disconnecting compacts the operands', () => {
    let doc = emptyGraph();
    for (const id of ['a', 'b', 'c']) doc = addNode(doc, 'Input', { x: 0, y: 0 }, { shape: [4] }, id).doc;
    doc = addNode(doc, 'Add', { x: 0, y: 0 }, {}, 'sum').doc;
    doc = connect(doc, { source: 'a', target: 'sum' }).doc;
    doc = connect(doc, { source: 'b', target: 'sum' }).doc;
    // Dropping on the spare slot (in5 here: out of range) still takes the next one.
    doc = connect(doc, { source: 'c', target: 'sum', targetHandle: 'in5' }).doc;
    expect(doc.edges.map((e) => e.targetHandle)).toEqual(['in0', 'in1', 'in2']);
    expect(analyze(doc).ok).toBe(true);
    doc = disconnect(doc, [doc.edges[0]!.id!]);
    expect(doc.edges.map((e) => [e.source, e.targetHandle])).toEqual([
      ['b', 'in0'],
      ['c', 'in1'],
    ]);
    // The Add itself is fine again; only the now-unused Input "a" is reported.
    expect(analyze(doc).errors.map((d) => [d.kind, d.node])).toEqual([['unused-input', 'a']]);
    doc = removeNodes(doc, ['b']);
    expect(doc.edges.map((e) => [e.source, e.targetHandle])).toEqual([['c', 'in0']]);
  });

  it('ignores self-loops and links to missing nodes; the same link twice is a no-op', () => {
    const doc = chain();
    expect(connect(doc, { source: 'conv2d_1', target: 'conv2d_1' }).doc).toBe(doc);
    expect(connect(doc, { source: 'nope', target: 'conv2d_1' }).doc).toBe(doc);
    expect(connect(doc, { source: 'input_1', target: 'conv2d_1' }).doc).toBe(doc);
  });

  it('removeNodes drops incident edges', () => {
    const doc = removeNodes(chain(), ['input_1']);
    expect(doc.nodes.map((n) => n.id)).toEqual(['conv2d_1']);
    expect(doc.edges).toEqual([]);
  });

  it('moveNodes rounds and returns the same doc when nothing moved', () => {
    const doc = chain();
    const moved = moveNodes(doc, { conv2d_1: { x: 10.4, y: 20.6 } });
    expect(moved.nodes[1]!.position).toEqual({ x: 10, y: 21 });
    expect(moveNodes(moved, { conv2d_1: { x: 10, y: 21 } })).toBe(moved);
  });

  it('copy/paste and duplicate give fresh ids, keep inner edges, and offset positions', () => {
    const doc = chain();
    const frag = copyFragment(doc, ['input_1', 'conv2d_1']);
    const r = paste(doc, frag, { x: 50, y: 60 });
    expect(r.ids).toEqual(['input_2', 'conv2d_2']);
    expect(r.doc.edges.at(-1)).toMatchObject({ source: 'input_2', target: 'conv2d_2' });
    expect(r.doc.nodes.at(-1)!.position).toEqual({ x: 250, y: 60 });
    expect(analyze(r.doc).ok).toBe(true);
    const d = duplicate(doc, ['conv2d_1']);
    expect(d.doc.nodes).toHaveLength(3);
    expect(d.doc.edges).toHaveLength(1); // the edge from outside the selection is not copied
  });

  it('renameNode rewrites edges and refuses taken ids', () => {
    const doc = chain();
    const r = renameNode(doc, 'conv2d_1', 'c1');
    expect(r.edges[0]).toMatchObject({ source: 'input_1', target: 'c1' });
    expect(renameNode(doc, 'conv2d_1', 'input_1')).toBe(doc);
  });

  it('withEdgeIds fills missing edge ids without touching the others', () => {
    const doc: GraphDoc = { ...emptyGraph(), edges: [{ source: 'a', target: 'b' }, { id: 'e1', source: 'b', target: 'c' }] };
    expect(withEdgeIds(doc).edges.map((e) => e.id)).toEqual(['e2', 'e1']);
  });
});

describe('macros', () => {
  function residual(): GraphDoc {
    let doc = emptyGraph('res');
    doc = addNode(doc, 'Input', { x: 0, y: 0 }, { shape: [8, 8, 4] }, 'x').doc;
    doc = addNode(doc, 'Conv2D', { x: 200, y: 0 }, { filters: 4, kernelSize: 3, padding: 'same' }, 'c').doc;
    doc = addNode(doc, 'Add', { x: 400, y: 0 }, {}, 'sum').doc;
    doc = addNode(doc, 'Dense', { x: 600, y: 0 }, { units: 2 }, 'head').doc;
    doc = connect(doc, { source: 'x', target: 'c' }).doc;
    doc = connect(doc, { source: 'c', target: 'sum' }).doc;
    doc = connect(doc, { source: 'x', target: 'sum' }).doc;
    doc = connect(doc, { source: 'sum', target: 'head' }).doc;
    return doc;
  }

  it('groups a residual block into a macro with one input and one output, same shapes and params', () => {
    const doc = residual();
    const before = analyze(doc);
    const g = groupIntoMacro(doc, ['c', 'sum'], 'Residual');
    expect(g.doc.macros!.Residual!.inputs).toEqual(['in']);
    expect(g.doc.macros!.Residual!.outputs).toEqual([{ name: 'out', node: 'sum' }]);
    expect(g.doc.nodes.map((n) => n.type)).toEqual(['Input', 'Dense', 'Macro']);
    const a = analyze(g.doc);
    expect(a.errors).toEqual([]);
    expect(a.nodes.get(g.id)!.outputShapes!.out).toEqual([null, 8, 8, 4]);
    expect(a.nodes.get('head')!.outputShapes!.out).toEqual(before.nodes.get('head')!.outputShapes!.out);
    expect(a.nodes.get(g.id)!.paramCount!.trainable).toBe(before.nodes.get('c')!.paramCount!.trainable);
  });

  it('expands back to the same blocks and edges', () => {
    const doc = residual();
    const g = groupIntoMacro(doc, ['c', 'sum'], 'Residual');
    const ex = expandMacro(g.doc, g.id);
    expect(ex.ids.sort()).toEqual(['c', 'sum']);
    const a = analyze(ex.doc);
    expect(a.errors).toEqual([]);
    const key = (d: GraphDoc) => d.edges.map((e) => `${e.source}>${e.target}:${e.targetHandle ?? ''}`).sort();
    expect(key(ex.doc)).toEqual(key(doc));
    expect(a.nodes.get('head')!.outputShapes!.out).toEqual([null, 8, 8, 2]);
  });

  it('refuses Input blocks and duplicate names with a message', () => {
    const doc = residual();
    expect(() => groupIntoMacro(doc, ['x', 'c'], 'M')).toThrow(/"x" is an Input block/);
    const g = groupIntoMacro(doc, ['c'], 'M');
    expect(() => groupIntoMacro(g.doc, ['head'], 'M')).toThrow(/already exists/);
  });
});

describe('setTraining', () => {
  it('sets, replaces and removes training fields without touching the rest', () => {
    const doc = chain();
    const a = setTraining(doc, { optimizer: 'sgd', learningRate: 0.05, dataset: 'mnist' });
    expect(a.training).toEqual({ optimizer: 'sgd', learningRate: 0.05, dataset: 'mnist' });
    expect(a.nodes).toBe(doc.nodes);
    expect(doc.training).toBeUndefined();
    const b = setTraining(a, { learningRate: 0.01, dataset: undefined });
    expect(b.training).toEqual({ optimizer: 'sgd', learningRate: 0.01 });
    expect(a.training).toEqual({ optimizer: 'sgd', learningRate: 0.05, dataset: 'mnist' });
  });
  it('returns the same document when nothing changes (no empty undo step)', () => {
    const a = setTraining(chain(), { loss: { out: 'meanSquaredError' } });
    expect(setTraining(a, { loss: { out: 'meanSquaredError' } })).toBe(a);
    expect(setTraining(a, { epochs: undefined })).toBe(a);
  });
});
