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
