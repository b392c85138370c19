// React Flow nodes and edges derived from the document and its analysis. Node objects are reused
// when nothing they show changed, so memoized node components skip re-rendering on a 500-block
// graph (dragging one node re-renders one node).
import type { Edge, Node } from '@xyflow/react';
import type { GraphDoc, GraphNode } from '../core/graph';
import type { Analysis, Diagnostic, NodeInfo } from '../core/infer';
import { getBlock } from '../../blocks/index';
import { isVariadic, type AnyBlockSpec, type ParamSchema } from '../core/spec';
import { resolveParams } from '../core/params';
import { MACRO_TYPE, macroDef } from '../core/macro';
import { compactCount, fmtValue, shortShape } from './format';

export interface PortView {
  name: string;
  /** Label shown next to the handle ("+" marks a merge block's next free slot). */
  label: string;
  optional?: boolean;
  error?: string;
  shape?: string;
}

export interface NodeView {
  id: string;
  type: string;
  title: string;
  category: string;
  keyParams: string;
  inputs: PortView[];
  outputs: PortView[];
  params: string;
  errors: string[];
  macro?: boolean;
}

export type BlockNodeType = Node<{ view: NodeView }, 'block'>;
export type ShapeEdgeType = Edge<{ label: string; error?: string }, 'shape'>;

function keyParamsText(spec: AnyBlockSpec, params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [name, def] of Object.entries(spec.params as ParamSchema)) {
    if (!def.key) continue;
    const v = params[name];
    if (def.kind === 'bool') {
      if (v) parts.push(name);
      continue;
    }
    if (def.kind === 'enum' && (v === 'linear' || v === 'valid')) continue;
    // Values that speak for themselves go bare (relu, 64 units); others get a short name.
    if (name === 'shape') continue; // the output shape shows it
    if (name === 'units') {
      parts.push(`${fmtValue(v)} ${v === 1 ? 'unit' : 'units'}`);
      continue;
    }
    const short = name === 'kernelSize' ? 'k' : name === 'filters' ? 'f' : name === 'poolSize' ? 'pool' : ['units', 'shape', 'activation', 'rate', 'layer'].includes(name) ? '' : name;
    parts.push(short ? `${short} ${fmtValue(v)}` : fmtValue(v));
  }
  return parts.join(' · ');
}

function errorsOf(info: NodeInfo | undefined): Diagnostic[] {
  return info?.errors ?? [];
}

/** Ports of a block whose type is unknown, as its edges name them: its edges stay drawn. */
export interface EdgePorts {
  inputs: string[];
  outputs: string[];
}

function unknownTypePorts(doc: GraphDoc): Map<string, EdgePorts> | null {
  const unknown = new Set(doc.nodes.filter((n) => n.type !== MACRO_TYPE && !getBlock(n.type)).map((n) => n.id));
  if (!unknown.size) return null;
  const m = new Map<string, EdgePorts>([...unknown].map((id) => [id, { inputs: [], outputs: [] }]));
  for (const e of doc.edges) {
    const t = m.get(e.target);
    const th = e.targetHandle ?? 'in';
    if (t && !t.inputs.includes(th)) t.inputs.push(th);
    const s = m.get(e.source);
    const sh = e.sourceHandle ?? 'out';
    if (s && !s.outputs.includes(sh)) s.outputs.push(sh);
  }
  return m;
}

export function nodeView(n: GraphNode, info: NodeInfo | undefined, macroLabel?: string, edgePorts?: EdgePorts): NodeView {
  const spec = getBlock(n.type);
  const errs = errorsOf(info);
  const portErr = new Map<string, string>();
  for (const d of errs) if (d.port && !portErr.has(d.port)) portErr.set(d.port, d.message);
  const params = info?.spec ? info.params : spec ? resolveParams(spec, n.params).params : {};
  let inputs: PortView[] = [];
  let outputs: string[] = info?.outputPorts ?? [];
  if (spec) {
    const ins = spec.inputs(params as never);
    if (isVariadic(ins)) {
      const fed = info?.inputPorts.length ?? ins.min;
      const count = Math.max(fed, ins.min);
      inputs = Array.from({ length: count }, (_, k) => ({ name: `in${k}`, label: `in${k}` }));
      // One spare slot: dropping a connection on it adds the next operand.
      inputs.push({ name: `in${count}`, label: '+', optional: true });
    } else inputs = ins.map((p) => ({ name: p.name, label: p.name, optional: p.optional }));
    if (!outputs.length) outputs = spec.outputs(params as never);
  } else if (edgePorts) {
    // An unknown type has no ports of its own: draw the ones its edges use, so the edges (which
    // the status bar counts) stay on the canvas while the block shows its "unknown type" error.
    inputs = edgePorts.inputs.map((p) => ({ name: p, label: p }));
    outputs = edgePorts.outputs.length ? edgePorts.outputs : ['out'];
  } else if (info) inputs = info.inputPorts.map((p) => ({ name: p, label: p }));
  inputs.forEach((p, k) => {
    p.error = portErr.get(p.name);
    const s = info?.inputShapes[k];
    if (s) p.shape = shortShape(s);
  });
  const outViews: PortView[] = outputs.map((p) => ({
    name: p,
    label: p,
    error: portErr.get(p),
    shape: info?.outputShapes?.[p] ? shortShape(info.outputShapes[p]) : undefined,
  }));
  const total = (info?.paramCount?.trainable ?? 0) + (info?.paramCount?.nonTrainable ?? 0);
  const isMacro = n.type === MACRO_TYPE;
  return {
    id: n.id,
    type: n.type,
    title: n.label ?? (isMacro ? macroLabel ?? String(n.params?.name ?? 'Macro') : spec?.label ?? n.type),
    category: isMacro ? 'macro' : spec?.category ?? 'unknown',
    keyParams: spec ? keyParamsText(spec, params) : isMacro ? `macro ${String(n.params?.name ?? '?')}` : '',
    inputs,
    outputs: outViews,
    params: info?.paramCount ? compactCount(total) : '',
    errors: errs.map((d) => d.message),
    macro: isMacro || undefined,
  };
}

/** Sizes React Flow measured, by node id (fed from 'dimensions' changes). */
export const measuredSizes = new Map<string, { width: number; height: number }>();

interface Cached {
  n: GraphNode;
  info: NodeInfo | undefined;
  macroLabel: string | undefined;
  sig: string;
  selected: boolean;
  rf: BlockNodeType;
}
const cache = new Map<string, Cached>();

export function deriveNodes(doc: GraphDoc, a: Analysis, selected: ReadonlySet<string>): BlockNodeType[] {
  const out: BlockNodeType[] = [];
  const seen = new Set<string>();
  const unknownPorts = unknownTypePorts(doc);
  for (const n of doc.nodes) {
    seen.add(n.id);
    const edgePorts = unknownPorts?.get(n.id);
    const prev = cache.get(n.id);
    const sel = selected.has(n.id);
    const info = a.nodes.get(n.id);
    const macroLabel = n.type === MACRO_TYPE ? macroDef(doc.macros, String(n.params?.name))?.label : undefined;
    const m = measuredSizes.get(n.id);
    // Fast path (dragging, selecting): the same node content and analysis → the same view.
    const sameContent = prev && !edgePorts && prev.info === info && prev.macroLabel === macroLabel && prev.n.type === n.type && prev.n.params === n.params && prev.n.label === n.label;
    let view: NodeView;
    let sig: string;
    if (sameContent) {
      view = prev.rf.data.view;
      sig = prev.sig;
    } else {
      view = nodeView(n, info, macroLabel, edgePorts);
      sig = JSON.stringify(view);
    }
    if (prev && prev.sig === sig && prev.selected === sel && prev.n.position === n.position && prev.rf.measured === m) {
      prev.n = n;
      prev.info = info;
      out.push(prev.rf);
      continue;
    }
    const sameView = prev && prev.sig === sig;
    const rf: BlockNodeType = {
      id: n.id,
      type: 'block',
      position: n.position ?? { x: 0, y: 0 },
      data: sameView ? prev.rf.data : { view },
      selected: sel,
      ariaLabel: `${view.title} block "${n.id}"${view.errors.length ? `, ${view.errors.length} problem${view.errors.length === 1 ? '' : 's'}` : ''}`,
    };
    if (m) rf.measured = m;
    cache.set(n.id, { n, info, macroLabel, sig, selected: sel, rf });
    out.push(rf);
  }
  for (const id of [...cache.keys()])
    if (!seen.has(id)) {
      cache.delete(id);
      measuredSizes.delete(id);
    }
  return out;
}

const edgeCache = new Map<string, { sig: string; rf: ShapeEdgeType }>();

export function deriveEdges(doc: Pick<GraphDoc, 'edges'>, a: Analysis, selected: ReadonlySet<string>): ShapeEdgeType[] {
  const seen = new Set<string>();
  const errByEdge = new Map<number, string>();
  for (const d of a.errors) if (d.edge !== undefined && !errByEdge.has(d.edge)) errByEdge.set(d.edge, d.message);
  const out = doc.edges.map((e, i) => {
    const r = a.edges[i];
    const src = a.nodes.get(e.source);
    const dst = a.nodes.get(e.target);
    const sourceHandle = r?.sourceHandle ?? e.sourceHandle ?? src?.outputPorts[0] ?? 'out';
    const targetHandle = r?.targetHandle ?? e.targetHandle ?? dst?.inputPorts[0] ?? 'in';
    const shape = src?.outputShapes?.[sourceHandle];
    let error = errByEdge.get(i);
    // A shape error the target blames on this port colours the edge too.
    if (!error && dst) {
      const d = dst.errors.find((x) => x.port === targetHandle && x.kind === 'shape');
      if (d) error = d.message;
    }
    const id = e.id ?? `edge-${i}`;
    seen.add(id);
    const label = shape ? shortShape(shape) : '';
    const sel = selected.has(id);
    const sig = `${e.source}|${sourceHandle}|${e.target}|${targetHandle}|${label}|${error ?? ''}|${sel}`;
    const prev = edgeCache.get(id);
    if (prev && prev.sig === sig) return prev.rf;
    const rf: ShapeEdgeType = {
      id,
      source: e.source,
      target: e.target,
      sourceHandle,
      targetHandle,
      type: 'shape',
      selected: selected.has(id),
      data: { label, error },
    };
    edgeCache.set(id, { sig, rf });
    return rf;
  });
  for (const id of [...edgeCache.keys()]) if (!seen.has(id)) edgeCache.delete(id);
  return out;
}

/**
 * The canvas's nodes with the positions of a drag in progress laid over them. Only the dragged
 * nodes get new objects; the rest keep their identity, so React Flow re-checks them cheaply and
 * their components do not re-render. The document itself changes once, when the drag ends.
 */
export function withDragPositions(nodes: BlockNodeType[], positions: ReadonlyMap<string, { x: number; y: number }> | null): BlockNodeType[] {
  if (!positions || positions.size === 0) return nodes;
  return nodes.map((n) => {
    const p = positions.get(n.id);
    return p ? { ...n, position: p, dragging: true } : n;
  });
}
