// Random graphs for the property tests and `npm run fuzz`: drawn from the block registry, built
// deterministically from a plan (seed, size, mode) so any failure reproduces from its plan.
// - "valid": Inputs of small random shapes, then 1–8 blocks, each a random type with random
//   in-range params fed from earlier outputs; a candidate that analyze() rejects is redrawn (a
//   few tries), so most graphs come out valid and exercise compile → run → export.
// - "hostile": the same, kept whatever analyze says, then boundary and hostile param values
//   (out of range, wrong types, huge, nested, prototype names) and broken structure (cycles,
//   dangling ends, duplicate ids, wrong and unknown handles, unknown types).
// Pure: no tfjs, no Node APIs.
import { BLOCKS } from '../../blocks/index';
import { analyze } from '../core/infer';
import { rng } from '../core/randomInputs';
import { resolveParams } from '../core/params';
import { isVariadic, type AnyBlockSpec, type ParamDef, type Shape } from '../core/spec';
import type { GraphDoc, GraphEdge, GraphNode } from '../core/graph';

export type Mode = 'valid' | 'hostile';

export interface GraphPlan {
  seed: number;
  /** Blocks after the Inputs (1–8). */
  size: number;
  mode: Mode;
  /** Extra hostile values (fast-check's anything()) injected as params in hostile mode. */
  extras?: unknown[];
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const SPECS = BLOCKS.filter((b) => b.type !== 'Input');

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Values no param should accept (or should survive): wrong types, extremes, prototype names. */
export const HOSTILE_VALUES: readonly unknown[] = [
  -1, 0, 1.5, -0.5, 1e21, -1e21, 2 ** 31, 2 ** 53 + 2, Number.MAX_VALUE, Number.NaN, Infinity, -Infinity,
  '3', 'many', '', '__proto__', 'constructor', 'toString', null, true, false,
  [], [[]], [0], [-1, -1], [1, 2, 3, 4, 5, 6, 7, 8, 9], [null, null, null], ['a'], [1e9, 1e9],
  {}, { a: 1 }, { __proto__: { x: 1 } }, nested(60),
];

/** A small shape for an Input: rank 1–4, dims 1–6 (images a little larger), sometimes unknown. */
function inputShape(r: Rand): (number | null)[] {
  const rank = pick(r, [1, 1, 2, 2, 2, 3, 3, 3, 4]);
  const dims = Array.from({ length: rank }, (_, i) => (rank === 3 && i < 2 ? int(r, 3, 8) : int(r, 1, 6)));
  // An unknown size (never the last: features and channels must be known).
  if (rank >= 2 && r() < 0.15) dims[int(r, 0, rank - 2)] = null as never;
  return dims;
}

/** Elements of a shape without the batch (null when unknown). */
function elements(s: Shape): number | null {
  let n = 1;
  for (const d of s.slice(1)) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

function factorize(r: Rand, n: number): number[] {
  const out: number[] = [];
  let rest = n;
  const parts = int(r, 1, 3);
  for (let i = 1; i < parts; i++) {
    const divs = Array.from({ length: rest }, (_, k) => k + 1).filter((d) => rest % d === 0);
    const d = pick(r, divs);
    out.push(d);
    rest /= d;
  }
  out.push(rest);
  if (r() < 0.3) out[int(r, 0, out.length - 1)] = -1;
  return out;
}

/** A random in-range value for one param (small sizes; the shape of the first input as a hint). */
function validParam(r: Rand, name: string, def: ParamDef, hint: Shape | undefined): unknown {
  switch (def.kind) {
    case 'int': {
      if (def.nullable && r() < 0.2) return null;
      // Unknown lengths run with UNKNOWN_FILL (12) steps (src/fuzz/check.ts): the table covers them.
      if (name === 'maxLength') return int(r, 12, 16);
      const lo = def.min ?? 0;
      const hi = Math.min(def.max ?? lo + 5, lo + 5);
      if (typeof def.default === 'number' && def.default <= 8 && r() < 0.3) return def.default;
      return int(r, lo, hi);
    }
    case 'float': {
      if (def.nullable && r() < 0.2) return null;
      if (def.default !== null && r() < 0.4) return def.default;
      const lo = def.min ?? 0;
      const hi = def.max ?? lo + 2;
      const v = lo + r() * (hi - lo);
      return (def.exclusiveMin && v === lo) || (def.exclusiveMax && v === hi) ? def.default : Math.round(v * 1000) / 1000;
    }
    case 'bool':
      return r() < 0.5;
    case 'enum':
      return pick(r, def.options);
    case 'ints': {
      if (def.nullable && r() < 0.3) return null;
      const lo = Math.max(def.min ?? 1, 1);
      return r() < 0.5 ? int(r, lo, lo + 2) : Array.from({ length: def.length }, () => int(r, lo, lo + 2));
    }
    case 'intList': {
      const rank = hint ? hint.length - 1 : 2;
      if (name === 'dims') {
        const p = Array.from({ length: rank }, (_, i) => i + 1);
        for (let i = p.length - 1; i > 0; i--) {
          const j = int(r, 0, i);
          [p[i], p[j]] = [p[j]!, p[i]!];
        }
        return p;
      }
      if (name === 'targetShape') {
        const n = hint ? elements(hint) : null;
        return n === null ? [-1] : factorize(r, n);
      }
      return def.default ?? [2];
    }
    case 'padding2d':
      return pick(r, [0, 1, 2, [1, 0], [0, 2], [[0, 1], [2, 0]], [[1, 1], [1, 1]]]);
    case 'string':
      return r() < 0.7 ? def.default : pick(r, ['a', 'x y', 'é']);
  }
}

/** A boundary or hostile value for a param. */
function hostileParam(r: Rand, def: ParamDef, extras: readonly unknown[]): unknown {
  const bounds: unknown[] = [];
  if ('min' in def && def.min !== undefined) bounds.push(def.min, def.min - 1);
  if ('max' in def && def.max !== undefined) bounds.push(def.max, def.max + 1);
  const pool = [...HOSTILE_VALUES, ...bounds, ...bounds, ...extras];
  return pick(r, pool);
}

interface Out {
  node: string;
  port: string;
  shape: Shape;
  dtype: string;
}

function outputsOf(doc: GraphDoc): Out[] {
  const a = analyze(doc);
  const outs: Out[] = [];
  for (const id of a.order) {
    const info = a.nodes.get(id)!;
    for (const p of info.outputPorts) {
      const s = info.outputShapes?.[p];
      if (s) outs.push({ node: id, port: p, shape: s, dtype: info.outputDtypes?.[p] ?? 'float32' });
    }
  }
  return outs;
}

/** One block drawn at random, fed from `avail`; returns the node and its edges. */
function drawBlock(r: Rand, id: string, avail: Out[], mode: Mode, extras: readonly unknown[]): { node: GraphNode; edges: GraphEdge[] } {
  // Token ids go to blocks that take them (Embedding), features to the others (an Embedding of
  // computed features would see negative ids at run time); hostile graphs mix them up.
  const fits = (spec: AnyBlockSpec) => (o: Out) => mode === 'hostile' || (o.dtype === 'int32') === (spec.acceptsInt === true);
  const specs = SPECS.filter((b) => avail.some(fits(b)));
  const spec: AnyBlockSpec = pick(r, specs.length ? specs : SPECS);
  const fitting = avail.filter(fits(spec));
  const from = fitting.length ? fitting : avail;
  // Prefer recent tensors (chains) but reach back sometimes (branches, skips).
  const src = (): Out => (r() < 0.6 ? from[from.length - 1 - Math.min(int(r, 0, 1), from.length - 1)]! : pick(r, from));
  const first = src();
  const params: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(spec.params as Record<string, ParamDef>)) {
    if (r() < 0.35) continue; // left to its default
    params[name] = mode === 'hostile' && r() < 0.25 ? hostileParam(r, def, extras) : validParam(r, name, def, first.shape);
  }
  const { params: resolved, issues } = resolveParams(spec, params);
  const edges: GraphEdge[] = [];
  const feed = (o: Out, targetHandle?: string) =>
    edges.push({ source: o.node, target: id, ...(o.port !== 'out' ? { sourceHandle: o.port } : {}), ...(targetHandle ? { targetHandle } : {}) });
  const ports = spec.inputs(issues.length ? resolveParams(spec, {}).params : resolved);
  if (isVariadic(ports)) {
    const n = int(r, Math.max(ports.min, 2), 3);
    // Merges mostly take one tensor twice or two of the same shape: draw from the same shape.
    const same = avail.filter((o) => JSON.stringify(o.shape) === JSON.stringify(first.shape));
    for (let k = 0; k < n; k++) feed(k === 0 ? first : r() < 0.8 ? pick(r, same) : src(), `in${k}`);
  } else
    ports.forEach((p, k) => {
      if (k === 0) feed(first, ports.length > 1 ? p.name : undefined);
      else if (!p.optional || r() < 0.25) feed(src(), p.name);
    });
  return { node: { id, type: spec.type, params }, edges };
}

/** Builds the graph a plan describes (deterministic). */
export function buildGraph(plan: GraphPlan): GraphDoc {
  const r = rng(plan.seed);
  const extras = plan.extras ?? [];
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const nInputs = r() < 0.2 ? 2 : 1;
  for (let i = 0; i < nInputs; i++) {
    const shape = inputShape(r);
    const int32 = shape.length === 1 && r() < 0.3;
    nodes.push({ id: `x${i}`, type: 'Input', params: { shape, ...(int32 ? { dtype: 'int32' } : {}) } });
  }
  const doc = (): GraphDoc => ({ format: 'neural-blocks.graph', version: 1, name: `fuzz ${plan.mode} ${plan.seed}`, nodes: [...nodes], edges: [...edges] });
  for (let k = 0; k < plan.size; k++) {
    const avail = outputsOf(doc());
    if (!avail.length) break;
    const tries = plan.mode === 'valid' ? 8 : 1;
    for (let t = 0; t < tries; t++) {
      const b = drawBlock(r, `b${k}`, avail, plan.mode, extras);
      const cand: GraphDoc = { ...doc(), nodes: [...nodes, b.node], edges: [...edges, ...b.edges] };
      const a = analyze(cand);
      // Unused extra Inputs are fixed at the end; any other error means: draw again.
      const ok = a.errors.every((e) => e.kind === 'unused-input');
      if (ok || plan.mode === 'hostile' || t === tries - 1) {
        if (ok || plan.mode === 'hostile') {
          nodes.push(b.node);
          edges.push(...b.edges);
        }
        break;
      }
    }
  }
  // Drop Inputs nothing reads (unless the graph is that Input alone).
  const used = new Set(edges.map((e) => e.source));
  const keep = nodes.filter((n) => n.type !== 'Input' || used.has(n.id) || nodes.length === 1);
  const out: GraphDoc = { ...doc(), nodes: keep };
  return plan.mode === 'hostile' ? breakStructure(r, out) : out;
}

/** Cycles, dangling ends, duplicate ids, wrong handles, unknown types — a few at a time. */
function breakStructure(r: Rand, doc: GraphDoc): GraphDoc {
  const nodes = doc.nodes.map((n) => ({ ...n }));
  const edges = doc.edges.map((e) => ({ ...e }));
  const ids = () => nodes.map((n) => n.id);
  const n = int(r, 0, 3);
  for (let i = 0; i < n; i++) {
    switch (int(r, 0, 8)) {
      case 0: {
        // A cycle: an edge from a later node back to an earlier one.
        if (nodes.length < 2) break;
        const a = int(r, 1, nodes.length - 1);
        edges.push({ source: nodes[a]!.id, target: nodes[int(r, 0, a - 1)]!.id, targetHandle: pick(r, ['in', 'in0', 'in1', 'query']) });
        break;
      }
      case 1:
        edges.push(r() < 0.5 ? { source: 'ghost', target: pick(r, ids()) } : { source: pick(r, ids()), target: 'nowhere' });
        break;
      case 2:
        if (nodes.length >= 2) nodes[int(r, 1, nodes.length - 1)]!.id = nodes[0]!.id;
        break;
      case 3:
        if (edges.length) edges[int(r, 0, edges.length - 1)]!.targetHandle = pick(r, ['in', 'in0', 'in1', 'in7', 'in999', 'h0', 'c0', 'key', 'x', 'in-1', 'in01', '__proto__', 'constructor']);
        break;
      case 4:
        if (edges.length) edges[int(r, 0, edges.length - 1)]!.sourceHandle = pick(r, ['out', 'h', 'c', 'scores', 'nope', '__proto__']);
        break;
      case 5:
        nodes[int(r, 0, nodes.length - 1)]!.type = pick(r, ['Dens', 'constructor', '__proto__', 'toString', 'Macro', 'input', 'LSTM']);
        break;
      case 6:
        if (edges.length) edges.push({ ...edges[int(r, 0, edges.length - 1)]! });
        break;
      case 7:
        if (edges.length) edges.splice(int(r, 0, edges.length - 1), 1);
        break;
      case 8:
        // A self-loop.
        {
          const id = pick(r, ids());
          edges.push({ source: id, target: id });
        }
        break;
    }
  }
  return { ...doc, nodes, edges };
}
