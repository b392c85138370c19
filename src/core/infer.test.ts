import { describe, expect, it } from 'vitest';
import type { GraphDoc } from './graph';
import { analyze } from './infer';

const doc = (nodes: GraphDoc['nodes'], edges: GraphDoc['edges']): GraphDoc => ({ format: 'neural-blocks.graph', version: 1, nodes, edges });

describe('edge handles', () => {
  it('sends an unnamed edge to the only required port (LSTM "in" beside optional h0/c0)', () => {
    const a = analyze(
      doc(
        [
          { id: 'x', type: 'Input', params: { shape: [7, 3] } },
          { id: 'l', type: 'LSTM', params: { units: 5 } },
        ],
        [{ source: 'x', target: 'l' }],
      ),
    );
    expect(a.errors).toEqual([]);
    expect(a.nodes.get('l')!.outputShapes).toEqual({ out: [null, 5] });
  });

  it('gives unnamed merge operands the next free slot in edge order', () => {
    const a = analyze(
      doc(
        [
          { id: 'a', type: 'Input', params: { shape: [4] } },
          { id: 'b', type: 'Input', params: { shape: [6] } },
          { id: 'cat', type: 'Concatenate' },
        ],
        [
          { source: 'a', target: 'cat' },
          { source: 'b', target: 'cat' },
        ],
      ),
    );
    expect(a.errors).toEqual([]);
    expect(a.nodes.get('cat')!.inputShapes).toEqual([
      [null, 4],
      [null, 6],
    ]);
    expect(a.nodes.get('cat')!.outputShapes).toEqual({ out: [null, 10] });
  });

  it('asks for a handle where several required ports exist (Attention query/value)', () => {
    const a = analyze(
      doc(
        [
          { id: 'q', type: 'Input', params: { shape: [5, 8] } },
          { id: 'att', type: 'Attention' },
        ],
        [{ source: 'q', target: 'att' }],
      ),
    );
    expect(a.nodes.get('att')!.errors.map((e) => e.message).join('\n')).toMatch(/has several inputs .*query.*value.*set the edge's targetHandle/);
  });
});
