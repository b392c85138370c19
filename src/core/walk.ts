// The one walk over an analysed graph that the compiler, the code view and the exporters share:
// nodes in topological order, each handed the values its input ports are fed (one per port, in
// port order; undefined for an unfed optional port) and returning one value per output port.
// What a value is belongs to the caller: a tfjs SymbolicTensor, an ONNX value name, a Python
// variable. The walk keys values by node and port, so an edge from any output port of a
// multi-output block (an LSTM's "h") reaches its readers.
import type { Analysis, NodeInfo } from './infer';

/** What one node turns its input values into: one value per output port, in info.outputPorts order. */
export type WalkVisit<V> = (id: string, info: NodeInfo, inputs: (V | undefined)[]) => V[];

export interface Walked<V> {
  /** The value a node's output port produced (undefined for a node the walk did not reach). */
  value(node: string, port: string): V | undefined;
  /** The values of the graph inputs (each Input node's "out"), in analysis.inputs order. */
  inputs: V[];
  /** The values of the graph outputs, in analysis.outputs order. */
  outputs: V[];
}

const key = (node: string, port: string) => `${node}\0${port}`;

/**
 * Visits every node of `a` in topological order (see the module comment). Every node of the
 * order must have its inputs' producers before it, which analysis guarantees for a graph
 * without errors; callers walk only such analyses.
 */
export function walkGraph<V>(a: Analysis, visit: WalkVisit<V>): Walked<V> {
  const values = new Map<string, V>();
  for (const id of a.order) {
    const info = a.nodes.get(id)!;
    const ins = info.inputPorts.map((port) => {
      const ei = info.inputEdges.get(port);
      if (ei === undefined) return undefined;
      const r = a.edges[ei]!;
      return values.get(key(r.source, r.sourceHandle));
    });
    const outs = visit(id, info, ins);
    info.outputPorts.forEach((p, k) => values.set(key(id, p), outs[k]!));
  }
  const value = (node: string, port: string) => values.get(key(node, port));
  return {
    value,
    inputs: a.inputs.map((id) => value(id, 'out')!),
    outputs: a.outputs.map((o) => value(o.node, o.port)!),
  };
}
