// Macro blocks as edits (pure doc → doc, like edit.ts): group a selection into a named reusable
// block, and expand an instance again.
import { getBlock } from '../../blocks/index';
import type { GraphDoc, GraphEdge, GraphNode } from './graph';
import { macroDef, MACRO_TYPE } from './macro';
import { freshEdgeId, freshId, outputPortsOf, type Lookup } from './edit';

/** A macro name not yet used in the document ("Block", "Block 2", …). */
export function freshMacroName(doc: GraphDoc, base = 'Block'): string {
  const taken = new Set(Object.keys(doc.macros ?? {}));
  if (!taken.has(base)) return base;
  for (let k = 2; ; k++) if (!taken.has(`${base} ${k}`)) return `${base} ${k}`;
}

export class EditError extends Error {}

/**
 * Turns the selected nodes into a macro definition and puts one instance of it in their place.
 * Tensors entering the selection become the macro's inputs (one per distinct source port);
 * tensors leaving it, and the selection's sinks, become its outputs. Edges keep their ports.
 */
export function groupIntoMacro(doc: GraphDoc, ids: Iterable<string>, name: string, lookup: Lookup = getBlock): { doc: GraphDoc; id: string } {
  const sel = new Set(ids);
  const nodes = doc.nodes.filter((n) => sel.has(n.id));
  if (nodes.length === 0) throw new EditError('select the blocks to group first');
  const inputNode = nodes.find((n) => n.type === 'Input');
  if (inputNode) throw new EditError(`"${inputNode.id}" is an Input block: a macro takes its inputs through its ports — leave Input blocks out of the selection`);
  if (!name.trim()) throw new EditError('give the macro block a name');
  if (doc.macros && Object.hasOwn(doc.macros, name)) throw new EditError(`a macro named "${name}" already exists — pick another name`);

  const key = (node: string, port: string | undefined) => `${node}\0${port ?? ''}`;
  const incoming = doc.edges.filter((e) => !sel.has(e.source) && sel.has(e.target));
  const outgoing = doc.edges.filter((e) => sel.has(e.source) && !sel.has(e.target));
  const inner = doc.edges.filter((e) => sel.has(e.source) && sel.has(e.target));

  // Inputs: one per distinct outside tensor.
  const inKeys: string[] = [];
  for (const e of incoming) if (!inKeys.includes(key(e.source, e.sourceHandle))) inKeys.push(key(e.source, e.sourceHandle));
  const inName = (k: number) => (inKeys.length === 1 ? 'in' : `in${k}`);
  // Outputs: inner ports read from outside, then inner sinks (graph outputs) in document order.
  const outs: { node: string; port?: string }[] = [];
  const outKey = (o: { node: string; port?: string }) => key(o.node, o.port);
  const portOf = (node: string, handle: string | undefined) => {
    if (handle) return handle;
    const n = doc.nodes.find((x) => x.id === node)!;
    const ports = outputPortsOf(n, lookup);
    return ports.length > 1 ? ports[0] : undefined;
  };
  for (const e of outgoing) {
    const o = { node: e.source, port: portOf(e.source, e.sourceHandle) };
    if (!outs.some((x) => outKey(x) === outKey(o))) outs.push(o);
  }
  const feeds = new Set(doc.edges.map((e) => e.source));
  for (const n of nodes) if (!feeds.has(n.id) && !outs.some((o) => o.node === n.id)) outs.push({ node: n.id });
  const outName = (k: number) => (outs.length === 1 ? 'out' : `out${k}`);

  const minX = Math.min(...nodes.map((n) => n.position?.x ?? 0));
  const minY = Math.min(...nodes.map((n) => n.position?.y ?? 0));
  const avgY = nodes.reduce((s, n) => s + (n.position?.y ?? 0), 0) / nodes.length;
  const defEdges: GraphEdge[] = inner.map(({ id: _id, ...e }) => e);
  for (const e of incoming) {
    const k = inKeys.indexOf(key(e.source, e.sourceHandle));
    const edge: GraphEdge = { source: `$${inName(k)}`, target: e.target };
    if (e.targetHandle) edge.targetHandle = e.targetHandle;
    defEdges.push(edge);
  }
  const def = {
    label: name,
    inputs: inKeys.map((_, k) => inName(k)),
    outputs: outs.map((o, k) => (o.port ? { name: outName(k), node: o.node, port: o.port } : { name: outName(k), node: o.node })),
    nodes: nodes.map((n) => ({ ...structuredClone(n), position: { x: (n.position?.x ?? 0) - minX, y: (n.position?.y ?? 0) - minY } })),
    edges: defEdges,
  };
  const rest = doc.nodes.filter((n) => !sel.has(n.id));
  const id = freshId({ ...doc, nodes: rest }, name, new Set(rest.map((n) => n.id)));
  const instance: GraphNode = { id, type: MACRO_TYPE, params: { name }, position: { x: Math.round(minX), y: Math.round(avgY) } };
  const taken = new Set(doc.edges.map((e) => e.id).filter((x): x is string => !!x));
  const newEdges: GraphEdge[] = [];
  for (const e of incoming) {
    const k = inKeys.indexOf(key(e.source, e.sourceHandle));
    if (newEdges.some((x) => x.target === id && x.targetHandle === inName(k))) continue;
    const ne: GraphEdge = { id: e.id ?? freshEdgeId(taken), source: e.source, target: id, targetHandle: inName(k) };
    if (e.sourceHandle) ne.sourceHandle = e.sourceHandle;
    newEdges.push(ne);
  }
  for (const e of outgoing) {
    const k = outs.findIndex((o) => outKey(o) === key(e.source, portOf(e.source, e.sourceHandle)));
    const ne: GraphEdge = { id: e.id ?? freshEdgeId(taken), source: id, sourceHandle: outName(k), target: e.target };
    if (e.targetHandle) ne.targetHandle = e.targetHandle;
    newEdges.push(ne);
  }
  const keptEdges = doc.edges.filter((e) => !sel.has(e.source) && !sel.has(e.target));
  return {
    doc: { ...doc, nodes: [...rest, instance], edges: [...keptEdges, ...newEdges], macros: { ...(doc.macros ?? {}), [name]: def } },
    id,
  };
}

/** Replaces a macro instance by a copy of its inner blocks (the definition stays for reuse). */
export function expandMacro(doc: GraphDoc, instanceId: string): { doc: GraphDoc; ids: string[] } {
  const inst = doc.nodes.find((n) => n.id === instanceId);
  if (!inst || inst.type !== MACRO_TYPE) throw new EditError(`"${instanceId}" is not a macro block`);
  const name = String(inst.params?.name ?? '');
  const def = macroDef(doc.macros, name);
  if (!def) throw new EditError(`macro block "${instanceId}" uses unknown macro "${name}"`);
  const rest = doc.nodes.filter((n) => n.id !== instanceId);
  const taken = new Set(rest.map((n) => n.id));
  const map = new Map<string, string>();
  const base = inst.position ?? { x: 0, y: 0 };
  const minY = Math.min(...def.nodes.map((n) => n.position?.y ?? 0));
  const maxY = Math.max(...def.nodes.map((n) => n.position?.y ?? 0));
  const added = def.nodes.map((n) => {
    const id = taken.has(n.id) ? freshId(doc, n.type, taken) : n.id;
    taken.add(id);
    map.set(n.id, id);
    const p = n.position ?? { x: 0, y: 0 };
    return { ...structuredClone(n), id, position: { x: Math.round(base.x + p.x), y: Math.round(base.y + p.y - (maxY - minY) / 2) } };
  });
  const eTaken = new Set(doc.edges.map((e) => e.id).filter((x): x is string => !!x));
  const edges: GraphEdge[] = doc.edges.filter((e) => e.source !== instanceId && e.target !== instanceId);
  const push = (e: GraphEdge) => {
    const id = e.id && !eTaken.has(e.id) ? e.id : freshEdgeId(eTaken);
    eTaken.add(id);
    edges.push({ ...e, id });
  };
  for (const e of def.edges) {
    if (e.source.startsWith('$')) {
      const port = e.source.slice(1);
      for (const top of doc.edges) {
        if (top.target !== instanceId) continue;
        const tp = top.targetHandle ?? (def.inputs.length === 1 ? def.inputs[0] : undefined);
        if (tp !== port) continue;
        const ne: GraphEdge = { source: top.source, target: map.get(e.target)! };
        if (top.sourceHandle) ne.sourceHandle = top.sourceHandle;
        if (e.targetHandle) ne.targetHandle = e.targetHandle;
        push(ne);
      }
    } else {
      const { id: _id, ...rest2 } = e;
      push({ ...rest2, source: map.get(e.source) ?? e.source, target: map.get(e.target) ?? e.target });
    }
  }
  for (const top of doc.edges) {
    if (top.source !== instanceId) continue;
    const port = top.sourceHandle ?? def.outputs[0]?.name;
    const o = def.outputs.find((x) => x.name === port);
    if (!o) continue;
    const ne: GraphEdge = { id: top.id, source: map.get(o.node) ?? o.node, target: top.target };
    if (o.port) ne.sourceHandle = o.port;
    if (top.targetHandle) ne.targetHandle = top.targetHandle;
    push(ne);
  }
  return { doc: { ...doc, nodes: [...rest, ...added], edges }, ids: added.map((n) => n.id) };
}
