// The conversion state shared by the driver (convert.ts) and the op importers (ops/*.ts): the
// graph being built (nodes, edges, weights), the ONNX values known so far, and how to read an op's
// inputs as tensors or constants. An op importer is one entry of the table in table.ts.
import type { GraphEdge, GraphNode } from '../../core/graph';
import type { ImportedWeights, UnsupportedOp } from '../types';
import { Unsupported, type Attrs, type PNode } from './proto';
import { prod, type ConstVal, type Ref, type RnnPort, type RnnUse, type Sym, type TensorVal, type Val } from './values';

/**
 * Converts one ONNX node (its attributes already read) to blocks, returning the values of its
 * outputs in order (one value for a single-output op). Throws Unsupported, with the reason, for a
 * node it cannot map exactly.
 */
export type OpImporter = (cv: Converter, n: PNode, a: Attrs) => Val | Val[];
/** ONNX op type → importer: one table per op family (ops/*.ts), merged in table.ts. */
export type OpTable = Readonly<Record<string, OpImporter>>;

/** The node's input names ("" for an omitted optional input). */
export function inputsOf(n: PNode): string[] {
  return n.input ?? [];
}

export function sanitizeId(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(s)) s = `n_${s}`;
  return s;
}

export class Converter {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  readonly weights: ImportedWeights = {};
  readonly unsupported: UnsupportedOp[] = [];
  readonly notes: string[] = [];
  private readonly ids = new Set<string>();
  readonly byId = new Map<string, GraphNode>();
  readonly values = new Map<string, Val>();
  /** ONNX value name → how many consumers it has (nodes and graph outputs). */
  readonly uses = new Map<string, number>();
  /** Relayouts made once per ONNX value (e.g. its NCHW-order copy; see layout.ts). */
  readonly relayouts = new Map<string, TensorVal>();
  /**
   * Recurrent nodes: which of their outputs are used (finalised into params and ports). Ports
   * while converting: seq (Y), last (Y_h, forward), c (Y_c), lastBack / cBack (bidirectional).
   */
  readonly rnn = new Map<string, RnnUse>();
  /** Nodes created by the current ONNX node (their ids start with its sanitised name). */
  current = 'node';
  readonly opset: number;

  constructor(opset: number) {
    this.opset = opset;
  }

  newId(hint: string): string {
    const base = sanitizeId(hint);
    let id = base;
    for (let k = 2; this.ids.has(id); k++) id = `${base}_${k}`;
    this.ids.add(id);
    return id;
  }

  add(type: string, params: Record<string, unknown>, inputs: Ref[], hint = this.current, handles?: string[]): string {
    const id = this.newId(hint);
    const node: GraphNode = { id, type, params };
    this.nodes.push(node);
    this.byId.set(id, node);
    inputs.forEach((r, k) => {
      const e: GraphEdge = { source: r.node, target: id };
      if (r.port !== 'out') e.sourceHandle = r.port;
      const h = handles?.[k];
      if (h && h !== 'in') e.targetHandle = h;
      this.edges.push(e);
      if (this.rnn.has(r.node)) this.rnn.get(r.node)![r.port as RnnPort] = true;
    });
    return id;
  }

  weight(id: string, name: string, shape: number[], data: Float32Array): void {
    if (data.length !== prod(shape)) throw new Error(`internal: weight ${id}/${name} has ${data.length} values for [${shape.join(', ')}]`);
    this.weights[`${id}/${name}`] = { shape, data };
  }

  node(id: string): GraphNode {
    return this.byId.get(id)!;
  }

  // --- value access -----------------------------------------------------------------------

  val(name: string): Val {
    const v = this.values.get(name);
    if (!v) throw new Unsupported(`input "${name}" is not available (it comes from an op that did not import)`);
    return v;
  }
  tensor(name: string, what = 'input'): TensorVal {
    const v = this.val(name);
    if (v.kind !== 'tensor') throw new Unsupported(`${what} "${name}" is a constant here; this op is only mapped on computed tensors`);
    return v;
  }
  constant(name: string | undefined, what: string): ConstVal {
    if (!name) throw new Unsupported(`${what} is missing`);
    const v = this.val(name);
    if (v.kind !== 'const') throw new Unsupported(`${what} "${name}" is computed at run time; only a constant (initializer) ${what} is mapped`);
    return v;
  }
  floats(c: ConstVal, what: string): Float32Array {
    if (c.fill !== undefined) throw new Unsupported(`${what} has a run-time shape`);
    if (c.data instanceof Float32Array) return c.data;
    if (c.data.some((x) => typeof x !== 'number')) throw new Unsupported(`${what} depends on the batch size`);
    return Float32Array.from(c.data as number[]);
  }
  ints(c: ConstVal, what: string): Sym[] {
    if (c.fill !== undefined) throw new Unsupported(`${what} has a run-time shape`);
    return Array.from(c.data as ArrayLike<Sym>);
  }

  /**
   * Whether exactly one op reads the block output `ref`, counting through the ONNX values that
   * alias it (Identity, layout-only Transposes): each alias is one read that is passed on.
   */
  soleUse(ref: Ref): boolean {
    return this.readers(ref) === 1;
  }

  /** How many ops read the block output `ref` (see soleUse). */
  readers(ref: Ref): number {
    let total = 0;
    let aliases = 0;
    for (const [name, v] of this.values) {
      if (v.kind !== 'tensor' || v.ref.node !== ref.node || v.ref.port !== ref.port) continue;
      total += this.uses.get(name) ?? 0;
      aliases++;
    }
    return total - (aliases - 1);
  }

  /** Removes a block nothing reads yet (an activation fused into the block before it). */
  remove(id: string): void {
    if (this.edges.some((e) => e.source === id)) throw new Error(`internal: block ${id} is still read`);
    this.nodes.splice(this.nodes.indexOf(this.node(id)), 1);
    this.byId.delete(id);
    for (let i = this.edges.length - 1; i >= 0; i--) if (this.edges[i]!.target === id) this.edges.splice(i, 1);
  }
}
