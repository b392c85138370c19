// Every edit of the graph document is a pure function doc → doc. The canvas, the inspector, the
// JSON panel and the keyboard shortcuts all go through these, so undo/redo is simply a history
// of documents and the document stays the single source of truth. No React, no DOM.
import { getBlock } from '../../blocks/index';
import type { GraphDoc, GraphEdge, GraphNode } from './graph';
import { isVariadic, type AnyBlockSpec } from './spec';
import { resolveParams } from './params';

export type Lookup = (type: string) => AnyBlockSpec | undefined;
export interface XY {
  x: number;
  y: number;
}

/** A node id that is not yet used: the type in lower case plus a counter (conv2d_3). */
export function freshId(doc: GraphDoc, type: string, taken: Set<string> = new Set(doc.nodes.map((n) => n.id))): string {
  const base = type.replace(/[^A-Za-z0-9]/g, '').toLowerCase() || 'node';
  for (let k = 1; ; k++) {
    const id = `${base}_${k}`;
    if (!taken.has(id)) return id;
  }
}

/** An edge id that is not yet used (e1, e2, …). */
export function freshEdgeId(taken: Set<string>): string {
  for (let k = 1; ; k++) {
    const id = `e${k}`;
    if (!taken.has(id)) return id;
  }
}

/** Gives every edge an id (files may omit them); ids let the canvas select and delete edges. */
export function withEdgeIds(doc: GraphDoc): GraphDoc {
  if (doc.edges.every((e) => e.id)) return doc;
  const taken = new Set(doc.edges.map((e) => e.id).filter((x): x is string => !!x));
  const edges = doc.edges.map((e) => {
    if (e.id && !taken.has(`dup:${e.id}`)) return e;
    const id = freshEdgeId(taken);
    taken.add(id);
    return { ...e, id };
  });
  return { ...doc, edges };
}

/** Output ports of a node with its current params ([] for an unknown type). */
export function outputPortsOf(node: GraphNode, lookup: Lookup = getBlock): string[] {
  const spec = lookup(node.type);
  if (!spec) return [];
  return spec.outputs(resolveParams(spec, node.params).params);
}

/** The target port an edge feeds, with defaults filled (single-input blocks: their one port). */
export function targetPortOf(doc: GraphDoc, e: GraphEdge, lookup: Lookup = getBlock): string | undefined {
  if (e.targetHandle) return e.targetHandle;
  const node = doc.nodes.find((n) => n.id === e.target);
  const spec = node && lookup(node.type);
  if (!spec || !node) return undefined;
  const ins = spec.inputs(resolveParams(spec, node.params).params);
  if (isVariadic(ins)) return undefined;
  return ins.length === 1 ? ins[0]!.name : undefined;
}

export function addNode(
  doc: GraphDoc,
  type: string,
  position: XY,
  params: Record<string, unknown> = {},
  id?: string,
): { doc: GraphDoc; id: string } {
  const nid = id && !doc.nodes.some((n) => n.id === id) ? id : freshId(doc, type);
  const node: GraphNode = { id: nid, type, params: { ...params }, position: { x: Math.round(position.x), y: Math.round(position.y) } };
  if (type === 'Input' && params.shape === undefined) node.params = { shape: [28, 28, 1], ...params };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id: nid };
}

/** Renumbers the operands of variadic (merge) nodes so they stay in0..in(n-1) without holes. */
function compactVariadic(doc: GraphDoc, targets: Set<string>, lookup: Lookup): GraphDoc {
  if (targets.size === 0) return doc;
  let edges = doc.edges;
  for (const t of targets) {
    const node = doc.nodes.find((n) => n.id === t);
    const spec = node && lookup(node.type);
    if (!spec || !node || !isVariadic(spec.inputs(resolveParams(spec, node.params).params))) continue;
    const feeding = edges
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.target === t && e.targetHandle && /^in\d+$/.test(e.targetHandle))
      .sort((a, b) => Number(a.e.targetHandle!.slice(2)) - Number(b.e.targetHandle!.slice(2)));
    const renamed = new Map<number, string>();
    feeding.forEach(({ i, e }, k) => {
      if (e.targetHandle !== `in${k}`) renamed.set(i, `in${k}`);
    });
    if (renamed.size) edges = edges.map((e, i) => (renamed.has(i) ? { ...e, targetHandle: renamed.get(i) } : e));
  }
  return edges === doc.edges ? doc : { ...doc, edges };
}

export function removeNodes(doc: GraphDoc, ids: Iterable<string>, lookup: Lookup = getBlock): GraphDoc {
  const gone = new Set(ids);
  if (gone.size === 0) return doc;
  const affected = new Set<string>();
  const edges = doc.edges.filter((e) => {
    const drop = gone.has(e.source) || gone.has(e.target);
    if (drop && !gone.has(e.target)) affected.add(e.target);
    return !drop;
  });
  return compactVariadic({ ...doc, nodes: doc.nodes.filter((n) => !gone.has(n.id)), edges }, affected, lookup);
}

/** Removes edges by id. */
export function disconnect(doc: GraphDoc, edgeIds: Iterable<string>, lookup: Lookup = getBlock): GraphDoc {
  const gone = new Set(edgeIds);
  if (gone.size === 0) return doc;
  const affected = new Set<string>();
  const edges = doc.edges.filter((e) => {
    const drop = e.id !== undefined && gone.has(e.id);
    if (drop) affected.add(e.target);
    return !drop;
  });
  if (edges.length === doc.edges.length) return doc;
  return compactVariadic({ ...doc, edges }, affected, lookup);
}

export interface Connection {
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

/**
 * Connects an output port to an input port. A port already fed is re-fed (the old edge goes);
 * a merge block's operands take the next free in{k} when no slot (or the "new slot" handle) is
 * named. Self-loops and unknown nodes leave the document as it is.
 */
export function connect(doc: GraphDoc, c: Connection, lookup: Lookup = getBlock): { doc: GraphDoc; edgeId?: string } {
  if (c.source === c.target) return { doc };
  const src = doc.nodes.find((n) => n.id === c.source);
  const dst = doc.nodes.find((n) => n.id === c.target);
  if (!src || !dst) return { doc };
  const outs = outputPortsOf(src, lookup);
  const sourceHandle = c.sourceHandle ?? outs[0] ?? 'out';
  const spec = lookup(dst.type);
  let targetHandle = c.targetHandle ?? undefined;
  let singleIn = false;
  if (spec) {
    const ins = spec.inputs(resolveParams(spec, dst.params).params);
    if (isVariadic(ins)) {
      const used = new Set(doc.edges.filter((e) => e.target === dst.id).map((e) => e.targetHandle));
      if (!targetHandle || !/^in\d+$/.test(targetHandle) || Number(targetHandle.slice(2)) > used.size) {
        let k = 0;
        while (used.has(`in${k}`)) k++;
        targetHandle = `in${k}`;
      }
    } else {
      singleIn = ins.length === 1 && ins[0]!.name === 'in';
      if (!targetHandle) targetHandle = ins[0]?.name;
    }
  }
  // The same link twice is a no-op.
  const same = doc.edges.find(
    (e) => e.source === src.id && (e.sourceHandle ?? outs[0]) === sourceHandle && e.target === dst.id && targetPortOf(doc, e, lookup) === targetHandle,
  );
  if (same) return { doc, edgeId: same.id };
  const kept = doc.edges.filter((e) => !(e.target === dst.id && targetPortOf(doc, e, lookup) === targetHandle));
  const taken = new Set(doc.edges.map((e) => e.id).filter((x): x is string => !!x));
  const id = freshEdgeId(taken);
  const edge: GraphEdge = { id, source: src.id, target: dst.id };
  // Handles are written when they carry information (several ports), as in hand-written files.
  if (!(sourceHandle === 'out' && outs.length === 1)) edge.sourceHandle = sourceHandle;
  if (targetHandle && !(targetHandle === 'in' && singleIn)) edge.targetHandle = targetHandle;
  return { doc: { ...doc, edges: [...kept, edge] }, edgeId: id };
}

/** Sets one param (undefined removes it, so the block's default applies). */
export function setParam(doc: GraphDoc, id: string, name: string, value: unknown): GraphDoc {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      if (n.id !== id) return n;
      const params = { ...(n.params ?? {}) };
      if (value === undefined) delete params[name];
      else params[name] = value;
      return { ...n, params };
    }),
  };
}

export function setLabel(doc: GraphDoc, id: string, label: string): GraphDoc {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      if (n.id !== id) return n;
      const next = { ...n };
      if (label.trim()) next.label = label;
      else delete next.label;
      return next;
    }),
  };
}

/** Renames a node id, rewriting its edges. Returns the doc unchanged when the id is taken or empty. */
export function renameNode(doc: GraphDoc, id: string, next: string): GraphDoc {
  if (!next || next === id || doc.nodes.some((n) => n.id === next)) return doc;
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === id ? { ...n, id: next } : n)),
    edges: doc.edges.map((e) => (e.source === id || e.target === id ? { ...e, source: e.source === id ? next : e.source, target: e.target === id ? next : e.target } : e)),
  };
}

export function moveNodes(doc: GraphDoc, positions: Record<string, XY> | Map<string, XY>): GraphDoc {
  const get = (id: string) => (positions instanceof Map ? positions.get(id) : positions[id]);
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = get(n.id);
    if (!p) return n;
    const x = Math.round(p.x);
    const y = Math.round(p.y);
    if (n.position && n.position.x === x && n.position.y === y) return n;
    changed = true;
    return { ...n, position: { x, y } };
  });
  return changed ? { ...doc, nodes } : doc;
}

export function renameGraph(doc: GraphDoc, name: string): GraphDoc {
  return { ...doc, name };
}

/**
 * Sets fields of the document's training config (loss, optimizer, dataset…). A value of
 * undefined removes the field (it falls back to the default); an unchanged config returns the
 * same document, so no empty undo step is made.
 */
export function setTraining(doc: GraphDoc, patch: Record<string, unknown>): GraphDoc {
  const prev = doc.training ?? {};
  const next: Record<string, unknown> = { ...prev };
  let changed = false;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) {
      if (k in next) {
        delete next[k];
        changed = true;
      }
    } else if (JSON.stringify(next[k]) !== JSON.stringify(v)) {
      next[k] = v;
      changed = true;
    }
  }
  return changed ? { ...doc, training: next } : doc;
}

/** A copied piece of a graph: some nodes and the edges among them. */
export interface Fragment {
  kind: 'neural-blocks.fragment';
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function copyFragment(doc: GraphDoc, ids: Iterable<string>): Fragment {
  const set = new Set(ids);
  return {
    kind: 'neural-blocks.fragment',
    nodes: structuredClone(doc.nodes.filter((n) => set.has(n.id))),
    edges: structuredClone(doc.edges.filter((e) => set.has(e.source) && set.has(e.target))),
  };
}

/** Pastes a fragment with fresh ids, shifted by offset. Returns the new node ids (to select them). */
export function paste(doc: GraphDoc, frag: Fragment, offset: XY = { x: 40, y: 40 }): { doc: GraphDoc; ids: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const map = new Map<string, string>();
  const nodes = frag.nodes.map((n) => {
    const id = freshId(doc, n.type, taken);
    taken.add(id);
    map.set(n.id, id);
    const p = n.position ?? { x: 0, y: 0 };
    return { ...structuredClone(n), id, position: { x: Math.round(p.x + offset.x), y: Math.round(p.y + offset.y) } };
  });
  const eTaken = new Set(doc.edges.map((e) => e.id).filter((x): x is string => !!x));
  const edges = frag.edges
    .filter((e) => map.has(e.source) && map.has(e.target))
    .map((e) => {
      const id = freshEdgeId(eTaken);
      eTaken.add(id);
      return { ...e, id, source: map.get(e.source)!, target: map.get(e.target)! };
    });
  return { doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: nodes.map((n) => n.id) };
}

export function duplicate(doc: GraphDoc, ids: Iterable<string>): { doc: GraphDoc; ids: string[] } {
  return paste(doc, copyFragment(doc, ids));
}

export function isFragment(v: unknown): v is Fragment {
  return typeof v === 'object' && v !== null && (v as Fragment).kind === 'neural-blocks.fragment' && Array.isArray((v as Fragment).nodes) && Array.isArray((v as Fragment).edges);
}
