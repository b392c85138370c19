// What analyze() returns: per-node shapes, params and counts, the resolved edges, and every
// diagnostic, each on the node (and port or param) where a user fixes it.
import type { AnyBlockSpec, ParamCounts, Shape } from './spec';

export type DiagnosticKind =
  | 'unknown-type'
  | 'param'
  | 'missing-input'
  | 'duplicate-input'
  | 'bad-edge'
  | 'cycle'
  | 'shape'
  | 'dtype'
  | 'no-input'
  | 'unused-input'
  | 'macro';

export interface Diagnostic {
  kind: DiagnosticKind;
  /** The node the error belongs to; null for graph-level errors. */
  node: string | null;
  port?: string;
  param?: string;
  /** Index of the offending edge in doc.edges. */
  edge?: number;
  message: string;
  /** For an error inside a macro block: the flat inner node (and port/param) it comes from. */
  inner?: { node: string; port?: string; param?: string };
}

export interface NodeInfo {
  id: string;
  type: string;
  spec?: AnyBlockSpec;
  params: Record<string, unknown>;
  /** Input port names in order (for merges: in0…inN-1 as fed). */
  inputPorts: string[];
  outputPorts: string[];
  /** Edge index feeding each input port (by port name). */
  inputEdges: Map<string, number>;
  inputShapes: (Shape | undefined)[];
  inputDtypes: (string | undefined)[];
  /** Output shapes by port; undefined when inference stopped at or before this node. */
  outputShapes?: Record<string, Shape>;
  outputDtypes?: Record<string, string>;
  paramCount?: ParamCounts;
  macs?: number;
  errors: Diagnostic[];
}

export interface Analysis {
  ok: boolean;
  /** Node ids in topological order (nodes on a cycle are left out). */
  order: string[];
  nodes: Map<string, NodeInfo>;
  errors: Diagnostic[];
  /** Input node ids, in document order: the compiled model's inputs. */
  inputs: string[];
  /** Outputs: every output port of nodes with no outgoing edge, in document order. */
  outputs: { node: string; port: string }[];
  /** Resolved edges (handles filled in), parallel to doc.edges; undefined for a bad edge. */
  edges: ({ source: string; sourceHandle: string; target: string; targetHandle: string } | undefined)[];
  /** The analysis of the flattened graph (macros expanded): what the compiler builds. Equals this analysis when there are no macros. */
  flat: Analysis;
}

export type BlockLookup = (type: string) => AnyBlockSpec | undefined;

/** Shapes as the CLI's --json prints them: {nodeId: {handle: [null, …]}}. */
export function shapesRecord(a: Analysis): Record<string, Record<string, Shape>> {
  const out: Record<string, Record<string, Shape>> = {};
  for (const [id, info] of a.nodes) if (info.outputShapes) out[id] = info.outputShapes;
  return out;
}
