// Validation and shape inference in one pass over the graph, in topological order. It reports
// every error (not only the first), each on the node (and port or param) where a user fixes it,
// and still infers every shape it can: nodes downstream of an error are left unknown, not blamed.
import { getBlock as registryLookup } from '../../blocks/index';
import type { GraphDoc } from './graph';
import { expandMacros, hasMacros, MACRO_TYPE } from './macro';
import type { Analysis, BlockLookup, Diagnostic, NodeInfo } from './analysis';
import { analyzeFlat, defaultTargetPort } from './inferFlat';
import type { Shape } from './spec';

export type { Analysis, BlockLookup, Diagnostic, DiagnosticKind, NodeInfo } from './analysis';
export { shapesRecord } from './analysis';
export { suggestType } from './inferFlat';

/**
 * Analyzes a document. With macro blocks, the flattened graph is analyzed and the results are
 * lifted back: `nodes` holds the document's own nodes (instances included, with their summed
 * params and the errors of their insides), `flat` the analysis the compiler works from.
 */
export function analyze(doc: GraphDoc, lookup: BlockLookup = registryLookup): Analysis {
  if (!hasMacros(doc)) {
    const a = analyzeFlat(doc, lookup);
    a.flat = a;
    return a;
  }
  const ex = expandMacros(doc);
  const fa = analyzeFlat(ex.flat, lookup);
  fa.flat = fa;
  const nodes = new Map<string, NodeInfo>();
  const errors: Diagnostic[] = [];
  // Flat nodes per instance, grouped once (a scan of every flat node per instance is quadratic).
  const flatOf = new Map<string, string[]>();
  for (const [flatId, topId] of ex.origin) {
    const list = flatOf.get(topId);
    if (list) list.push(flatId);
    else flatOf.set(topId, [flatId]);
  }
  for (const n of doc.nodes) {
    if (n.type !== MACRO_TYPE) {
      const info = fa.nodes.get(n.id);
      if (info) nodes.set(n.id, { ...info, inputEdges: new Map(), errors: [] });
      continue;
    }
    const inst = ex.instances.get(n.id);
    const info: NodeInfo = {
      id: n.id,
      type: MACRO_TYPE,
      params: { ...(n.params ?? {}) },
      inputPorts: inst?.def.inputs.slice() ?? [],
      outputPorts: inst?.def.outputs.map((o) => o.name) ?? [],
      inputEdges: new Map(),
      inputShapes: [],
      inputDtypes: [],
      errors: [],
    };
    nodes.set(n.id, info);
    if (!inst) continue;
    for (const port of info.inputPorts) {
      const t = inst.ins.get(port)?.[0];
      const ti = t ? fa.nodes.get(t.node) : undefined;
      const k = ti && t ? (t.port === undefined ? 0 : ti.inputPorts.indexOf(t.port)) : -1;
      info.inputShapes.push(ti && k >= 0 ? ti.inputShapes[k] : undefined);
      info.inputDtypes.push(ti && k >= 0 ? ti.inputDtypes[k] : undefined);
    }
    const outShapes: Record<string, Shape> = {};
    const outDtypes: Record<string, string> = {};
    let complete = true;
    for (const [name, src] of inst.outs) {
      const si = fa.nodes.get(src.node);
      const port = src.port ?? si?.outputPorts[0];
      const s = port !== undefined ? si?.outputShapes?.[port] : undefined;
      if (!s) complete = false;
      else {
        outShapes[name] = s;
        outDtypes[name] = si?.outputDtypes?.[port!] ?? 'float32';
      }
    }
    if (complete && inst.outs.size === info.outputPorts.length) {
      info.outputShapes = outShapes;
      info.outputDtypes = outDtypes;
    }
    let trainable = 0;
    let nonTrainable = 0;
    let macs = 0;
    for (const flatId of flatOf.get(n.id) ?? []) {
      const fi = fa.nodes.get(flatId);
      trainable += fi?.paramCount?.trainable ?? 0;
      nonTrainable += fi?.paramCount?.nonTrainable ?? 0;
      macs += fi?.macs ?? 0;
    }
    info.paramCount = { trainable, nonTrainable };
    info.macs = macs;
  }
  const report = (d: Diagnostic) => {
    errors.push(d);
    if (d.node) nodes.get(d.node)?.errors.push(d);
  };
  for (const issue of ex.issues) report({ kind: 'macro', node: issue.node, message: issue.message });
  for (const d of fa.errors) {
    const top = d.node ? ex.origin.get(d.node) ?? d.node : null;
    const inside = d.node !== null && top !== d.node;
    const edge = d.edge !== undefined ? ex.edgeOrigin[d.edge] : undefined;
    report({
      ...d,
      node: top,
      edge,
      port: inside ? undefined : d.port,
      param: inside ? undefined : d.param,
      message: inside ? `inside macro block "${top}", node "${d.node!.slice(top!.length + 1)}": ${d.message}` : d.message,
      inner: inside ? { node: d.node!, port: d.port, param: d.param } : undefined,
    });
  }
  // Top-level order: by first appearance of each node's flat nodes in the flat order.
  const order: string[] = [];
  const seen = new Set<string>();
  for (const id of fa.order) {
    const top = ex.origin.get(id) ?? id;
    if (!seen.has(top)) {
      seen.add(top);
      order.push(top);
    }
  }
  const edges: Analysis['edges'] = doc.edges.map((e) => {
    const src = nodes.get(e.source);
    const dst = nodes.get(e.target);
    if (!src || !dst) return undefined;
    const sh = e.sourceHandle ?? src.outputPorts[0];
    const th = e.targetHandle ?? defaultTargetPort(dst);
    if (sh === undefined || th === undefined) return undefined;
    return { source: e.source, sourceHandle: sh, target: e.target, targetHandle: th };
  });
  edges.forEach((r, i) => {
    if (r) nodes.get(r.target)?.inputEdges.set(r.targetHandle, i);
  });
  return { ok: errors.length === 0, order, nodes, errors, inputs: fa.inputs, outputs: fa.outputs, edges, flat: fa };
}
