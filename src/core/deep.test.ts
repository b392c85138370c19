// A chain deeper than the JavaScript stack: tfjs recurses once per block of depth while building
// the model, so on a default stack (the browser's, vitest's) compile fails — with a message that
// says so and names the depth, not "Maximum call stack size exceeded".
import { describe, expect, it } from 'vitest';
import { compile, CompileError } from './compile';
import { analyze } from './infer';
import type { GraphDoc } from './graph';

function chain(n: number): GraphDoc {
  const nodes: GraphDoc['nodes'] = [{ id: 'x', type: 'Input', params: { shape: [4] }, position: { x: 0, y: 0 } }];
  const edges: GraphDoc['edges'] = [];
  for (let i = 0; i < n; i++) {
    nodes.push({ id: `a${i}`, type: 'Activation', params: { activation: 'relu' }, position: { x: 0, y: 0 } });
    edges.push({ id: `e${i}`, source: i ? `a${i - 1}` : 'x', sourceHandle: 'out', target: `a${i}`, targetHandle: 'in' });
  }
  return { format: 'neural-blocks.graph', version: 1, nodes, edges };
}

describe('a graph deeper than the stack', () => {
  it('analyze accepts a 30,000-block chain; compile says it is too deep, with the depth and the way out', { timeout: 120_000 }, () => {
    const doc = chain(30_000);
    expect(analyze(doc).ok).toBe(true);
    let err: unknown;
    try {
      compile(doc).model.dispose();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompileError);
    expect((err as Error).message).toMatch(/^the graph is 30,001 blocks deep and tfjs ran out of stack building it/);
    expect((err as Error).message).toContain('neural-blocks CLI');
  });

  it('a 500-block chain compiles as before', () => {
    const c = compile(chain(500));
    expect(c.model.layers.length).toBe(501);
    c.model.dispose();
  });
});
