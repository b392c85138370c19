// Validation and shape inference of a graph without macro blocks (analyze() in infer.ts expands
// macros first and lifts the results back): nodes and params, then edges and ports, then shapes in
// topological order, each error reported on the node, port or edge where it is fixed.
import { BLOCKS } from '../../blocks/index';
import type { GraphDoc, GraphEdge } from './graph';
import { resolveParams, quote } from './params';
import { BlockError, isVariadic, MAX_RANK } from './spec';
import { fmtShape } from './shapes';
import { MAX_MERGE_INPUTS, sizeProblem } from './limits';
import type { Analysis, BlockLookup, Diagnostic, NodeInfo } from './analysis';

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function suggestType(type: string, types: string[] = BLOCKS.map((b) => b.type)): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const t of types) {
    const d = editDistance(type, t);
    if (d < bestD) {
      bestD = d;
      best = t;
    }
  }
  return bestD <= Math.max(2, Math.floor(type.length / 3)) ? best : undefined;
}

function edgeLabel(e: GraphEdge, i: number): string {
  return `edge ${i} (${e.source}${e.sourceHandle ? `.${e.sourceHandle}` : ''} → ${e.target}${e.targetHandle ? `.${e.targetHandle}` : ''})`;
}

/** The port an edge without targetHandle goes to: the only port, or the only required one. */
export function defaultTargetPort(info: NodeInfo): string | undefined {
  if (info.inputPorts.length === 1) return info.inputPorts[0];
  const ins = info.spec?.inputs(info.params);
  if (!ins || isVariadic(ins)) return undefined;
  const required = ins.filter((p) => !p.optional);
  return required.length === 1 ? required[0]!.name : undefined;
}

export function analyzeFlat(doc: GraphDoc, lookup: BlockLookup): Analysis {
  const errors: Diagnostic[] = [];
  const nodes = new Map<string, NodeInfo>();
  const report = (d: Diagnostic) => {
    errors.push(d);
    if (d.node) nodes.get(d.node)?.errors.push(d);
  };

  // 1. Nodes: type, params, ports.
  for (const n of doc.nodes) {
    const info: NodeInfo = {
      id: n.id,
      type: n.type,
      params: {},
      inputPorts: [],
      outputPorts: [],
      inputEdges: new Map(),
      inputShapes: [],
      inputDtypes: [],
      errors: [],
    };
    nodes.set(n.id, info);
    const spec = lookup(n.type);
    if (!spec) {
      const s = suggestType(n.type);
      report({ kind: 'unknown-type', node: n.id, message: `unknown block type ${quote(n.type)}${s ? ` — did you mean "${s}"?` : ''}` });
      continue;
    }
    info.spec = spec;
    const { params, issues } = resolveParams(spec, n.params);
    info.params = params;
    for (const is of issues) report({ kind: 'param', node: n.id, param: is.param, message: is.message });
    if (issues.length === 0 && spec.checkParams) {
      try {
        spec.checkParams(params);
      } catch (e) {
        if (!(e instanceof BlockError)) throw e;
        report({ kind: 'param', node: n.id, param: e.where.param, message: e.message });
      }
    }
    info.outputPorts = spec.outputs(params);
    const ins = spec.inputs(params);
    info.inputPorts = isVariadic(ins) ? [] : ins.map((p) => p.name);
  }

  // 2. Edges: resolve handles, check ends and ports, one feed per input port.
  const resolved: Analysis['edges'] = [];
  const outgoing = new Map<string, number[]>();
  doc.edges.forEach((e, i) => {
    resolved.push(undefined);
    const src = nodes.get(e.source);
    const dst = nodes.get(e.target);
    if (!src || !dst) {
      const missing = !src ? e.source : e.target;
      report({
        kind: 'bad-edge',
        node: dst && !src ? dst.id : src && !dst ? src.id : null,
        edge: i,
        message: `${edgeLabel(e, i)} ${!src ? 'comes from' : 'goes to'} node "${missing}", which does not exist — remove the edge or add the node`,
      });
      return;
    }
    if (!src.spec || !dst.spec) return; // unknown type already reported
    const sh = e.sourceHandle ?? src.outputPorts[0];
    if (sh === undefined || !src.outputPorts.includes(sh)) {
      report({
        kind: 'bad-edge',
        node: src.id,
        port: sh,
        edge: i,
        message: `${edgeLabel(e, i)}: ${src.type} "${src.id}" has no output port ${quote(sh ?? null)}; its outputs are ${src.outputPorts.map((p) => `"${p}"`).join(', ') || 'none'}`,
      });
      return;
    }
    const ins = dst.spec.inputs(dst.params);
    let th = e.targetHandle;
    if (isVariadic(ins)) {
      if (th === undefined) {
        // Unnamed operands of a merge take the next free slot, in edge order.
        let k = 0;
        while (dst.inputEdges.has(`in${k}`)) k++;
        th = `in${k}`;
      } else if (!/^in\d+$/.test(th)) {
        report({ kind: 'bad-edge', node: dst.id, port: th, edge: i, message: `${edgeLabel(e, i)}: ${dst.type} "${dst.id}" takes operands on in0, in1, …, not ${quote(th)}` });
        return;
      }
      // Checked before in0..inN port names are built for it (in20000000 would build millions).
      if (Number(th.slice(2)) >= MAX_MERGE_INPUTS) {
        report({ kind: 'bad-edge', node: dst.id, port: th, edge: i, message: `${edgeLabel(e, i)}: ${dst.type} "${dst.id}" takes at most ${MAX_MERGE_INPUTS} operands (in0 … in${MAX_MERGE_INPUTS - 1}), not ${quote(th)}` });
        return;
      }
    } else {
      if (th === undefined) {
        // One port, or exactly one required port (LSTM's "in" beside optional h0/c0), takes an unnamed edge.
        const required = ins.filter((p) => !p.optional);
        if (dst.inputPorts.length === 1) th = dst.inputPorts[0]!;
        else if (required.length === 1) th = required[0]!.name;
        else {
          report({
            kind: 'bad-edge',
            node: dst.id,
            edge: i,
            message: dst.inputPorts.length === 0
              ? `${edgeLabel(e, i)}: ${dst.type} "${dst.id}" takes no inputs — remove the edge`
              : `${edgeLabel(e, i)}: ${dst.type} "${dst.id}" has several inputs (${dst.inputPorts.join(', ')}); set the edge's targetHandle`,
          });
          return;
        }
      } else if (!dst.inputPorts.includes(th)) {
        report({
          kind: 'bad-edge',
          node: dst.id,
          port: th,
          edge: i,
          message: `${edgeLabel(e, i)}: ${dst.type} "${dst.id}" has no input port ${quote(th)}; its inputs are ${dst.inputPorts.map((p) => `"${p}"`).join(', ') || 'none'}`,
        });
        return;
      }
    }
    if (dst.inputEdges.has(th)) {
      const other = dst.inputEdges.get(th)!;
      report({
        kind: 'duplicate-input',
        node: dst.id,
        port: th,
        edge: i,
        message: `input "${th}" of ${dst.type} "${dst.id}" is fed twice (edges ${other} and ${i}) — an input takes one tensor; use a merge block (Add, Concatenate…) to combine them`,
      });
      return;
    }
    dst.inputEdges.set(th, i);
    resolved[i] = { source: src.id, sourceHandle: sh, target: dst.id, targetHandle: th };
    const list = outgoing.get(src.id);
    if (list) list.push(i);
    else outgoing.set(src.id, [i]);
  });

  // Variadic inputs: in0..in(n-1), no holes.
  for (const info of nodes.values()) {
    if (!info.spec) continue;
    const ins = info.spec.inputs(info.params);
    if (!isVariadic(ins)) continue;
    const idx = [...info.inputEdges.keys()].map((k) => Number(k.slice(2))).sort((a, b) => a - b);
    const n = idx.length ? idx[idx.length - 1]! + 1 : 0;
    info.inputPorts = Array.from({ length: Math.max(n, ins.min) }, (_, k) => `in${k}`);
  }

  // 3. Topological order (Kahn, in document order for stability); leftovers are on a cycle.
  const indeg = new Map<string, number>();
  for (const id of nodes.keys()) indeg.set(id, 0);
  for (const r of resolved) if (r) indeg.set(r.target, indeg.get(r.target)! + 1);
  const order: string[] = [];
  const ready: string[] = [];
  for (const n of doc.nodes) if (indeg.get(n.id) === 0) ready.push(n.id);
  // A plain index queue keeps this linear; order among ready nodes follows discovery.
  for (let qi = 0; qi < ready.length; qi++) {
    const id = ready[qi]!;
    order.push(id);
    for (const ei of outgoing.get(id) ?? []) {
      const t = resolved[ei]!.target;
      const d = indeg.get(t)! - 1;
      indeg.set(t, d);
      if (d === 0) ready.push(t);
    }
  }
  if (order.length < nodes.size) {
    const onCycle = doc.nodes.filter((n) => indeg.get(n.id)! > 0).map((n) => n.id);
    for (const id of onCycle)
      report({
        kind: 'cycle',
        node: id,
        message: `"${id}" is on a cycle (${onCycle.map((x) => `"${x}"`).join(', ')}): a network must be acyclic — remove one of the edges that loops back (recurrence lives inside SimpleRNN, LSTM and GRU blocks)`,
      });
  }

  // 4. Shapes, in order.
  for (const id of order) {
    const info = nodes.get(id)!;
    const spec = info.spec;
    if (!spec || info.errors.some((d) => d.kind === 'param')) continue;
    const ins = spec.inputs(info.params);
    const portSpecs = isVariadic(ins) ? info.inputPorts.map((name) => ({ name, optional: false })) : ins;
    let blocked = false;
    let missing = false;
    info.inputShapes = [];
    info.inputDtypes = [];
    for (const port of portSpecs) {
      const ei = info.inputEdges.get(port.name);
      if (ei === undefined) {
        info.inputShapes.push(undefined);
        info.inputDtypes.push(undefined);
        if (!port.optional) {
          missing = true;
          report({
            kind: 'missing-input',
            node: id,
            port: port.name,
            message: `input "${port.name}" of ${spec.type} "${id}" is not connected — connect a tensor to it${isVariadic(ins) ? '' : ''}`,
          });
        }
        continue;
      }
      const r = resolved[ei]!;
      const srcInfo = nodes.get(r.source)!;
      const s = srcInfo.outputShapes?.[r.sourceHandle];
      if (!s) blocked = true;
      info.inputShapes.push(s);
      info.inputDtypes.push(srcInfo.outputDtypes?.[r.sourceHandle]);
    }
    if (blocked || missing) continue;
    const intPort = info.inputDtypes.findIndex((d) => d === 'int32');
    if (intPort >= 0 && !spec.acceptsInt) {
      report({
        kind: 'dtype',
        node: id,
        port: portSpecs[intPort]!.name,
        message: `${spec.type} "${id}" receives int32 token ids on "${portSpecs[intPort]!.name}" — put an Embedding before it, or set the Input's dtype to float32`,
      });
      continue;
    }
    try {
      const outs = spec.inferShape(info.inputShapes, info.params);
      if (outs.length !== info.outputPorts.length) throw new Error(`${spec.type}.inferShape returned ${outs.length} shapes for ${info.outputPorts.length} outputs`);
      const big = outs.findIndex((s) => s.length > MAX_RANK);
      if (big >= 0)
        throw new BlockError(
          `output "${info.outputPorts[big]}" would be ${fmtShape(outs[big])}, of rank ${outs[big]!.length}: tfjs runs tensors of rank ${MAX_RANK} at most (batch included) — use fewer dimensions`,
        );
      info.outputShapes = {};
      info.outputDtypes = {};
      const dts = spec.outputDtypes?.(info.params, info.inputDtypes) ?? [];
      info.outputPorts.forEach((p, k) => {
        info.outputShapes![p] = outs[k]!;
        info.outputDtypes![p] = dts[k] ?? 'float32';
      });
      info.paramCount = spec.paramCount(info.inputShapes, info.params);
      info.macs = spec.macs(info.inputShapes, info.params, outs);
      const tooBig = sizeProblem(info.outputPorts, outs, info.paramCount.trainable + info.paramCount.nonTrainable);
      if (tooBig) throw new BlockError(tooBig);
    } catch (e) {
      if (!(e instanceof BlockError)) throw e;
      info.outputShapes = undefined;
      const shapes = info.inputShapes.map((s, k) => `${portSpecs[k]!.name} ${fmtShape(s)}`).join(', ');
      report({
        kind: 'shape',
        node: id,
        port: e.where.port,
        param: e.where.param,
        message: `${spec.type} "${id}": ${withRecurrentHint(e.message, e.where.port, info, resolved, nodes)}${shapes && !e.message.includes('got [') ? ` (inputs: ${shapes})` : ''}`,
      });
    }
  }

  // 5. Graph-level checks.
  const inputs = doc.nodes.filter((n) => n.type === 'Input').map((n) => n.id);
  if (inputs.length === 0)
    report({ kind: 'no-input', node: null, message: 'the graph has no Input block: add one and set its shape (e.g. [28, 28, 1])' });
  // Any edge out counts (even one to a node of unknown type, which is reported on its own).
  const sources = new Set(doc.edges.map((e) => e.source));
  for (const id of inputs)
    if (!sources.has(id) && doc.nodes.length > 1)
      report({ kind: 'unused-input', node: id, message: `Input "${id}" is not connected to anything — connect it or delete it` });

  const outputs: Analysis['outputs'] = [];
  for (const n of doc.nodes) {
    const info = nodes.get(n.id)!;
    if (outgoing.has(n.id)) continue;
    for (const port of info.outputPorts) outputs.push({ node: n.id, port });
  }
  const a = { ok: errors.length === 0, order, nodes, errors, inputs, outputs, edges: resolved } as Analysis;
  a.flat = a;
  return a;
}

/**
 * A sequence block (Attention, a second LSTM) fed the last step of a recurrent block that does not
 * return sequences: the fix is that block's returnSequences, not the generic "add a Reshape".
 */
function withRecurrentHint(message: string, port: string | undefined, info: NodeInfo, resolved: Analysis['edges'], nodes: Map<string, NodeInfo>): string {
  const generic = ' — add a Reshape (or an Embedding for token ids) before it';
  const ei = port === undefined ? undefined : info.inputEdges.get(port);
  const r = ei === undefined ? undefined : resolved[ei];
  const src = r ? nodes.get(r.source) : undefined;
  if (!message.includes(generic) || !src?.spec || !('returnSequences' in (src.spec.params as object)) || src.params.returnSequences !== false) return message;
  return message.replace(generic, ` — turn on returnSequences on ${src.type} "${src.id}" so it outputs every time step`);
}
