import { describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph';
import { elkLayout, LAYER_GAP, type LayoutSize } from './layout';

const size = { width: 180, height: 70 };
function chain(n: number): GraphDoc {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: i ? 'Dense' : 'Input', params: {}, position: { x: (i % 2) * 300, y: Math.floor(i / 2) * 200 } }));
  const edges = nodes.slice(1).map((nd, i) => ({ id: `e${i}`, source: `n${i}`, target: nd.id }));
  return { format: 'neural-blocks.graph', version: 1, nodes, edges };
}
const sizes = (d: GraphDoc) => new Map<string, LayoutSize>(d.nodes.map((n) => [n.id, size]));

describe('elkLayout', () => {
  it('keeps a 5-block chain on one straight row, left to right, with room for labels', async () => {
    const d = chain(5);
    const p = await elkLayout(d, sizes(d));
    const ys = new Set(d.nodes.map((n) => p.get(n.id)!.y));
    expect(ys.size).toBe(1);
    for (let i = 1; i < 5; i++) {
      const step = p.get(`n${i}`)!.x - p.get(`n${i - 1}`)!.x;
      expect(step).toBeGreaterThanOrEqual(size.width + LAYER_GAP);
      expect(step).toBeLessThan(size.width + LAYER_GAP + 5);
    }
  });

  it('runs every edge forwards and orders ports so the two branches into Add do not cross', async () => {
    const d: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      nodes: ['x', 'a', 'b', 'c', 'sum'].map((id) => ({ id, type: 'Dense', params: {} })),
      edges: [
        { id: '1', source: 'x', target: 'a' },
        { id: '2', source: 'a', target: 'b' },
        { id: '3', source: 'x', target: 'c' },
        // b (long branch) feeds in1 (the lower port), c (short) feeds in0 (the upper one).
        { id: '4', source: 'b', target: 'sum', targetHandle: 'in1' },
        { id: '5', source: 'c', target: 'sum', targetHandle: 'in0' },
      ],
    };
    const s = sizes(d);
    s.set('sum', { ...size, inputs: new Map([['in0', 30], ['in1', 50]]) });
    const p = await elkLayout(d, s);
    for (const e of d.edges) expect(p.get(e.target)!.x).toBeGreaterThan(p.get(e.source)!.x);
    // The block feeding in0 sits above the one feeding in1.
    expect(p.get('c')!.y).toBeLessThan(p.get('b')!.y);
  });

  it('gives the same graph the same layout, and appending a block moves none of the others', async () => {
    const d = chain(6);
    const a = await elkLayout(d, sizes(d));
    const b = await elkLayout(d, sizes(d));
    expect([...b]).toEqual([...a]);
    const more = chain(7);
    const c = await elkLayout(more, sizes(more));
    for (const n of d.nodes) expect(c.get(n.id)).toEqual(a.get(n.id));
  });
});
