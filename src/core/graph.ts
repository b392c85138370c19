// The graph document: the public file format (docs/graph-format.md) and the single source of
// truth for the app. Parsing checks the file's structure and migrates older versions; block-level
// checks (types, params, shapes) are the validator's job (infer.ts) so they land on the node.
import { MAX_EDGES, MAX_GRAPH_TEXT, MAX_JSON_DEPTH, MAX_NODES, stripBom, tooDeep } from './limits';

export const GRAPH_FORMAT = 'neural-blocks.graph';
export const GRAPH_VERSION = 1;

export interface GraphNode {
  id: string;
  type: string;
  params?: Record<string, unknown>;
  position?: { x: number; y: number };
  label?: string;
  /**
   * false freezes the block: training leaves its weights as they are (fine-tuning). Absent means
   * true, so files without it need no migration. On a Macro node it freezes every inner block.
   */
  trainable?: boolean;
}

export interface GraphEdge {
  id?: string;
  source: string;
  target: string;
  sourceHandle?: string;
  targetHandle?: string;
}

/**
 * A macro block: a named subgraph placed as one node (`{"type": "Macro", "params": {"name": N}}`)
 * as often as wanted. Inner edges read the macro's inputs as `"source": "$<input name>"`; each
 * output names the inner node (and port) it exposes. Macros may use other macros.
 */
export interface MacroDef {
  label?: string;
  description?: string;
  inputs: string[];
  outputs: { name: string; node: string; port?: string }[];
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphDoc {
  format: typeof GRAPH_FORMAT;
  version: typeof GRAPH_VERSION;
  name?: string;
  description?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Training config (loss, optimizer, data…); see the training docs. */
  training?: Record<string, unknown>;
  /** Macro block definitions by name. */
  macros?: Record<string, MacroDef>;
  /** Free-form metadata (template card text, source paper…). */
  meta?: Record<string, unknown>;
}

/** A file that is not a readable graph. The message is one line, fit for a CLI or a toast. */
export class GraphFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphFormatError';
  }
}

type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;
/**
 * Migrations from version N to N+1, keyed by N. Version 1 is the first; when v2 comes, add
 * `1: (doc) => ({...doc, version: 2, …})` here and every v1 file keeps opening.
 */
const MIGRATIONS: Record<number, Migration> = {};

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function q(v: unknown): string {
  const s = JSON.stringify(v);
  return s && s.length > 60 ? `${s.slice(0, 57)}...` : String(s);
}

/** Parses JSON text into a graph document, or throws GraphFormatError with a one-line message. */
export function parseGraphText(text: string, source = 'file'): GraphDoc {
  if (text.length > MAX_GRAPH_TEXT) throw new GraphFormatError(`${source} is ${text.length} characters long; graph files are read up to ${MAX_GRAPH_TEXT}`);
  let data: unknown;
  try {
    data = JSON.parse(stripBom(text));
  } catch (e) {
    throw new GraphFormatError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  return parseGraph(data, source);
}

/** Checks a parsed JSON value's structure and migrates it to the current version. */
export function parseGraph(data: unknown, source = 'file'): GraphDoc {
  if (!isObj(data)) throw new GraphFormatError(`${source} is not a neural-blocks graph: expected a JSON object, got ${Array.isArray(data) ? 'an array' : q(data)}`);
  if (data.format !== GRAPH_FORMAT)
    throw new GraphFormatError(`${source} is not a neural-blocks graph: "format" must be "${GRAPH_FORMAT}", got ${data.format === undefined ? 'nothing' : q(data.format)}`);
  // Walked iteratively before anything else recurses into it (spreads, structuredClone, stringify).
  const deep = tooDeep(data);
  if (deep) throw new GraphFormatError(`${source}: JSON nested more than ${MAX_JSON_DEPTH} levels deep at ${q(deep)}`);
  let doc = data;
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new GraphFormatError(`${source}: "version" must be a positive integer, got ${q(version)}`);
  if (version > GRAPH_VERSION)
    throw new GraphFormatError(`${source} has graph format version ${version}, but this build reads versions up to ${GRAPH_VERSION}: update Neural Blocks`);
  for (let v = version; v < GRAPH_VERSION; v++) {
    const m = MIGRATIONS[v];
    if (!m) throw new GraphFormatError(`${source}: no migration from graph format version ${v}`);
    doc = m(doc);
  }
  if (doc.name !== undefined && typeof doc.name !== 'string') throw new GraphFormatError(`${source}: "name" must be a string, got ${q(doc.name)}`);
  checkNodesEdges(doc, source);
  if (doc.macros !== undefined) {
    if (!isObj(doc.macros)) throw new GraphFormatError(`${source}: "macros" must be an object of macro definitions, got ${q(doc.macros)}`);
    const bodies = Object.values(doc.macros).filter(isObj);
    const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
    checkCounts(bodies.reduce((n, m) => n + len(m.nodes), len(doc.nodes)), bodies.reduce((n, m) => n + len(m.edges), len(doc.edges)), source);
    for (const [name, m] of Object.entries(doc.macros)) {
      const at = `${source}: macros["${name}"]`;
      if (!isObj(m)) throw new GraphFormatError(`${at} must be an object, got ${q(m)}`);
      if (!Array.isArray(m.inputs) || !m.inputs.every((x) => typeof x === 'string'))
        throw new GraphFormatError(`${at}: "inputs" must be a list of port names, got ${q(m.inputs)}`);
      if (!Array.isArray(m.outputs) || !m.outputs.every((o) => isObj(o) && typeof o.name === 'string' && typeof o.node === 'string'))
        throw new GraphFormatError(`${at}: "outputs" must be a list of {"name", "node", "port"?}, got ${q(m.outputs)}`);
      checkNodesEdges(m, at);
    }
  }
  if (doc.training !== undefined && !isObj(doc.training)) throw new GraphFormatError(`${source}: "training" must be an object, got ${q(doc.training)}`);
  // Normalise null handles (React Flow writes null) to absent.
  const out = { ...(doc as unknown as GraphDoc), edges: dropNullHandles(doc.edges as Record<string, unknown>[]) };
  if (out.macros) {
    out.macros = Object.fromEntries(
      Object.entries(out.macros).map(([k, m]) => [k, { ...m, edges: dropNullHandles(m.edges as unknown as Record<string, unknown>[]) }]),
    );
  }
  return out;
}

function checkCounts(nodes: number, edges: number, source: string): void {
  if (nodes > MAX_NODES) throw new GraphFormatError(`${source} has ${nodes} blocks (macro bodies included); a graph may have at most ${MAX_NODES}`);
  if (edges > MAX_EDGES) throw new GraphFormatError(`${source} has ${edges} edges (macro bodies included); a graph may have at most ${MAX_EDGES}`);
}

function dropNullHandles(edges: Record<string, unknown>[]): GraphEdge[] {
  return edges.map((e) => {
    const out: Record<string, unknown> = { ...e };
    for (const k of ['sourceHandle', 'targetHandle', 'id']) if (out[k] === null) delete out[k];
    return out as unknown as GraphEdge;
  });
}

function checkNodesEdges(doc: Record<string, unknown>, source: string): void {
  if (!Array.isArray(doc.nodes)) throw new GraphFormatError(`${source}: "nodes" must be a list, got ${q(doc.nodes)}`);
  if (!Array.isArray(doc.edges)) throw new GraphFormatError(`${source}: "edges" must be a list, got ${q(doc.edges)}`);
  checkCounts(doc.nodes.length, doc.edges.length, source);
  const ids = new Set<string>();
  (doc.nodes as unknown[]).forEach((n: unknown, i: number) => {
    const at = `${source}: nodes[${i}]`;
    if (!isObj(n)) throw new GraphFormatError(`${at} must be an object, got ${q(n)}`);
    if (typeof n.id !== 'string' || n.id === '') throw new GraphFormatError(`${at}: "id" must be a non-empty string, got ${q(n.id)}`);
    if (ids.has(n.id)) throw new GraphFormatError(`${at}: duplicate node id "${n.id}"`);
    ids.add(n.id);
    if (typeof n.type !== 'string' || n.type === '') throw new GraphFormatError(`${at} ("${n.id}"): "type" must be a block type name, got ${q(n.type)}`);
    if (n.params !== undefined && !isObj(n.params)) throw new GraphFormatError(`${at} ("${n.id}"): "params" must be an object, got ${q(n.params)}`);
    if (n.position !== undefined) {
      const p = n.position;
      if (!isObj(p) || typeof p.x !== 'number' || typeof p.y !== 'number')
        throw new GraphFormatError(`${at} ("${n.id}"): "position" must be {"x": number, "y": number}, got ${q(p)}`);
    }
    if (n.label !== undefined && typeof n.label !== 'string') throw new GraphFormatError(`${at} ("${n.id}"): "label" must be a string, got ${q(n.label)}`);
    if (n.trainable !== undefined && typeof n.trainable !== 'boolean')
      throw new GraphFormatError(`${at} ("${n.id}"): "trainable" must be true or false, got ${q(n.trainable)}`);
  });
  (doc.edges as unknown[]).forEach((e: unknown, i: number) => {
    const at = `${source}: edges[${i}]`;
    if (!isObj(e)) throw new GraphFormatError(`${at} must be an object, got ${q(e)}`);
    for (const k of ['source', 'target'] as const)
      if (typeof e[k] !== 'string') throw new GraphFormatError(`${at}: "${k}" must be a node id string, got ${q(e[k])}`);
    for (const k of ['sourceHandle', 'targetHandle', 'id'] as const)
      if (e[k] !== undefined && e[k] !== null && typeof e[k] !== 'string') throw new GraphFormatError(`${at}: "${k}" must be a string, got ${q(e[k])}`);
  });
}

export function emptyGraph(name = 'Untitled'): GraphDoc {
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, name, nodes: [], edges: [] };
}

export function serializeGraph(doc: GraphDoc): string {
  return JSON.stringify(doc, null, 2) + '\n';
}
