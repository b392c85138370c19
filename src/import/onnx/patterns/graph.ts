// A read-only index of an ONNX graph for the pattern fusions (patterns/*.ts): who makes and who
// reads each value (live nodes only: those the graph outputs depend on), the constants known
// without converting (initializers, Constant nodes), and a small evaluator for the integer
// arithmetic exporters write between them (torch's chunk() boundaries: Shape → Gather → Add → Div).
import { Unsupported, attrInt, attrInts, attrs, tensorValues, type PGraph, type PNode } from '../proto';

export interface Const {
  dims: number[];
  data: ArrayLike<number>;
}

/** The nodes the graph outputs depend on, in file order. */
export function liveNodes(g: PGraph): PNode[] {
  const producer = new Map<string, PNode>();
  for (const n of g.node ?? []) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const live = new Set<PNode>();
  const stack = (g.output ?? []).map((o) => o.name);
  while (stack.length) {
    const p = producer.get(stack.pop()!);
    if (!p || live.has(p)) continue;
    live.add(p);
    for (const i of p.input ?? []) if (i) stack.push(i);
  }
  return (g.node ?? []).filter((n) => live.has(n));
}

export class GraphIndex {
  readonly producer = new Map<string, PNode>();
  readonly consumers = new Map<string, PNode[]>();
  readonly graphOutputs: Set<string>;
  private readonly inits = new Map<string, Const>();
  private readonly initNames: Set<string>;

  constructor(
    private readonly g: PGraph,
    readonly nodes: PNode[],
  ) {
    this.initNames = new Set((g.initializer ?? []).map((t) => t.name!));
    this.graphOutputs = new Set((g.output ?? []).map((o) => o.name));
    for (const n of nodes) {
      for (const o of n.output ?? []) if (o) this.producer.set(o, n);
      for (const i of n.input ?? []) if (i) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
    }
  }

  /** The live readers of a value. */
  readers(name: string): PNode[] {
    return this.consumers.get(name) ?? [];
  }

  /** The one node that reads `name`, when nothing else (nor a graph output) does. */
  sole(name: string | undefined): PNode | undefined {
    if (!name || this.graphOutputs.has(name)) return undefined;
    const r = this.readers(name);
    return r.length === 1 ? r[0] : undefined;
  }

  /**
   * The one node that reads `name` for its values: Shape ops, which read only its shape (the
   * exporters' size arithmetic), are not counted.
   */
  only(name: string | undefined): PNode | undefined {
    if (!name || this.graphOutputs.has(name)) return undefined;
    const r = this.readers(name).filter((n) => n.op_type !== 'Shape');
    return r.length === 1 ? r[0] : undefined;
  }

  /** The node making `name`, when it has op type `op`. */
  made(name: string | undefined, op: string): PNode | undefined {
    const p = name ? this.producer.get(name) : undefined;
    return p?.op_type === op ? p : undefined;
  }

  /** Whether `name` is an initializer or a Constant's output (a value known without converting). */
  isConst(name: string | undefined): boolean {
    return this.source(name) !== undefined;
  }

  /** The initializer or Constant output a value is, through Identity ops (torch shares equal weights so). */
  private source(name: string | undefined): string | undefined {
    for (let depth = 0; name && depth < 8; depth++) {
      const p = this.producer.get(name);
      if (!p) return this.initNames.has(name) ? name : undefined;
      if (p.op_type === 'Constant') return name;
      if (p.op_type !== 'Identity') return undefined;
      name = p.input?.[0];
    }
    return undefined;
  }

  /** The value of an initializer or Constant node (undefined when unreadable or computed). */
  constant(name: string | undefined): Const | undefined {
    name = this.source(name);
    if (!name) return undefined;
    const hit = this.inits.get(name);
    if (hit) return hit;
    try {
      const t = this.producer.has(name) ? attrs(this.producer.get(name)!).get('value')?.t : (this.g.initializer ?? []).find((x) => x.name === name);
      if (!t) return undefined;
      const v = tensorValues(t, 'pattern constant');
      this.inits.set(name, v);
      return v;
    } catch (e) {
      if (e instanceof Unsupported) return undefined;
      throw e;
    }
  }

  /** The one number a constant holds. */
  scalar(name: string | undefined): number | undefined {
    const c = this.constant(name);
    return c && c.data.length === 1 ? Number(c.data[0]) : undefined;
  }

  /** Of a two-input node: [the constant operand's name, the other operand], or undefined. */
  constOperand(n: PNode): [string, string] | undefined {
    const [a, b] = n.input ?? [];
    if ((n.input ?? []).length !== 2 || !a || !b) return undefined;
    if (this.isConst(b) && !this.isConst(a)) return [b, a];
    if (this.isConst(a) && !this.isConst(b)) return [a, b];
    return undefined;
  }

  /** A ReduceMean's axes (attribute up to opset 17, input from 18) when it keeps its dims. */
  reduceAxes(n: PNode): number[] | undefined {
    const a = attrs(n);
    if (attrInt(a, 'keepdims', 1) !== 1) return undefined;
    if (n.input?.[1]) return Array.from(this.constant(n.input[1])?.data ?? [], Number);
    return attrInts(a, 'axes');
  }

  /** Whether `name` is our exporter's causal mask: Where(cols > rows, −big, 0). */
  isCausalMask(name: string): boolean {
    const where = this.made(name, 'Where');
    const gt = where && this.made(where.input?.[0], 'Greater');
    const big = where && this.scalar(where.input?.[1]);
    return !!gt && big !== undefined && big <= -1e4 && this.scalar(where!.input?.[2]) === 0 && !!this.made(gt.input?.[0], 'Range') && !!this.made(gt.input?.[1], 'Unsqueeze');
  }

  /**
   * Integer values computed from constants and the last axis of shapes (what torch writes for
   * chunk()'s boundaries): each element a number, or null where unknown. A Shape whose rank is
   * not known gives only its trailing elements (`fromEnd`), readable by negative indices.
   * `lastDim` names the last axis of computed values.
   */
  ints(name: string, lastDim: (v: string) => number | undefined, depth = 0): { v: (number | null)[]; fromEnd: boolean } | undefined {
    if (depth > 12) return undefined;
    const c = this.constant(name);
    if (c) return { v: Array.from(c.data, Number), fromEnd: false };
    const n = this.producer.get(name);
    if (!n) return undefined;
    const sub = (k: number) => (n.input?.[k] ? this.ints(n.input[k]!, lastDim, depth + 1) : undefined);
    switch (n.op_type) {
      case 'Shape': {
        const d = lastDim(n.input![0]!);
        return d === undefined || n.attribute?.length ? undefined : { v: [d], fromEnd: true };
      }
      case 'Cast':
      case 'Identity':
      case 'Squeeze':
      case 'Unsqueeze':
        return sub(0);
      case 'Gather': {
        const x = sub(0);
        const idx = sub(1);
        if (!x || !idx || attrInt(attrs(n), 'axis', 0) !== 0) return undefined;
        const v = idx.v.map((i) => (i === null ? null : i < 0 ? (x.v[x.v.length + i] ?? null) : x.fromEnd ? null : (x.v[i] ?? null)));
        return { v, fromEnd: false };
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const x = sub(0);
        const y = sub(1);
        if (!x || !y || x.fromEnd || y.fromEnd || (x.v.length !== y.v.length && x.v.length !== 1 && y.v.length !== 1)) return undefined;
        const f = { Add: (p: number, q: number) => p + q, Sub: (p: number, q: number) => p - q, Mul: (p: number, q: number) => p * q, Div: (p: number, q: number) => Math.trunc(p / q) }[n.op_type as 'Add'];
        const len = Math.max(x.v.length, y.v.length);
        const at = (a: (number | null)[], i: number) => a[a.length === 1 ? 0 : i]!;
        return { v: Array.from({ length: len }, (_, i) => (at(x.v, i) === null || at(y.v, i) === null ? null : f(at(x.v, i)!, at(y.v, i)!))), fromEnd: false };
      }
      default:
        return undefined;
    }
  }
}

/** The scope of a torch-style node name ("/encoder/layers.0/norm1/ReduceMean" → "/encoder/layers.0/norm1"). */
export function scopeOf(n: PNode, fallback: string): string {
  const name = n.name ?? '';
  const cut = name.lastIndexOf('/');
  return cut > 0 ? name.slice(0, cut) : name || fallback;
}
