// Validation: every kind of graph error from issue 2 lands on the right node (and port or
// param) with a message that names the problem; all errors are reported in one pass; shapes
// are still inferred up to an error; malformed documents fail parsing with one line.
import { describe, expect, it } from 'vitest';
import { GraphFormatError, parseGraphText, type GraphDoc, type GraphEdge, type GraphNode } from './graph';
import { analyze, shapesRecord, type Analysis, type Diagnostic } from './infer';

function doc(nodes: GraphNode[], edges: GraphEdge[] = []): GraphDoc {
  return { format: 'neural-blocks.graph', version: 1, name: 'test', nodes, edges };
}
const input = (id: string, shape: (number | null)[], extra: Record<string, unknown> = {}): GraphNode => ({ id, type: 'Input', params: { shape, ...extra } });
const e = (source: string, target: string, more: Partial<GraphEdge> = {}): GraphEdge => ({ source, target, ...more });

/** Errors on one node (null: graph-level). */
function on(a: Analysis, node: string | null): Diagnostic[] {
  return a.errors.filter((d) => d.node === node);
}
/** The single error on a node, asserting there is exactly one. */
function only(a: Analysis, node: string | null): Diagnostic {
  const ds = on(a, node);
  expect(ds, `errors on ${node}: ${JSON.stringify(a.errors)}`).toHaveLength(1);
  return ds[0]!;
}

describe('a valid graph', () => {
  it('infers every shape and reports no error', () => {
    const a = analyze(
      doc(
        [
          input('x', [28, 28, 1]),
          { id: 'c1', type: 'Conv2D', params: { filters: 6, kernelSize: 5, activation: 'relu' } },
          { id: 'c2', type: 'Conv2D', params: { filters: 16, kernelSize: [3, 5], strides: 2, padding: 'same' } },
          { id: 'd', type: 'Dense', params: { units: 10 } },
        ],
        [e('x', 'c1'), e('c1', 'c2'), e('c2', 'd')],
      ),
    );
    expect(a.errors).toEqual([]);
    expect(a.ok).toBe(true);
    expect(shapesRecord(a)).toEqual({
      x: { out: [null, 28, 28, 1] },
      c1: { out: [null, 24, 24, 6] },
      c2: { out: [null, 12, 12, 16] },
      d: { out: [null, 12, 12, 10] },
    });
  });

  it('orders inputs (Input nodes) and outputs (ports of nodes with no outgoing edge) by document order', () => {
    const a = analyze(
      doc(
        [
          { id: 'head2', type: 'Dense', params: { units: 2 } },
          input('b', [4]),
          { id: 'head1', type: 'Dense', params: { units: 3 } },
          input('a', [4]),
          { id: 'sum', type: 'Add' },
        ],
        [e('a', 'sum'), e('b', 'sum'), e('sum', 'head1'), e('sum', 'head2')],
      ),
    );
    expect(a.errors).toEqual([]);
    expect(a.inputs).toEqual(['b', 'a']);
    expect(a.outputs).toEqual([
      { node: 'head2', port: 'out' },
      { node: 'head1', port: 'out' },
    ]);
  });
});

describe('unknown type', () => {
  it('names the type and suggests the closest one', () => {
    const a = analyze(doc([input('x', [8, 8, 3]), { id: 'c', type: 'Conv2d', params: { filters: 4 } }], [e('x', 'c')]));
    const d = only(a, 'c');
    expect(d.kind).toBe('unknown-type');
    expect(d.message).toMatch(/unknown block type "Conv2d".*did you mean "Conv2D"\?/);
  });

  it('gives no suggestion when nothing is close', () => {
    const a = analyze(doc([input('x', [8]), { id: 'q', type: 'QuantumEntangler' }], [e('x', 'q')]));
    const d = only(a, 'q');
    expect(d.message).toMatch(/unknown block type "QuantumEntangler"/);
    expect(d.message).not.toMatch(/did you mean/);
  });
});

describe('missing or invalid param', () => {
  it('requires Input.shape', () => {
    const a = analyze(doc([{ id: 'x', type: 'Input' }]));
    const d = only(a, 'x');
    expect(d).toMatchObject({ kind: 'param', param: 'shape' });
    expect(d.message).toMatch(/param "shape" is required/);
  });

  it.each([
    ['filters', 'six', /param "filters" must be an integer, got "six"/],
    ['filters', 0, /param "filters" must be ≥ 1, got 0/],
    ['filters', 2.5, /param "filters" must be an integer, got 2\.5/],
    ['kernelSize', [3], /param "kernelSize" must be an integer or a list of 2 integers, got \[3\]/],
    ['kernelSize', [3, 0], /param "kernelSize" entries must be ≥ 1, got \[3,0\]/],
    ['padding', 'full', /param "padding" must be one of "valid", "same", got "full"/],
    ['activation', 'relux', /param "activation" must be one of .*"relu".*, got "relux"/],
    ['useBias', 'yes', /param "useBias" must be true or false, got "yes"/],
  ])('Conv2D %s = %j', (param, value, re) => {
    const a = analyze(doc([input('x', [8, 8, 3]), { id: 'c', type: 'Conv2D', params: { [param]: value } }], [e('x', 'c')]));
    const d = only(a, 'c');
    expect(d).toMatchObject({ kind: 'param', param });
    expect(d.message).toMatch(re);
  });

  it('reports an unknown param name (a typo would otherwise fall back to the default)', () => {
    const a = analyze(doc([input('x', [8, 8, 3]), { id: 'c', type: 'Conv2D', params: { kernel_size: 3 } }], [e('x', 'c')]));
    const d = only(a, 'c');
    expect(d).toMatchObject({ kind: 'param', param: 'kernel_size' });
    expect(d.message).toMatch(/unknown param "kernel_size" for Conv2D; known params: .*kernelSize/);
  });

  it('reports a cross-param conflict on the param to change', () => {
    const a = analyze(doc([input('x', [16, 16, 3]), { id: 'c', type: 'Conv2D', params: { strides: 2, dilationRate: 2 } }], [e('x', 'c')]));
    const d = only(a, 'c');
    expect(d).toMatchObject({ kind: 'param', param: 'dilationRate' });
    expect(d.message).toMatch(/cannot both be > 1/);
  });
});

describe('inputs and edges', () => {
  it('missing required input names the port', () => {
    const a = analyze(doc([input('x', [8]), { id: 'd1', type: 'Dense' }, { id: 'd2', type: 'Dense' }], [e('x', 'd1')]));
    const d = only(a, 'd2');
    expect(d).toMatchObject({ kind: 'missing-input', port: 'in' });
    expect(d.message).toMatch(/input "in" of Dense "d2" is not connected/);
  });

  it('a merge with one operand misses in1', () => {
    const a = analyze(doc([input('x', [8]), { id: 'sum', type: 'Add' }], [e('x', 'sum')]));
    const d = only(a, 'sum');
    expect(d).toMatchObject({ kind: 'missing-input', port: 'in1' });
    expect(d.message).toMatch(/input "in1" of Add "sum" is not connected/);
  });

  it('an input port fed twice', () => {
    const a = analyze(doc([input('x', [8]), input('y', [8]), { id: 'd', type: 'Dense', params: { units: 2 } }], [e('x', 'd'), e('y', 'd')]));
    const d = only(a, 'd');
    expect(d).toMatchObject({ kind: 'duplicate-input', port: 'in', edge: 1 });
    expect(d.message).toMatch(/input "in" of Dense "d" is fed twice \(edges 0 and 1\).*merge block/);
  });

  it('an edge without targetHandle goes to the only required port (LSTM "in" beside optional h0, c0)', () => {
    const a = analyze(doc([input('x', [10, 8]), { id: 'rnn', type: 'LSTM', params: { units: 4 } }], [e('x', 'rnn')]));
    expect(a.errors).toEqual([]);
    expect(a.edges[0]).toEqual({ source: 'x', sourceHandle: 'out', target: 'rnn', targetHandle: 'in' });
    expect(shapesRecord(a).rnn).toEqual({ out: [null, 4] });
  });

  it('an edge without targetHandle into a block with several required inputs', () => {
    const a = analyze(doc([input('q', [5, 8]), { id: 'att', type: 'Attention' }], [e('q', 'att')]));
    const d = a.errors.find((x) => x.kind === 'bad-edge')!;
    expect(d.node).toBe('att');
    expect(d.message).toMatch(/several inputs \(query, value, key\); set the edge's targetHandle/);
  });

  it('a merge operand port fed twice by explicit handles', () => {
    const a = analyze(
      doc([input('x', [8]), input('y', [8]), { id: 'sum', type: 'Add' }], [e('x', 'sum', { targetHandle: 'in0' }), e('y', 'sum', { targetHandle: 'in0' })]),
    );
    expect(on(a, 'sum').map((d) => [d.kind, d.port])).toEqual([
      ['duplicate-input', 'in0'],
      ['missing-input', 'in1'],
    ]);
  });

  it('an edge from or to a missing node', () => {
    const a = analyze(doc([input('x', [8]), { id: 'd', type: 'Dense' }], [e('x', 'd'), e('ghost', 'd'), e('x', 'nowhere')]));
    expect(a.errors.filter((d) => d.kind === 'bad-edge')).toHaveLength(2);
    const fromGhost = a.errors.find((d) => d.edge === 1)!;
    expect(fromGhost.node).toBe('d');
    expect(fromGhost.message).toMatch(/comes from node "ghost", which does not exist/);
    const toNowhere = a.errors.find((d) => d.edge === 2)!;
    expect(toNowhere.node).toBe('x');
    expect(toNowhere.message).toMatch(/goes to node "nowhere", which does not exist/);
  });

  it('an edge to a missing input port or from a missing output port', () => {
    const a = analyze(
      doc(
        [input('x', [8]), { id: 'd', type: 'Dense' }, { id: 'd2', type: 'Dense' }],
        [e('x', 'd', { targetHandle: 'kernel' }), e('x', 'd2', { sourceHandle: 'h' })],
      ),
    );
    const toPort = a.errors.find((d) => d.edge === 0)!;
    expect(toPort).toMatchObject({ kind: 'bad-edge', node: 'd', port: 'kernel' });
    expect(toPort.message).toMatch(/Dense "d" has no input port "kernel"; its inputs are "in"/);
    const fromPort = a.errors.find((d) => d.edge === 1)!;
    expect(fromPort).toMatchObject({ kind: 'bad-edge', node: 'x', port: 'h' });
    expect(fromPort.message).toMatch(/Input "x" has no output port "h"; its outputs are "out"/);
  });

  it('a merge operand handle that is not in<k>', () => {
    const a = analyze(doc([input('x', [8]), input('y', [8]), { id: 's', type: 'Add' }], [e('x', 's'), e('y', 's', { targetHandle: 'left' })]));
    const d = a.errors.find((x) => x.kind === 'bad-edge')!;
    expect(d).toMatchObject({ node: 's', port: 'left' });
    expect(d.message).toMatch(/takes operands on in0, in1, …, not "left"/);
  });

  it('a cycle names every node on it', () => {
    const a = analyze(
      doc(
        [input('x', [8]), { id: 'sum', type: 'Add' }, { id: 'a', type: 'Dense', params: { units: 8 } }, { id: 'b', type: 'Dense', params: { units: 8 } }],
        [e('x', 'sum'), e('b', 'sum'), e('sum', 'a'), e('a', 'b')],
      ),
    );
    for (const id of ['sum', 'a', 'b']) {
      const d = only(a, id);
      expect(d.kind).toBe('cycle');
      expect(d.message).toMatch(new RegExp(`"${id}" is on a cycle \\("sum", "a", "b"\\)`));
    }
    expect(a.order).toEqual(['x']);
    expect(shapesRecord(a)).toEqual({ x: { out: [null, 8] } });
  });

  it('a graph without an Input', () => {
    const a = analyze(doc([{ id: 'd', type: 'Dense', params: { units: 4 } }]));
    const graphLevel = only(a, null);
    expect(graphLevel.kind).toBe('no-input');
    expect(graphLevel.message).toMatch(/no Input block/);
    // The Dense is also told its input is missing.
    expect(only(a, 'd').kind).toBe('missing-input');
  });

  it('an empty graph is a graph without an Input', () => {
    const a = analyze(doc([]));
    expect(a.errors.map((d) => d.kind)).toEqual(['no-input']);
  });
});

describe('incompatible ranks or shapes', () => {
  it('Add of [8,8,16] and [8,8,32]', () => {
    const a = analyze(doc([input('a', [8, 8, 16]), input('b', [8, 8, 32]), { id: 'sum', type: 'Add' }], [e('a', 'sum'), e('b', 'sum')]));
    const d = only(a, 'sum');
    expect(d.kind).toBe('shape');
    expect(d.message).toMatch(/same shape, got \[null, 8, 8, 16\] and \[null, 8, 8, 32\] \(axis 3: 16 vs 32; each axis must be equal on every input or 1, which broadcasts/);
  });

  it('Add of different ranks', () => {
    const a = analyze(doc([input('a', [8, 16]), input('b', [16]), { id: 'sum', type: 'Add' }], [e('a', 'sum'), e('b', 'sum')]));
    expect(only(a, 'sum').message).toMatch(/same rank, got \[null, 8, 16\] and \[null, 16\]/);
  });

  it('Concatenate that disagrees off the concat axis', () => {
    const a = analyze(
      doc([input('a', [8, 8, 16]), input('b', [8, 7, 16]), { id: 'cat', type: 'Concatenate', params: { axis: -1 } }], [e('a', 'cat'), e('b', 'cat')]),
    );
    const d = only(a, 'cat');
    expect(d.kind).toBe('shape');
    expect(d.message).toMatch(/\[null, 8, 8, 16\]/);
    expect(d.message).toMatch(/\[null, 8, 7, 16\]/);
  });

  it('Concatenate along the channel axis accepts different channel counts', () => {
    const a = analyze(doc([input('a', [8, 8, 16]), input('b', [8, 8, 32]), { id: 'cat', type: 'Concatenate' }], [e('a', 'cat'), e('b', 'cat')]));
    expect(a.errors).toEqual([]);
    expect(shapesRecord(a).cat).toEqual({ out: [null, 8, 8, 48] });
  });

  it('Conv2D on a vector', () => {
    const a = analyze(doc([input('x', [20]), { id: 'c', type: 'Conv2D' }], [e('x', 'c')]));
    const d = only(a, 'c');
    expect(d).toMatchObject({ kind: 'shape', port: 'in' });
    expect(d.message).toMatch(/Conv2D needs a 3-D \(4 with batch\) input on "in", got \[null, 20\].*Reshape/);
  });

  it('LSTM on an image', () => {
    // LSTM also has the optional state inputs h0 and c0, so the edge names its port.
    const a = analyze(doc([input('x', [28, 28, 1]), { id: 'rnn', type: 'LSTM', params: { units: 8 } }], [e('x', 'rnn', { targetHandle: 'in' })]));
    const d = only(a, 'rnn');
    expect(d.kind).toBe('shape');
    expect(d.message).toMatch(/LSTM/);
    expect(d.message).toMatch(/\[null, 28, 28, 1\]/);
  });

  it('token ids (int32) into a block that needs floats', () => {
    const a = analyze(doc([input('ids', [10], { dtype: 'int32' }), { id: 'd', type: 'Dense' }], [e('ids', 'd')]));
    const d = only(a, 'd');
    expect(d).toMatchObject({ kind: 'dtype', port: 'in' });
    expect(d.message).toMatch(/int32 token ids.*Embedding/);
  });
});

describe('an output dimension ≤ 0', () => {
  it('Conv2D kernel larger than its input', () => {
    const a = analyze(doc([input('x', [8, 8, 3]), { id: 'c', type: 'Conv2D', params: { kernelSize: 9 } }], [e('x', 'c')]));
    const d = only(a, 'c');
    expect(d).toMatchObject({ kind: 'shape', param: 'kernelSize' });
    expect(d.message).toMatch(/\[null, 0, 0, 32\]: a dimension ≤ 0/);
  });

  it('Conv2D dilated kernel larger than its input along one axis', () => {
    const a = analyze(doc([input('x', [16, 4, 3]), { id: 'c', type: 'Conv2D', params: { kernelSize: 3, dilationRate: 2 } }], [e('x', 'c')]));
    expect(only(a, 'c').message).toMatch(/\[null, 12, 0, 32\]: a dimension ≤ 0/);
  });

  it('MaxPooling2D pool larger than its input', () => {
    const a = analyze(doc([input('x', [4, 4, 3]), { id: 'p', type: 'MaxPooling2D', params: { poolSize: 5 } }], [e('x', 'p')]));
    const d = only(a, 'p');
    expect(d.kind).toBe('shape');
    expect(d.message).toMatch(/≤ 0/);
  });
});

describe('one pass over the whole graph', () => {
  it('reports every error, not only the first', () => {
    const a = analyze(
      doc(
        [
          input('x', [8, 8, 16]),
          input('y', [8, 8, 32]),
          { id: 'typo', type: 'Dense2' },
          { id: 'badParam', type: 'Dense', params: { units: -3 } },
          { id: 'sum', type: 'Add' },
          { id: 'big', type: 'Conv2D', params: { kernelSize: 11 } },
          { id: 'lonely', type: 'Dense' },
        ],
        [e('x', 'typo'), e('x', 'badParam'), e('x', 'sum'), e('y', 'sum'), e('y', 'big'), e('x', 'ghost')],
      ),
    );
    expect(on(a, 'typo').map((d) => d.kind)).toEqual(['unknown-type']);
    expect(on(a, 'badParam').map((d) => d.kind)).toEqual(['param']);
    expect(on(a, 'sum').map((d) => d.kind)).toEqual(['shape']);
    expect(on(a, 'big').map((d) => d.kind)).toEqual(['shape']);
    expect(on(a, 'lonely').map((d) => d.kind)).toEqual(['missing-input']);
    expect(on(a, 'x').map((d) => d.kind)).toEqual(['bad-edge']);
    expect(a.errors).toHaveLength(6);
    expect(a.ok).toBe(false);
  });

  it('infers shapes up to an error and does not blame nodes downstream of it', () => {
    const a = analyze(
      doc(
        [
          input('a', [8, 8, 16]),
          input('b', [8, 8, 3]),
          { id: 'c1', type: 'Conv2D', params: { filters: 32, padding: 'same' } },
          { id: 'sum', type: 'Add' },
          { id: 'after', type: 'Conv2D', params: { filters: 4 } },
          { id: 'head', type: 'Dense', params: { units: 2 } },
          { id: 'side', type: 'Dense', params: { units: 5 } },
        ],
        [e('a', 'sum'), e('b', 'c1'), e('c1', 'sum'), e('sum', 'after'), e('after', 'head'), e('c1', 'side')],
      ),
    );
    expect(a.errors.map((d) => [d.node, d.kind])).toEqual([['sum', 'shape']]);
    const shapes = shapesRecord(a);
    expect(shapes).toEqual({
      a: { out: [null, 8, 8, 16] },
      b: { out: [null, 8, 8, 3] },
      c1: { out: [null, 8, 8, 32] },
      side: { out: [null, 8, 8, 5] },
    });
    expect(a.nodes.get('after')!.errors).toEqual([]);
    expect(a.nodes.get('head')!.errors).toEqual([]);
  });
});

describe('malformed documents (parseGraphText)', () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"format": ', /f is not valid JSON/],
    ['a JSON array', '[1, 2]', /f is not a neural-blocks graph: expected a JSON object, got an array/],
    ['a wrong format', '{"format": "keras", "version": 1, "nodes": [], "edges": []}', /"format" must be "neural-blocks\.graph", got "keras"/],
    ['no format', '{"version": 1, "nodes": [], "edges": []}', /"format" must be "neural-blocks\.graph", got nothing/],
    ['an unknown version', '{"format": "neural-blocks.graph", "version": 99, "nodes": [], "edges": []}', /version 99, but this build reads versions up to 1/],
    ['a version that is not an integer', '{"format": "neural-blocks.graph", "version": "1", "nodes": [], "edges": []}', /"version" must be a positive integer, got "1"/],
    ['nodes not a list', '{"format": "neural-blocks.graph", "version": 1, "nodes": {"x": {}}, "edges": []}', /"nodes" must be a list, got \{"x":\{\}\}/],
    ['edges missing', '{"format": "neural-blocks.graph", "version": 1, "nodes": []}', /"edges" must be a list/],
    [
      'a duplicate node id',
      '{"format": "neural-blocks.graph", "version": 1, "nodes": [{"id": "a", "type": "Input"}, {"id": "a", "type": "Dense"}], "edges": []}',
      /nodes\[1\]: duplicate node id "a"/,
    ],
    ['a node without id', '{"format": "neural-blocks.graph", "version": 1, "nodes": [{"type": "Input"}], "edges": []}', /nodes\[0\]: "id" must be a non-empty string/],
    ['params not an object', '{"format": "neural-blocks.graph", "version": 1, "nodes": [{"id": "x", "type": "Input", "params": [1]}], "edges": []}', /"params" must be an object, got \[1\]/],
    ['an edge without target', '{"format": "neural-blocks.graph", "version": 1, "nodes": [], "edges": [{"source": "x"}]}', /edges\[0\]: "target" must be a node id string/],
  ];
  it.each(cases)('%s → one-line GraphFormatError', (_name, text, re) => {
    let err: unknown;
    try {
      parseGraphText(text, 'f');
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(GraphFormatError);
    const msg = (err as Error).message;
    expect(msg).toMatch(re);
    expect(msg).not.toContain('\n');
  });

  it('accepts null handles (as React Flow writes them) and drops them', () => {
    const d = parseGraphText(
      JSON.stringify({
        format: 'neural-blocks.graph',
        version: 1,
        nodes: [input('x', [4]), { id: 'd', type: 'Dense' }],
        edges: [{ id: null, source: 'x', target: 'd', sourceHandle: null, targetHandle: null }],
      }),
    );
    expect(d.edges).toEqual([{ source: 'x', target: 'd' }]);
    expect(analyze(d).ok).toBe(true);
  });
});
