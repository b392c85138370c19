// Macro blocks: a named subgraph placed as one node. Analysis and compilation work on the
// flattened graph (inner node ids become "instance/inner"); results are lifted back onto the
// instance node so the canvas shows one block with its ports, shapes, params and errors.
import type { GraphDoc, GraphEdge, GraphNode, MacroDef } from './graph';
import { MAX_EDGES, MAX_MACRO_DEPTH, MAX_NODES, fmtCount } from './limits';

export const MACRO_TYPE = 'Macro';

export interface MacroIssue {
  /** Top-level node the problem belongs to (the instance), or null. */
  node: string | null;
  message: string;
}

interface Target {
  node: string;
  port?: string;
}
interface Source {
  node: string;
  port?: string;
}

export interface InstanceInfo {
  /** Top-level instance id → macro name. */
  name: string;
  def: MacroDef;
  /** Where each macro input goes, in the flat graph. */
  ins: Map<string, Target[]>;
  /** Which flat node/port each macro output is. */
  outs: Map<string, Source>;
}

export interface Expansion {
  flat: GraphDoc;
  issues: MacroIssue[];
  /** Top-level instances by id. */
  instances: Map<string, InstanceInfo>;
  /** Flat node id → the top-level node it came from (itself when not inside a macro). */
  origin: Map<string, string>;
  /** Flat edge index → top-level edge index (undefined for edges inside a macro). */
  edgeOrigin: (number | undefined)[];
}

export function hasMacros(doc: GraphDoc): boolean {
  return doc.nodes.some((n) => n.type === MACRO_TYPE);
}

export function macroName(n: GraphNode): string | undefined {
  const v = n.params?.name;
  return typeof v === 'string' ? v : undefined;
}

/**
 * The definition of macro `name`, own properties only: a macro named "constructor" or
 * "__proto__" must never find Object.prototype's members.
 */
export function macroDef(macros: GraphDoc['macros'], name: string | undefined): MacroDef | undefined {
  if (!macros || name === undefined || !Object.hasOwn(macros, name)) return undefined;
  const d = macros[name];
  return typeof d === 'object' && d !== null ? d : undefined;
}

export interface Footprint {
  /** Blocks and edges the macro expands to, and how deep its macros nest (itself = 1). */
  nodes: number;
  edges: number;
  depth: number;
}

/**
 * What each macro expands to, computed without expanding (iteratively, memoized), so that a
 * few KB of macros nested 4^10 deep are refused before a million nodes are built. A macro that
 * reaches itself counts its recursive use as empty: expansion reports the recursion.
 */
function footprints(macros: GraphDoc['macros']): (name: string) => Footprint | undefined {
  const done = new Map<string, Footprint>();
  const onPath = new Set<string>();
  const measure = (root: string): Footprint | undefined => {
    if (!macroDef(macros, root)) return undefined;
    const work: { name: string; entered: boolean }[] = [{ name: root, entered: false }];
    while (work.length) {
      const top = work[work.length - 1]!;
      const def = macroDef(macros, top.name)!;
      const subs = [...new Set(def.nodes.filter((n) => n.type === MACRO_TYPE).map(macroName))];
      if (!top.entered) {
        top.entered = true;
        onPath.add(top.name);
        for (const s of subs) if (s !== undefined && macroDef(macros, s) && !done.has(s) && !onPath.has(s)) work.push({ name: s, entered: false });
        continue;
      }
      work.pop();
      onPath.delete(top.name);
      if (done.has(top.name)) continue;
      const f: Footprint = { nodes: def.nodes.filter((n) => n.type !== MACRO_TYPE).length, edges: def.edges.length, depth: 1 };
      for (const n of def.nodes) {
        const sf = n.type === MACRO_TYPE ? done.get(macroName(n) ?? '') : undefined;
        if (!sf) continue;
        f.nodes += sf.nodes;
        f.edges += sf.edges;
        f.depth = Math.max(f.depth, sf.depth + 1);
      }
      done.set(top.name, f);
    }
    return done.get(root);
  };
  return (name) => done.get(name) ?? measure(name);
}

/**
 * Blocks and edges of the flattened graph and the deepest macro nesting, measured without
 * expanding (macros that are unknown or recursive count as nothing).
 */
export function flatSize(doc: GraphDoc): Footprint {
  const footprint = footprints(doc.macros);
  const total: Footprint = { nodes: 0, edges: doc.edges.length, depth: 0 };
  for (const n of doc.nodes) {
    const f = n.type === MACRO_TYPE ? footprint(macroName(n) ?? '') : undefined;
    if (n.type !== MACRO_TYPE) total.nodes++;
    if (!f) continue;
    total.nodes += f.nodes;
    total.edges += f.edges;
    total.depth = Math.max(total.depth, f.depth);
  }
  return total;
}

interface Level {
  nodes: GraphNode[];
  edges: GraphEdge[];
  edgeOrigin: (number | undefined)[];
  dollar: Map<string, Target[]>;
  instances: Map<string, InstanceInfo>;
}

export function expandMacros(doc: GraphDoc): Expansion {
  const macros = doc.macros ?? {};
  const issues: MacroIssue[] = [];
  const origin = new Map<string, string>();
  const footprint = footprints(macros);
  // Blocks and edges the flat graph will hold, counted before each top-level instance expands.
  let flatNodes = doc.nodes.filter((n) => n.type !== MACRO_TYPE).length;
  let flatEdges = doc.edges.length;

  const level = (nodes: GraphNode[], edges: GraphEdge[], prefix: string, stack: string[], top: string | null): Level => {
    const res: Level = { nodes: [], edges: [], edgeOrigin: [], dollar: new Map(), instances: new Map() };
    const where = (msg: string) => (stack.length ? `in macro "${stack[stack.length - 1]}": ${msg}` : msg);
    for (const n of nodes) {
      const topId = top ?? n.id;
      if (n.type !== MACRO_TYPE) {
        if (n.type === 'Input' && stack.length) {
          issues.push({ node: topId, message: where(`node "${n.id}" is an Input: a macro takes its inputs through its input ports ("$name" edges), not Input blocks`) });
          continue;
        }
        res.nodes.push({ ...n, id: prefix + n.id });
        origin.set(prefix + n.id, topId);
        continue;
      }
      const name = macroName(n);
      const def = macroDef(macros, name);
      if (!def || name === undefined) {
        const known = Object.keys(macros);
        const list = known.slice(0, 12).join(', ') + (known.length > 12 ? ', …' : '');
        issues.push({
          node: topId,
          message: where(`macro block "${n.id}" uses ${name === undefined ? 'no macro (set params.name)' : `unknown macro "${name}"`}${known.length ? `; defined macros: ${list}` : ''}`),
        });
        continue;
      }
      if (stack.includes(name)) {
        issues.push({ node: topId, message: where(`macro "${name}" contains itself (${[...stack, name].join(' → ')}): a macro cannot be recursive`) });
        continue;
      }
      if (stack.length >= MAX_MACRO_DEPTH) {
        // Also bounds this recursion whatever the footprints said (they undercount cycles).
        issues.push({ node: topId, message: where(`macro block "${n.id}" nests macros deeper than ${MAX_MACRO_DEPTH} levels (${[...stack.slice(0, 3), '…', name].join(' → ')})`) });
        continue;
      }
      if (!stack.length) {
        const f = footprint(name)!;
        flatNodes += f.nodes;
        flatEdges += f.edges;
        const why =
          f.depth > MAX_MACRO_DEPTH
            ? `macros nest ${f.depth} deep inside it (at most ${MAX_MACRO_DEPTH})`
            : flatNodes > MAX_NODES
              ? `the graph would expand to ${fmtCount(flatNodes)} blocks (at most ${MAX_NODES})`
              : flatEdges > MAX_EDGES
                ? `the graph would expand to ${fmtCount(flatEdges)} edges (at most ${MAX_EDGES})`
                : undefined;
        if (why) {
          issues.push({ node: topId, message: `macro block "${n.id}" (macro "${name}") is not expanded: ${why}` });
          continue;
        }
      }
      const sub = level(def.nodes, def.edges, `${prefix}${n.id}/`, [...stack, name], topId);
      res.nodes.push(...sub.nodes);
      res.edges.push(...sub.edges);
      res.edgeOrigin.push(...sub.edgeOrigin.map(() => undefined));
      const outs = new Map<string, Source>();
      for (const o of def.outputs) {
        const nested = sub.instances.get(o.node);
        if (nested) {
          const src = nested.outs.get(o.port ?? nested.def.outputs[0]?.name ?? '');
          if (src) outs.set(o.name, src);
        } else if (def.nodes.some((x) => x.id === o.node)) outs.set(o.name, { node: `${prefix}${n.id}/${o.node}`, port: o.port });
        else issues.push({ node: topId, message: `macro "${name}": output "${o.name}" names node "${o.node}", which is not in the macro` });
      }
      const fedInside = new Set(def.edges.map((e) => e.source));
      for (const x of def.nodes)
        if (!fedInside.has(x.id) && !def.outputs.some((o) => o.node === x.id))
          issues.push({ node: topId, message: `macro "${name}": inner node "${x.id}" feeds nothing and is not an output of the macro — connect it or list it in "outputs"` });
      for (const i of def.inputs)
        if (!sub.dollar.has(i)) issues.push({ node: topId, message: `macro "${name}": input "${i}" is not used by any inner edge (add an edge from "$${i}")` });
      res.instances.set(n.id, { name, def, ins: sub.dollar, outs });
    }

    const targetsOf = (e: GraphEdge, i: number): Target[] | undefined => {
      const inst = res.instances.get(e.target);
      if (!inst) return [{ node: prefix + e.target, port: e.targetHandle }];
      const port = e.targetHandle ?? (inst.def.inputs.length === 1 ? inst.def.inputs[0] : undefined);
      const t = port !== undefined ? inst.ins.get(port) : undefined;
      if (!t || !inst.def.inputs.includes(port!)) {
        issues.push({
          node: top ?? e.target,
          message: `edge ${i} (${e.source} → ${e.target}): macro block "${e.target}" has no input ${port === undefined ? '(set targetHandle)' : `"${port}"`}; its inputs are ${inst.def.inputs.map((x) => `"${x}"`).join(', ')}`,
        });
        return undefined;
      }
      return t;
    };

    edges.forEach((e, i) => {
      const targets = targetsOf(e, i);
      if (!targets) return;
      if (e.source.startsWith('$') && stack.length) {
        const name = e.source.slice(1);
        const list = res.dollar.get(name) ?? [];
        list.push(...targets);
        res.dollar.set(name, list);
        return;
      }
      let src: Source | undefined;
      const inst = res.instances.get(e.source);
      if (inst) {
        const port = e.sourceHandle ?? inst.def.outputs[0]?.name;
        src = port !== undefined ? inst.outs.get(port) : undefined;
        if (!src) {
          issues.push({
            node: top ?? e.source,
            message: `edge ${i} (${e.source} → ${e.target}): macro block "${e.source}" has no output "${port}"; its outputs are ${inst.def.outputs.map((o) => `"${o.name}"`).join(', ')}`,
          });
          return;
        }
      } else src = { node: prefix + e.source, port: e.sourceHandle };
      for (const t of targets) {
        const fe: GraphEdge = { source: src.node, target: t.node };
        if (src.port !== undefined) fe.sourceHandle = src.port;
        if (t.port !== undefined) fe.targetHandle = t.port;
        res.edges.push(fe);
        res.edgeOrigin.push(stack.length ? undefined : i);
      }
    });
    return res;
  };

  const root = level(doc.nodes, doc.edges, '', [], null);
  const flat: GraphDoc = { ...doc, nodes: root.nodes, edges: root.edges };
  delete flat.macros;
  return { flat, issues, instances: root.instances, origin, edgeOrigin: root.edgeOrigin };
}
