import { describe, expect, it } from 'vitest';
import { analyze } from '../core/infer';
import type { GraphDoc } from '../core/graph';
import { deriveNodes, withDragPositions } from './derive';

const doc: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [4] }, position: { x: 0, y: 0 } },
    { id: 'a', type: 'Dense', params: { units: 3 }, position: { x: 200, y: 0 } },
    { id: 'b', type: 'Dense', params: { units: 2 }, position: { x: 400, y: 0 } },
  ],
  edges: [
    { id: 'e1', source: 'x', target: 'a' },
    { id: 'e2', source: 'a', target: 'b' },
  ],
};

describe('withDragPositions', () => {
  it('moves only the dragged nodes; the others keep their object identity', () => {
    const nodes = deriveNodes(doc, analyze(doc), new Set());
    const out = withDragPositions(nodes, new Map([['a', { x: 250.5, y: 40 }]]));
    expect(out).toHaveLength(3);
    expect(out[0]).toBe(nodes[0]);
    expect(out[2]).toBe(nodes[2]);
    expect(out[1]).not.toBe(nodes[1]);
    expect(out[1]!.position).toEqual({ x: 250.5, y: 40 });
    expect(out[1]!.dragging).toBe(true);
    // The view (what the block draws) is shared, so the block component does not re-render.
    expect(out[1]!.data).toBe(nodes[1]!.data);
    expect(nodes[1]!.position).toEqual({ x: 200, y: 0 });
  });

  it('without a drag returns the same array', () => {
    const nodes = deriveNodes(doc, analyze(doc), new Set());
    expect(withDragPositions(nodes, null)).toBe(nodes);
    expect(withDragPositions(nodes, new Map())).toBe(nodes);
  });
});

describe('deriveNodes', () => {
  it('a move re-creates only the moved node; a selection change only the selected one', () => {
    const a0 = analyze(doc);
    const first = deriveNodes(doc, a0, new Set());
    const moved: GraphDoc = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'b' ? { ...n, position: { x: 420, y: 10 } } : n)) };
    const second = deriveNodes(moved, a0, new Set());
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[2]).not.toBe(first[2]);
    expect(second[2]!.position).toEqual({ x: 420, y: 10 });
    expect(second[2]!.data).toBe(first[2]!.data);
    const third = deriveNodes(moved, a0, new Set(['x']));
    expect(third[0]!.selected).toBe(true);
    expect(third[1]).toBe(second[1]);
    expect(third[2]).toBe(second[2]);
  });
});

describe('hints and ports for a newcomer', () => {
  it('an unknown block type keeps the ports its edges use, so the edges stay drawn', () => {
    const d: GraphDoc = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'a' ? { ...n, type: 'Dence' } : n)) };
    const a = analyze(d);
    expect(a.errors.some((e) => e.kind === 'unknown-type' && e.node === 'a')).toBe(true);
    const v = deriveNodes(d, a, new Set()).find((n) => n.id === 'a')!.data.view;
    expect(v.inputs.map((p) => p.name)).toEqual(['in']);
    expect(v.outputs.map((p) => p.name)).toEqual(['out']);
  });

  it('LSTM → Attention without returnSequences suggests turning returnSequences on', () => {
    const d: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [5, 3] } },
        { id: 'rnn', type: 'LSTM', params: { units: 8 } },
        { id: 'att', type: 'Attention', params: {} },
      ],
      edges: [
        { source: 'x', target: 'rnn' },
        { source: 'rnn', target: 'att', targetHandle: 'query' },
        { source: 'rnn', target: 'att', targetHandle: 'value' },
      ],
    };
    const msgs = analyze(d).errors.map((e) => e.message).join('\n');
    expect(msgs).toMatch(/turn on returnSequences on LSTM "rnn"/);
    expect(msgs).not.toMatch(/add a Reshape/);
  });

  it('pluralises units: "1 unit", "64 units"', () => {
    const d1: GraphDoc = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'a' ? { ...n, params: { units: 1 } } : n)) };
    const one = deriveNodes(d1, analyze(d1), new Set());
    expect(one.find((n) => n.id === 'a')!.data.view.keyParams).toMatch(/^1 unit\b(?!s)/);
    const three = deriveNodes(doc, analyze(doc), new Set());
    expect(three.find((n) => n.id === 'a')!.data.view.keyParams).toMatch(/^3 units/);
  });
});
