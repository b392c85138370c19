import { describe, expect, it } from 'vitest';
import { GraphFormatError, parseGraphText, serializeGraph, type GraphDoc } from '../core/graph';
import { analyze } from '../core/infer';
import { diagnosticPaths, formatErrorPath, JsonLocator, jsonPositions, locateDiagnostics, locateFormatError } from './jsonLocate';

/** The 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const k = text.split('\n').findIndex((l) => l.includes(needle));
  if (k < 0) throw new Error(`"${needle}" is not in the text`);
  return k + 1;
}

function formatError(text: string): string {
  try {
    parseGraphText(text, 'JSON');
  } catch (e) {
    expect(e).toBeInstanceOf(GraphFormatError);
    return (e as Error).message;
  }
  throw new Error('expected a GraphFormatError');
}

const doc: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'small',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [28, 28, 1] }, position: { x: 0, y: 0 } },
    { id: 'c', type: 'Conv2D', params: { filters: 8, kernelSize: 3 }, position: { x: 200, y: 0 } },
    { id: 'd', type: 'Dense', params: { units: 10 }, position: { x: 400, y: 0 } },
  ],
  edges: [
    { id: 'e0', source: 'x', target: 'c' },
    { id: 'e1', source: 'c', target: 'd' },
  ],
};

describe('JsonLocator', () => {
  it('finds values by path with exact columns', () => {
    const text = '{"a": [1, {"b": "x\\"y"}], "c": true}';
    const loc = new JsonLocator(text);
    // "x\"y" starts at offset 16 (column 17) and is 6 characters long.
    expect(loc.find(['a', 1, 'b'])).toEqual({ startLine: 1, startCol: 17, endLine: 1, endCol: 23 });
    expect(loc.find(['c'])).toEqual({ startLine: 1, startCol: 32, endLine: 1, endCol: 36 });
    expect(loc.find(['a', 0])).toEqual({ startLine: 1, startCol: 8, endLine: 1, endCol: 9 });
    expect(loc.find(['nope'])).toBeUndefined();
    // The first path that exists wins.
    expect(loc.find(['nope'], ['a', 5], ['c'])?.startCol).toBe(32);
  });

  it('marks a multi-line value on its first line and keeps the last of repeated keys', () => {
    const text = '{\n  "k": 1,\n  "o": {\n    "z": 2\n  },\n  "k": 3\n}\n';
    const loc = new JsonLocator(text);
    expect(loc.find(['o'])).toEqual({ startLine: 3, startCol: 8, endLine: 3, endCol: 9 });
    expect(loc.find(['o', 'z'])).toEqual({ startLine: 4, startCol: 10, endLine: 4, endCol: 11 });
    expect(loc.find(['k'])).toEqual({ startLine: 6, startCol: 8, endLine: 6, endCol: 9 });
  });

  it('stops without throwing on malformed text', () => {
    expect(jsonPositions('{"a": [1, 2')).toBeUndefined();
    expect(new JsonLocator('{"a": ').find(['a'])).toBeUndefined();
  });
});

describe('formatErrorPath', () => {
  it.each([
    ['JSON: nodes[3] ("c1"): "params" must be an object, got 5', ['nodes', 3, 'params']],
    ['JSON: nodes[0]: "id" must be a non-empty string, got ""', ['nodes', 0, 'id']],
    ['JSON: nodes[2]: duplicate node id "x"', ['nodes', 2, 'id']],
    ['JSON: nodes[4] must be an object, got 7', ['nodes', 4]],
    ['JSON: edges[1]: "source" must be a node id string, got 3', ['edges', 1, 'source']],
    ['JSON: "version" must be a positive integer, got "1"', ['version']],
    ['JSON: macros["Res \\"A\\""]: nodes[1] ("q"): "type" must be a block type name, got 4', ['macros', 'Res "A"', 'nodes', 1, 'type']],
    ['JSON: macros["R"]: "inputs" must be a list of port names, got 1', ['macros', 'R', 'inputs']],
    ['JSON is not a neural-blocks graph: expected a JSON object, got an array', []],
    // A node id that looks like a path does not confuse it.
    ['JSON: nodes[1] ("edges[9]"): "position" must be {"x": number, "y": number}, got 1', ['nodes', 1, 'position']],
  ])('%s', (message, path) => {
    expect(formatErrorPath(message)).toEqual(path);
  });
});

describe('locateFormatError (real parser messages)', () => {
  it('puts a bad "params" on the line of that value', () => {
    const text = serializeGraph(doc).replace('"params": {\n        "units": 10\n      }', '"params": 10');
    const msg = formatError(text);
    expect(msg).toMatch(/nodes\[2\] \("d"\): "params" must be an object, got 10/);
    const r = locateFormatError(text, msg);
    expect(r.startLine).toBe(lineOf(text, '"params": 10'));
    expect(text.split('\n')[r.startLine - 1]!.slice(r.startCol - 1, r.endCol - 1)).toBe('10');
  });

  it('puts a bad edge end on its line', () => {
    const text = serializeGraph(doc).replace('"target": "d"', '"target": 5');
    const r = locateFormatError(text, formatError(text));
    expect(r.startLine).toBe(lineOf(text, '"target": 5'));
  });

  it('a missing key points at the object that lacks it', () => {
    const text = serializeGraph(doc).replace('"version": 1,\n', '');
    expect(formatError(text)).toMatch(/"version" must be a positive integer/);
    expect(locateFormatError(text, formatError(text))).toEqual({ startLine: 1, startCol: 1, endLine: 1, endCol: 2 });
  });
});

describe('locateDiagnostics (analysis errors in the JSON text)', () => {
  it('puts a bad param value on its own line', () => {
    const bad = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'd' ? { ...n, params: { units: -3 } } : n)) };
    const text = serializeGraph(bad);
    const located = locateDiagnostics(text, bad, analyze(bad));
    const p = located.find((x) => /units/.test(x.message));
    expect(p, JSON.stringify(located)).toBeDefined();
    expect(p!.startLine).toBe(lineOf(text, '"units": -3'));
    expect(text.split('\n')[p!.startLine - 1]!.slice(p!.startCol - 1, p!.endCol - 1)).toBe('-3');
    expect(p!.located).toBe(true);
  });

  it('puts an unknown block type on the "type" line', () => {
    const bad = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'c' ? { ...n, type: 'Conv2d' } : n)) };
    const text = serializeGraph(bad);
    const located = locateDiagnostics(text, bad, analyze(bad));
    const p = located.find((x) => /unknown block type/.test(x.message));
    expect(p).toBeDefined();
    expect(p!.startLine).toBe(lineOf(text, '"type": "Conv2d"'));
  });

  it('puts an edge to a missing node on its "target" line', () => {
    const bad = { ...doc, edges: [doc.edges[0]!, { id: 'e1', source: 'c', target: 'ghost' }] };
    const text = serializeGraph(bad);
    const p = locateDiagnostics(text, bad, analyze(bad)).find((x) => /ghost/.test(x.message));
    expect(p).toBeDefined();
    expect(p!.startLine).toBe(lineOf(text, '"target": "ghost"'));
  });

  it('a graph-level problem has no place: line 1, marked as not located', () => {
    const bad: GraphDoc = { ...doc, nodes: [doc.nodes[2]!], edges: [] };
    const text = serializeGraph(bad);
    const p = locateDiagnostics(text, bad, analyze(bad)).find((x) => /no Input block/.test(x.message));
    expect(p).toMatchObject({ startLine: 1, located: false });
  });

  it('a port problem on the source side points at sourceHandle', () => {
    const e = { id: 'e1', source: 'c', sourceHandle: 'h', target: 'd' };
    expect(diagnosticPaths({ ...doc, edges: [doc.edges[0]!, e] }, { kind: 'bad-edge', node: 'c', port: 'h', edge: 1, message: 'no output port "h"' })[0]).toEqual(['edges', 1, 'sourceHandle']);
  });
});
