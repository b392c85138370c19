// ONNX ModelProto → graph document + weights (tfjs layouts).
//
// Our own exports carry their graph in metadata_props ("neural-blocks.graph") and reopen exactly
// (see ownOnnx.ts). Any other model is converted op by op (convertForeign below):
// - Tensors in our graph are channels-last, ONNX images are channels-first. Each ONNX value is
//   tracked with a *layout* telling how our tensor relates to it: "plain" (same order), "nchw"
//   (ONNX [N,C,H,W] is our [N,H,W,C]), "pooled" (ONNX [N,C,1,1] from a global pool is our [N,C]),
//   "tmajor" (ONNX [T,N,F] is our [N,T,F]), "rnnY" (ONNX LSTM/GRU Y [T,1,N,H] is our [N,T,H]),
//   "dirN" (ONNX Y_h [1,N,H] is our [N,H]) and, for a bidirectional op (the Bidirectional
//   block, concat), "rnnY2" (Y [T,2,N,H] is our [N,T,2H]), "rnnYT2" (Y transposed to [T,N,2,H],
//   PyTorch's next step before its Reshape to [T,N,2H]) and "dir2" (Y_h [2,N,H]: index 0 is our
//   port h, index 1 our hBack). Layout changes cost no block until an op needs the
//   ONNX element order: Flatten/Reshape of an image inserts Permute [3,1,2] first, so a Dense
//   after it takes the weights unchanged.
// - A rank-4 graph input becomes an NHWC Input ([H, W, C]): the imported model takes NHWC.
// - Constant subgraphs (Shape → Gather → Unsqueeze → Concat → Reshape, ConstantOfShape for zero
//   initial states, Identity of initializers) are folded at import time; the batch dimension is
//   carried symbolically ("N").
// - Every op that has no exact block is listed (node name, op type, reason) and importOnnx
//   throws an ImportError with the list: nothing is half-imported.
import type { GraphDoc, GraphEdge, GraphNode } from '../core/graph';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../core/graph';
import { decodeModel, type OnnxReader } from '../onnx/read';
import { MAX_TENSOR_ELEMENTS, elementCount, fmtCount } from '../core/limits';
import { transposeData } from '../onnx/ops';
import { ImportError, malformed, unsupportedError, type ImportResult, type ImportedWeights, type UnsupportedOp } from './types';
import { reopenOwnOnnx } from './ownOnnx';

export const GRAPH_METADATA_KEY = 'neural-blocks.graph';

// ---------------------------------------------------------------------------------------------
// The decoded protobuf (protobufjs toObject with keepCase: snake_case fields, longs as numbers)
// ---------------------------------------------------------------------------------------------

interface PTensor {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  data_location?: number;
}
interface PAttr {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: PTensor;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
interface PNode {
  name?: string;
  op_type: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: PAttr[];
}
interface PDim {
  dim_value?: number;
  dim_param?: string;
}
interface PValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: PDim[] } } };
}
interface PGraph {
  name?: string;
  node?: PNode[];
  initializer?: PTensor[];
  input?: PValueInfo[];
  output?: PValueInfo[];
}
export interface PModel {
  ir_version?: number;
  producer_name?: string;
  opset_import?: { domain?: string; version?: number }[];
  graph?: PGraph;
  metadata_props?: { key?: string; value?: string }[];
}

const DT_FLOAT = 1;
const DT_INT32 = 6;
const DT_INT64 = 7;
const DT_BOOL = 9;
const DT_DOUBLE = 11;
const DT_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 8: 'string' };

const RAW_BYTES: Record<number, number> = { [DT_FLOAT]: 4, [DT_DOUBLE]: 8, [DT_INT64]: 8, [DT_INT32]: 4, [DT_BOOL]: 1 };

/** Elements of a tensor with these dims, checked before anything of that size is allocated. */
function checkedCount(dims: number[], what: string): number {
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw malformed(`${what} has dims [${dims.join(', ')}]; dims must be non-negative integers`);
  const n = elementCount(dims);
  if (n > MAX_TENSOR_ELEMENTS) throw malformed(`${what} would have ${fmtCount(n)} elements (dims [${dims.join(', ')}]); at most ${MAX_TENSOR_ELEMENTS} are read`);
  return n;
}

/** Reads a TensorProto's values as numbers (floats in a Float32Array, ints as plain numbers). */
export function tensorValues(t: PTensor, where: string): { dims: number[]; float: boolean; data: Float32Array | number[] } {
  const dims = (t.dims ?? []).map(Number);
  const n = checkedCount(dims, `${where}: tensor "${t.name}"`);
  const dt = t.data_type ?? 0;
  if (t.data_location === 1) throw new Unsupported(`tensor "${t.name}" keeps its data in an external file; re-save the model with the data inside (onnx.save(model, path, save_as_external_data=False))`);
  const raw = t.raw_data && t.raw_data.length ? t.raw_data : undefined;
  const width = RAW_BYTES[dt];
  if (raw && width && raw.byteLength !== n * width)
    throw malformed(`${where}: tensor "${t.name}" has ${raw.byteLength} bytes of ${DT_NAMES[dt]} data, but dims [${dims.join(', ')}] need ${n * width}`);
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  if (dt === DT_FLOAT || dt === DT_DOUBLE) {
    let data: Float32Array;
    if (view && dt === DT_FLOAT) {
      if (raw!.byteLength !== n * 4) throw new ImportError(`${where}: tensor "${t.name}" has ${raw!.byteLength} bytes of float data for dims [${dims.join(', ')}]`, [], true);
      data = new Float32Array(n);
      if (raw!.byteOffset % 4 === 0) data.set(new Float32Array(raw!.buffer, raw!.byteOffset, n));
      else for (let i = 0; i < n; i++) data[i] = view.getFloat32(i * 4, true);
    } else if (view) {
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat64(i * 8, true);
    } else data = Float32Array.from(dt === DT_FLOAT ? (t.float_data ?? []) : (t.double_data ?? []));
    if (data.length !== n) throw new ImportError(`${where}: tensor "${t.name}" has ${data.length} values for dims [${dims.join(', ')}]`, [], true);
    return { dims, float: true, data };
  }
  if (dt === DT_INT64 || dt === DT_INT32 || dt === DT_BOOL) {
    let data: number[];
    if (view) {
      const size = dt === DT_INT64 ? 8 : dt === DT_INT32 ? 4 : 1;
      data = Array.from({ length: n }, (_, i) => (size === 8 ? Number(view.getBigInt64(i * 8, true)) : size === 4 ? view.getInt32(i * 4, true) : view.getUint8(i)));
    } else data = (dt === DT_INT64 ? (t.int64_data ?? []) : (t.int32_data ?? [])).map(Number);
    if (data.length !== n) throw new ImportError(`${where}: tensor "${t.name}" has ${data.length} values for dims [${dims.join(', ')}]`, [], true);
    return { dims, float: false, data };
  }
  throw new Unsupported(`tensor "${t.name}" has element type ${DT_NAMES[dt] ?? dt}; only float32/float64/int32/int64/bool constants are read`);
}

// ---------------------------------------------------------------------------------------------
// Values during conversion
// ---------------------------------------------------------------------------------------------

type Sym = number | 'N' | null;
type Dim = number | null;
type Layout = 'plain' | 'nchw' | 'pooled' | 'tmajor' | 'rnnY' | 'dirN' | 'rnnY2' | 'rnnYT2' | 'dir2';
/** Layouts whose first ONNX axis is not the batch. */
const NOT_BATCH_FIRST = new Set<Layout>(['tmajor', 'rnnY', 'dirN', 'rnnY2', 'rnnYT2', 'dir2']);

/** A value known at import time. Int tensors may hold the symbolic batch "N" (from Shape). */
interface ConstVal {
  kind: 'const';
  dims: number[];
  float: boolean;
  data: Float32Array | Sym[];
  /** ConstantOfShape with a symbolic shape: every element equals `fill`; `data` is empty. */
  fill?: number;
}
interface Ref {
  node: string;
  port: string;
}
interface TensorVal {
  kind: 'tensor';
  ref: Ref;
  layout: Layout;
  /** The ONNX shape of the value (batch null). */
  shape: Dim[];
  /** Known ≥ 0 (after Relu and friends): zero padding then equals -inf padding for MaxPool. */
  nonNeg?: boolean;
  /** The value is (a relayout of) a recurrent node's full output sequence. */
  seqOf?: string;
}
type Val = ConstVal | TensorVal;
type RnnPort = 'seq' | 'last' | 'c' | 'lastBack' | 'cBack';
type RnnUse = Record<RnnPort, boolean> & { bi: boolean };

/** One node has no block; the message says why (it becomes a line of the report). */
class Unsupported extends Error {}

function attrs(n: PNode): Map<string, PAttr> {
  return new Map((n.attribute ?? []).map((a) => [a.name, a]));
}
function attrInt(a: Map<string, PAttr>, name: string, dflt: number): number {
  const v = a.get(name);
  return v?.i !== undefined ? Number(v.i) : dflt;
}
function attrFloat(a: Map<string, PAttr>, name: string, dflt: number): number {
  const v = a.get(name);
  return v?.f !== undefined ? shortFloat(v.f) : dflt;
}
/** The shortest decimal with the same float32 value (0.1 rather than 0.10000000149011612). */
function shortFloat(x: number): number {
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === Math.fround(x)) return y;
  }
  return x;
}
function attrInts(a: Map<string, PAttr>, name: string): number[] | undefined {
  const v = a.get(name);
  return v?.ints ? v.ints.map(Number) : undefined;
}
function attrString(a: Map<string, PAttr>, name: string): string | undefined {
  const v = a.get(name);
  return v?.s ? new TextDecoder().decode(v.s) : undefined;
}

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
const NCHW_TO_OURS = [0, 3, 1, 2]; // ONNX NCHW axis → our NHWC axis

function sanitizeId(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(s)) s = `n_${s}`;
  return s;
}

/** TF "same" pads for one axis: [before, after]. */
function tfSamePads(size: number, k: number, s: number, d: number): [number, number] {
  const eff = (k - 1) * d + 1;
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + eff - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

type PadMode = { mode: 'valid' } | { mode: 'same' } | { mode: 'explicit'; pads: [[number, number], [number, number]] };

function padMode(a: Map<string, PAttr>, hw: Dim[], k: number[], s: number[], d: number[], what: string): PadMode {
  const auto = attrString(a, 'auto_pad') ?? 'NOTSET';
  if (auto === 'VALID') return { mode: 'valid' };
  if (auto === 'SAME_UPPER') return { mode: 'same' };
  if (auto === 'SAME_LOWER') throw new Unsupported(`auto_pad SAME_LOWER (extra padding before) has no block; tfjs "same" pads the extra row after`);
  const pads = attrInts(a, 'pads') ?? [0, 0, 0, 0];
  if (pads.length !== 4) throw new Unsupported(`${what} pads ${JSON.stringify(pads)}: only 2-D (4 pads) is mapped`);
  if (pads.some((p) => p < 0)) throw new Unsupported(`negative pads ${JSON.stringify(pads)} (cropping) are not mapped`);
  if (pads.every((p) => p === 0)) return { mode: 'valid' };
  if (hw[0] != null && hw[1] != null) {
    const sh = tfSamePads(hw[0], k[0]!, s[0]!, d[0]!);
    const sw = tfSamePads(hw[1], k[1]!, s[1]!, d[1]!);
    if (sh[0] === pads[0] && sw[0] === pads[1] && sh[1] === pads[2] && sw[1] === pads[3]) return { mode: 'same' };
  }
  return {
    mode: 'explicit',
    pads: [
      [pads[0]!, pads[2]!],
      [pads[1]!, pads[3]!],
    ],
  };
}

function outSize(size: Dim, k: number, s: number, d: number, before: number, after: number): Dim {
  if (size === null) return null;
  return Math.floor((size + before + after - (k - 1) * d - 1) / s) + 1;
}

// ---------------------------------------------------------------------------------------------
// The converter
// ---------------------------------------------------------------------------------------------

const SELU_ALPHA = 1.6732632423543772;
const SELU_GAMMA = 1.0507009873554805;

class Converter {
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
  /** Relayouts made once per ONNX value (e.g. its NCHW-order copy). */
  private readonly relayouts = new Map<string, TensorVal>();
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

  /** Our tensor as ONNX orders its elements (for Flatten, Reshape, generic ops). */
  plain(name: string, t: TensorVal): TensorVal {
    if (t.layout === 'plain') return t;
    const key = `${name}\0plain`;
    const hit = this.relayouts.get(key);
    if (hit) return hit;
    let out: TensorVal;
    if (t.layout === 'nchw') {
      const id = this.add('Permute', { dims: [3, 1, 2] }, [t.ref], `${this.current}_to_nchw`);
      out = { ...t, kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain' };
    } else if (t.layout === 'pooled') {
      const c = t.shape[1];
      if (c == null) throw new Unsupported(`channel count of "${name}" is unknown`);
      const id = this.add('Reshape', { targetShape: [c, 1, 1] }, [t.ref], `${this.current}_unpool`);
      out = { ...t, ref: { node: id, port: 'out' }, layout: 'plain' };
    } else throw new Unsupported(`"${name}" is a time-major / per-direction recurrent value (layout ${t.layout}); this op is only mapped on batch-major tensors`);
    this.relayouts.set(key, out);
    return out;
  }

  /** Our tensor as NHWC for an image op (ONNX NCHW). */
  image(name: string, t: TensorVal): TensorVal {
    if (t.layout === 'nchw') return t;
    if (t.shape.length !== 4) throw new Unsupported(`"${name}" has ONNX shape ${fmt(t.shape)}; this op is mapped on 4-D NCHW images only`);
    const key = `${name}\0nchw`;
    const hit = this.relayouts.get(key);
    if (hit) return hit;
    let out: TensorVal;
    if (t.layout === 'plain') {
      const id = this.add('Permute', { dims: [2, 3, 1] }, [t.ref], `${this.current}_to_nhwc`);
      out = { ...t, ref: { node: id, port: 'out' }, layout: 'nchw' };
    } else if (t.layout === 'pooled') {
      const c = t.shape[1];
      if (c == null) throw new Unsupported(`channel count of "${name}" is unknown`);
      const id = this.add('Reshape', { targetShape: [1, 1, c] }, [t.ref], `${this.current}_unpool`);
      out = { ...t, ref: { node: id, port: 'out' }, layout: 'nchw' };
    } else throw new Unsupported(`"${name}" (layout ${t.layout}) cannot be read as an image`);
    this.relayouts.set(key, out);
    return out;
  }

  /**
   * Puts an activation on the block that made `t` when that block is a fresh Conv/Dense with no
   * activation and nothing else reads its output; returns undefined when it cannot.
   */
  /**
   * Whether exactly one op reads the block output `ref`, counting through the ONNX values that
   * alias it (Identity, layout-only Transposes): each alias is one read that is passed on.
   */
  soleUse(ref: Ref): boolean {
    let total = 0;
    let aliases = 0;
    for (const [name, v] of this.values) {
      if (v.kind !== 'tensor' || v.ref.node !== ref.node || v.ref.port !== ref.port) continue;
      total += this.uses.get(name) ?? 0;
      aliases++;
    }
    return total - (aliases - 1) === 1;
  }

  fuse(inName: string, t: TensorVal, activation: string): TensorVal | undefined {
    if (!this.soleUse(t.ref) || t.ref.port !== 'out') return undefined;
    const n = this.node(t.ref.node);
    if (!n || !['Conv2D', 'Dense', 'DepthwiseConv2D'].includes(n.type) || (n.params?.activation ?? 'linear') !== 'linear') return undefined;
    // Only the value the block itself produced (no relayout in between): Dense on a time-major
    // value would still be exact, but keep it simple and obvious.
    n.params = { ...n.params, activation };
    return { ...t };
  }

  activation(inName: string, name: string, nonNeg: boolean): TensorVal {
    const t = this.tensor(inName);
    const fused = this.fuse(inName, t, name);
    if (fused) return { ...fused, nonNeg };
    const id = this.add('Activation', { activation: name }, [t.ref]);
    return { ...t, ref: { node: id, port: 'out' }, nonNeg };
  }
}

function fmt(s: readonly (Dim | Sym)[]): string {
  return `[${s.map((d) => (d === null ? 'null' : d)).join(', ')}]`;
}

function scalarOf(c: ConstVal, what: string): number {
  const d = c.fill !== undefined ? [c.fill] : Array.from(c.data as ArrayLike<Sym>);
  if (d.length !== 1 || typeof d[0] !== 'number') throw new Unsupported(`${what} must be a single number, got ${fmt(d as Sym[])}`);
  return d[0];
}

// --- constant folding ---------------------------------------------------------------------------

function constInts(dims: number[], data: Sym[]): ConstVal {
  return { kind: 'const', dims, float: false, data };
}

function foldConst(cv: Converter, n: PNode, a: Map<string, PAttr>): Val[] | undefined {
  const ins = (n.input ?? []).map((x) => (x ? cv.values.get(x) : undefined));
  const c = (k: number) => ins[k] as ConstVal | undefined;
  const allConst = (n.input ?? []).every((x, k) => !x || ins[k]?.kind === 'const');
  switch (n.op_type) {
    case 'Constant': {
      const t = a.get('value')?.t;
      if (t) {
        const v = tensorValues(t, `Constant "${n.name}"`);
        return [{ kind: 'const', dims: v.dims, float: v.float, data: v.data }];
      }
      const vf = a.get('value_float')?.f ?? a.get('value_floats')?.floats;
      if (vf !== undefined) return [{ kind: 'const', dims: Array.isArray(vf) ? [vf.length] : [], float: true, data: Float32Array.from(Array.isArray(vf) ? vf : [vf]) }];
      const vi = a.get('value_int')?.i ?? a.get('value_ints')?.ints;
      if (vi !== undefined) return [constInts(Array.isArray(vi) ? [vi.length] : [], (Array.isArray(vi) ? vi : [vi]).map(Number))];
      throw new Unsupported('Constant without a tensor, float or int value');
    }
    case 'Shape': {
      const v = ins[0];
      if (!v) return undefined;
      const dims: Sym[] = v.kind === 'const' ? v.dims : v.shape.map((d, i) => (d === null ? (i === 0 && !NOT_BATCH_FIRST.has(v.layout) ? 'N' : null) : d));
      const start = attrInt(a, 'start', 0);
      const endA = a.get('end');
      const sl = dims.slice(start, endA ? Number(endA.i) : undefined);
      return [constInts([sl.length], sl)];
    }
  }
  if (!allConst || !ins.some((v) => v)) return undefined;
  switch (n.op_type) {
    case 'Identity':
      return [c(0)!];
    case 'Cast': {
      const x = c(0)!;
      const to = attrInt(a, 'to', DT_FLOAT);
      if (to === DT_FLOAT || to === DT_DOUBLE) return [{ ...x, float: true, data: x.fill !== undefined ? x.data : Float32Array.from(cv.ints(x, 'Cast input') as number[]) }];
      if (to === DT_INT64 || to === DT_INT32) return [{ ...x, float: false, data: x.data instanceof Float32Array ? Array.from(x.data, Math.trunc) : x.data }];
      return undefined;
    }
    case 'Gather': {
      const x = c(0)!;
      const idx = cv.ints(c(1)!, 'Gather indices');
      const axis = attrInt(a, 'axis', 0);
      if (x.dims.length !== 1 || axis !== 0) return undefined;
      const src = Array.from(x.data as ArrayLike<Sym>);
      const pick = idx.map((i) => {
        if (typeof i !== 'number') throw new Unsupported('Gather index depends on the batch size');
        return src[i < 0 ? i + src.length : i]!;
      });
      return [{ kind: 'const', dims: c(1)!.dims, float: x.float, data: x.float ? Float32Array.from(pick as number[]) : pick }];
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const x = c(0)!;
      const axes = (n.input?.[1] ? cv.ints(c(1)!, 'axes') : (attrInts(a, 'axes') ?? [])) as number[];
      let dims = x.dims.slice();
      if (n.op_type === 'Unsqueeze') {
        const r = dims.length + axes.length;
        for (const ax of axes.map((q) => (q < 0 ? q + r : q)).sort((p, q) => p - q)) dims.splice(ax, 0, 1);
      } else {
        const r = dims.length;
        const drop = axes.length ? axes.map((q) => (q < 0 ? q + r : q)) : dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
        dims = dims.filter((_, i) => !drop.includes(i));
      }
      return [{ ...x, dims }];
    }
    case 'Concat': {
      const parts = (n.input ?? []).filter((x) => x).map((x) => cv.values.get(x) as ConstVal);
      if (parts.some((p) => p.dims.length !== 1)) return undefined;
      const data = parts.flatMap((p) => Array.from(p.data as ArrayLike<Sym>));
      return [{ kind: 'const', dims: [data.length], float: parts[0]!.float, data: parts[0]!.float ? Float32Array.from(data as number[]) : data }];
    }
    case 'Slice': {
      const x = c(0)!;
      if (x.dims.length !== 1) return undefined;
      const src = Array.from(x.data as ArrayLike<Sym>);
      const starts = cv.ints(c(1)!, 'starts') as number[];
      const ends = cv.ints(c(2)!, 'ends') as number[];
      const steps = n.input?.[4] ? (cv.ints(c(4)!, 'steps') as number[]) : [1];
      if (steps[0] !== 1) return undefined;
      const L = src.length;
      const cl = (v: number) => Math.max(0, Math.min(L, v < 0 ? v + L : v));
      const out = src.slice(cl(starts[0]!), cl(ends[0]!));
      return [{ kind: 'const', dims: [out.length], float: x.float, data: x.float ? Float32Array.from(out as number[]) : out }];
    }
    case 'ConstantOfShape': {
      const shape = cv.ints(c(0)!, 'shape');
      const t = a.get('value')?.t;
      const fill = t ? Number(tensorValues(t, 'ConstantOfShape value').data[0]) : 0;
      const float = t ? (t.data_type ?? DT_FLOAT) === DT_FLOAT : true;
      if (shape.every((d) => typeof d === 'number')) {
        const dims = shape as number[];
        checkedCount(dims, `ConstantOfShape "${n.name ?? ''}"`);
        return [{ kind: 'const', dims, float, data: float ? new Float32Array(prod(dims)).fill(fill) : new Array<Sym>(prod(dims)).fill(fill) }];
      }
      return [{ kind: 'const', dims: shape.map((d) => (typeof d === 'number' ? d : -1)), float, data: [], fill }];
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const x = c(0)!;
      const y = c(1)!;
      const xs = Array.from(x.data as ArrayLike<Sym>);
      const ys = Array.from(y.data as ArrayLike<Sym>);
      if (x.fill !== undefined || y.fill !== undefined || xs.some((v) => typeof v !== 'number') || ys.some((v) => typeof v !== 'number')) return undefined;
      if (xs.length !== ys.length && ys.length !== 1 && xs.length !== 1) return undefined;
      const len = Math.max(xs.length, ys.length);
      const f = { Add: (p: number, q: number) => p + q, Sub: (p: number, q: number) => p - q, Mul: (p: number, q: number) => p * q, Div: (p: number, q: number) => (x.float ? p / q : Math.trunc(p / q)) }[n.op_type as 'Add'];
      const out = Array.from({ length: len }, (_, i) => f(xs[xs.length === 1 ? 0 : i] as number, ys[ys.length === 1 ? 0 : i] as number));
      return [{ kind: 'const', dims: xs.length >= ys.length ? x.dims : y.dims, float: x.float, data: x.float ? Float32Array.from(out) : out }];
    }
    case 'Reshape': {
      const x = c(0)!;
      if (x.fill !== undefined) return undefined;
      const shape = cv.ints(c(1)!, 'shape') as number[];
      const total = x.data.length;
      const known = shape.map((d, i) => (d === 0 ? x.dims[i]! : d));
      const neg = known.indexOf(-1);
      if (neg >= 0) known[neg] = total / prod(known.filter((d) => d !== -1));
      return [{ ...x, dims: known }];
    }
  }
  return undefined;
}

// --- per-op conversion --------------------------------------------------------------------------

function convertOp(cv: Converter, n: PNode, a: Map<string, PAttr>): Val[] {
  const inp = n.input ?? [];
  const op = n.op_type;
  const one = (v: Val) => [v];
  switch (op) {
    case 'Identity':
    case 'Dropout':
      return [cv.val(inp[0]!)];
    case 'Cast': {
      const to = attrInt(a, 'to', 0);
      if (to !== DT_FLOAT) throw new Unsupported(`Cast to ${DT_NAMES[to] ?? to} of a computed tensor has no block (only casts to float32 pass through)`);
      return [cv.tensor(inp[0]!)];
    }
    case 'Relu':
      return one(cv.activation(inp[0]!, 'relu', true));
    case 'Sigmoid':
      return one(cv.activation(inp[0]!, 'sigmoid', true));
    case 'Tanh':
      return one(cv.activation(inp[0]!, 'tanh', false));
    case 'Softplus':
      return one(cv.activation(inp[0]!, 'softplus', true));
    case 'Softsign':
      return one(cv.activation(inp[0]!, 'softsign', false));
    case 'Elu': {
      const alpha = attrFloat(a, 'alpha', 1);
      if (Math.abs(alpha - 1) > 1e-7) throw new Unsupported(`Elu alpha ${alpha}: tfjs' elu has alpha 1 only`);
      return one(cv.activation(inp[0]!, 'elu', false));
    }
    case 'Selu': {
      const alpha = attrFloat(a, 'alpha', SELU_ALPHA);
      const gamma = attrFloat(a, 'gamma', SELU_GAMMA);
      if (Math.abs(alpha - SELU_ALPHA) > 1e-5 || Math.abs(gamma - SELU_GAMMA) > 1e-5) throw new Unsupported(`Selu alpha ${alpha}, gamma ${gamma}: tfjs' selu uses the standard constants only`);
      return one(cv.activation(inp[0]!, 'selu', false));
    }
    case 'HardSigmoid': {
      const alpha = attrFloat(a, 'alpha', 0.2);
      const beta = attrFloat(a, 'beta', 0.5);
      if (Math.abs(alpha - 0.2) > 1e-7 || Math.abs(beta - 0.5) > 1e-7)
        throw new Unsupported(`HardSigmoid alpha ${alpha}, beta ${beta}: tfjs' hardSigmoid is clip(0.2·x + 0.5, 0, 1) (PyTorch's Hardsigmoid uses 1/6 and has no block)`);
      return one(cv.activation(inp[0]!, 'hardSigmoid', true));
    }
    case 'Clip': {
      const lo = inp[1] ? scalarOf(cv.constant(inp[1], 'Clip min'), 'Clip min') : a.has('min') ? attrFloat(a, 'min', 0) : -Infinity;
      const hi = inp[2] ? scalarOf(cv.constant(inp[2], 'Clip max'), 'Clip max') : a.has('max') ? attrFloat(a, 'max', 0) : Infinity;
      if (lo === 0 && hi === 6) return one(cv.activation(inp[0]!, 'relu6', true));
      if (lo === 0 && hi === Infinity) return one(cv.activation(inp[0]!, 'relu', true));
      throw new Unsupported(`Clip(${lo}, ${hi}) has no block (only Clip(0, 6) = relu6 and Clip(0, ∞) = relu)`);
    }
    case 'LeakyRelu': {
      const t = cv.tensor(inp[0]!);
      const id = cv.add('LeakyReLU', { alpha: attrFloat(a, 'alpha', 0.01) }, [t.ref]);
      return one({ ...t, ref: { node: id, port: 'out' }, nonNeg: false });
    }
    case 'Softmax': {
      const t = cv.tensor(inp[0]!);
      const rank = t.shape.length;
      let axis = attrInt(a, 'axis', cv.opset >= 13 ? -1 : 1);
      if (axis < 0) axis += rank;
      if (cv.opset < 13 && axis !== rank - 1) throw new Unsupported(`Softmax (opset ${cv.opset}) on axis ${axis} of a rank-${rank} tensor normalises the flattened tail; only the last axis is mapped`);
      if (axis === 0) throw new Unsupported('Softmax over the batch axis has no block');
      let ours: number;
      if (t.layout === 'plain') ours = axis;
      else if (t.layout === 'nchw') ours = NCHW_TO_OURS[axis]!;
      else if (t.layout === 'pooled' && axis === 1) ours = 1;
      else throw new Unsupported(`Softmax on axis ${axis} of a ${t.layout} value is not mapped`);
      const id = cv.add('Softmax', { axis: ours === (t.layout === 'pooled' ? 1 : rank - 1) ? -1 : ours }, [t.ref]);
      return one({ ...t, ref: { node: id, port: 'out' }, nonNeg: true });
    }
    case 'Conv':
      return one(convertConv(cv, n, a));
    case 'MaxPool':
    case 'AveragePool':
      return one(convertPool(cv, n, a));
    case 'GlobalAveragePool':
    case 'GlobalMaxPool': {
      const t = cv.image(inp[0]!, cv.tensor(inp[0]!));
      const id = cv.add(op === 'GlobalAveragePool' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D', {}, [t.ref]);
      return one({ kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'pooled', shape: [t.shape[0]!, t.shape[1]!, 1, 1], nonNeg: t.nonNeg });
    }
    case 'BatchNormalization': {
      if (attrInt(a, 'training_mode', 0) !== 0) throw new Unsupported('BatchNormalization in training mode (training_mode 1) is not mapped; export the model in eval mode');
      if ((n.output ?? []).filter((x) => x).length > 1) throw new Unsupported('BatchNormalization with running-statistics outputs (training form) is not mapped; export in eval mode');
      const t0 = cv.tensor(inp[0]!);
      const t = t0.layout === 'plain' || t0.layout === 'nchw' ? t0 : cv.plain(inp[0]!, t0);
      const scale = cv.floats(cv.constant(inp[1], 'scale'), 'scale');
      const bias = cv.floats(cv.constant(inp[2], 'B'), 'B');
      const mean = cv.floats(cv.constant(inp[3], 'mean'), 'mean');
      const variance = cv.floats(cv.constant(inp[4], 'var'), 'var');
      const C = scale.length;
      const id = cv.add('BatchNormalization', { axis: t.layout === 'nchw' ? -1 : 1, epsilon: attrFloat(a, 'epsilon', 1e-5), momentum: attrFloat(a, 'momentum', 0.9) }, [t.ref]);
      cv.weight(id, 'gamma', [C], scale);
      cv.weight(id, 'beta', [C], bias);
      cv.weight(id, 'moving_mean', [C], mean);
      cv.weight(id, 'moving_variance', [C], variance);
      return one({ ...t, ref: { node: id, port: 'out' }, nonNeg: false });
    }
    case 'LayerNormalization': {
      const t = cv.plain(inp[0]!, cv.tensor(inp[0]!));
      const rank = t.shape.length;
      let axis = attrInt(a, 'axis', -1);
      if (axis < 0) axis += rank;
      if (axis !== rank - 1) throw new Unsupported(`LayerNormalization over axes ${axis}…${rank - 1}: only the last axis alone is mapped (LayerNormalization block)`);
      const gamma = cv.floats(cv.constant(inp[1], 'Scale'), 'Scale');
      const beta = inp[2] ? cv.floats(cv.constant(inp[2], 'B'), 'B') : undefined;
      const id = cv.add('LayerNormalization', { axis: -1, epsilon: attrFloat(a, 'epsilon', 1e-5), center: !!beta }, [t.ref]);
      cv.weight(id, 'gamma', [gamma.length], gamma);
      if (beta) cv.weight(id, 'beta', [beta.length], beta);
      return one({ ...t, ref: { node: id, port: 'out' }, nonNeg: false, seqOf: undefined });
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Sum':
    case 'Max':
    case 'Mean':
      return one(convertMerge(cv, n));
    case 'Concat': {
      const ts = inp.map((x) => cv.tensor(x));
      let axis = attrInt(a, 'axis', 0);
      const rank = ts[0]!.shape.length;
      if (axis < 0) axis += rank;
      if (axis === 0) throw new Unsupported('Concat along the batch axis has no block');
      const img = ts.some((t) => t.layout === 'nchw') && rank === 4;
      const vs = ts.map((t, k) => (img ? cv.image(inp[k]!, t) : cv.plain(inp[k]!, t)));
      const ours = img ? NCHW_TO_OURS[axis]! : axis;
      const id = cv.add('Concatenate', { axis: ours }, vs.map((v) => v.ref), cv.current, vs.map((_, k) => `in${k}`));
      const shape = ts[0]!.shape.slice();
      shape[axis] = ts.every((t) => t.shape[axis] != null) ? ts.reduce((s, t) => s + (t.shape[axis] as number), 0) : null;
      return one({ kind: 'tensor', ref: { node: id, port: 'out' }, layout: img ? 'nchw' : 'plain', shape, nonNeg: ts.every((t) => t.nonNeg) });
    }
    case 'Flatten': {
      const t = cv.tensor(inp[0]!);
      let axis = attrInt(a, 'axis', 1);
      if (axis < 0) axis += t.shape.length;
      if (axis !== 1) throw new Unsupported(`Flatten with axis ${axis}: only axis 1 (keep the batch) is mapped`);
      const size = t.shape.slice(1).every((d) => d != null) ? prod(t.shape.slice(1) as number[]) : null;
      const shape: Dim[] = [t.shape[0]!, size];
      if (t.layout === 'pooled') return one({ ...t, layout: 'plain', shape });
      const p = cv.plain(inp[0]!, t);
      if (p.shape.length === 2) return one({ ...p, shape });
      const id = cv.add('Flatten', {}, [p.ref]);
      return one({ ...p, ref: { node: id, port: 'out' }, shape, seqOf: undefined });
    }
    case 'Reshape':
      return one(convertReshape(cv, n));
    case 'Transpose':
      return one(convertTranspose(cv, n, a));
    case 'Squeeze':
    case 'Unsqueeze':
      return one(convertSqueeze(cv, n, a));
    case 'Gather':
      return one(convertGather(cv, n, a));
    case 'Gemm':
      return one(convertGemm(cv, n, a));
    case 'MatMul':
      return one(convertMatMul(cv, n));
    case 'Pad': {
      const mode = attrString(a, 'mode') ?? 'constant';
      if (mode !== 'constant') throw new Unsupported(`Pad mode "${mode}" has no block (ZeroPadding2D pads with zeros)`);
      const pads = (inp[1] ? cv.ints(cv.constant(inp[1], 'pads'), 'pads') : (attrInts(a, 'pads') ?? [])) as number[];
      const value = inp[2] ? scalarOf(cv.constant(inp[2], 'constant_value'), 'constant_value') : attrFloat(a, 'value', 0);
      if (value !== 0) throw new Unsupported(`Pad with value ${value}: ZeroPadding2D pads with zeros only`);
      if (inp[3]) throw new Unsupported('Pad with an axes input is not mapped');
      const t = cv.tensor(inp[0]!);
      if (t.shape.length !== 4 || pads.length !== 8) throw new Unsupported(`Pad of a rank-${t.shape.length} tensor: only 4-D images are mapped (ZeroPadding2D)`);
      if (pads.some((p) => p < 0)) throw new Unsupported(`negative pads ${JSON.stringify(pads)} (cropping) are not mapped`);
      if (pads.every((p) => p === 0)) return one(t);
      // ZeroPadding2D pads our axes 1 and 2: ONNX axes 2, 3 of an NCHW image, or 1, 2 of a
      // channels-last (plain) tensor.
      const [h, w] = t.layout === 'plain' ? [1, 2] : [2, 3];
      const other = [0, 1, 2, 3].filter((ax) => ax !== h && ax !== w);
      if (other.some((ax) => pads[ax] || pads[ax + 4])) throw new Unsupported(`Pad ${JSON.stringify(pads)} pads the batch or channel axis; ZeroPadding2D pads height and width only`);
      const img = t.layout === 'plain' ? t : cv.image(inp[0]!, t);
      const id = cv.add('ZeroPadding2D', { padding: [[pads[h]!, pads[h + 4]!], [pads[w]!, pads[w + 4]!]] }, [img.ref]);
      const sh = img.shape.slice();
      for (const ax of [h, w]) sh[ax] = sh[ax] == null ? null : sh[ax]! + pads[ax]! + pads[ax + 4]!;
      return one({ ...img, ref: { node: id, port: 'out' }, shape: sh });
    }
    case 'LSTM':
    case 'GRU':
      return convertRnn(cv, n, a);
    case 'ReduceMean':
    case 'ReduceMax': {
      // Global pooling written as a reduction over the spatial (or time) axes.
      const t = cv.tensor(inp[0]!);
      const rank = t.shape.length;
      const axes = (inp[1] ? (cv.ints(cv.constant(inp[1], 'axes'), 'axes') as number[]) : (attrInts(a, 'axes') ?? [])).map((x) => (x < 0 ? x + rank : x)).sort();
      const keep = attrInt(a, 'keepdims', 1) === 1;
      const avg = op === 'ReduceMean';
      let type: string | undefined;
      let layout: Layout = 'plain';
      let shape: Dim[] = [];
      if (rank === 4 && t.layout === 'nchw' && axes.join() === '2,3') {
        type = avg ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
        layout = keep ? 'pooled' : 'plain';
        shape = keep ? [t.shape[0]!, t.shape[1]!, 1, 1] : [t.shape[0]!, t.shape[1]!];
      } else if (rank === 4 && t.layout === 'plain' && axes.join() === '1,2' && !keep) {
        type = avg ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
        shape = [t.shape[0]!, t.shape[3]!];
      } else if (rank === 3 && t.layout === 'plain' && axes.join() === '1' && !keep) {
        type = avg ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D';
        shape = [t.shape[0]!, t.shape[2]!];
      }
      if (!type) throw new Unsupported(`${op} over axes ${JSON.stringify(axes)} (keepdims ${keep ? 1 : 0}) of a ${t.layout} ${fmt(t.shape)} tensor: only global pooling over the spatial / time axes is mapped`);
      const id = cv.add(type, {}, [t.ref]);
      return one({ kind: 'tensor', ref: { node: id, port: 'out' }, layout, shape, nonNeg: t.nonNeg });
    }
  }
  throw new Unsupported(`no block for ONNX op ${op}${n.domain ? ` (domain ${n.domain})` : ''}`);
}

function convertConv(cv: Converter, n: PNode, a: Map<string, PAttr>): TensorVal {
  const inp = n.input ?? [];
  const t0 = cv.tensor(inp[0]!);
  if (t0.shape.length !== 4) throw new Unsupported(`Conv on a rank-${t0.shape.length} input: only 2-D convolution (NCHW) is mapped`);
  const x = cv.image(inp[0]!, t0);
  const W = cv.constant(inp[1], 'weight W');
  const w = cv.floats(W, 'W');
  const [cout, cinPerGroup, kh, kw] = W.dims as [number, number, number, number];
  const B = inp[2] ? cv.floats(cv.constant(inp[2], 'bias B'), 'B') : undefined;
  const k = attrInts(a, 'kernel_shape') ?? [kh, kw];
  const s = attrInts(a, 'strides') ?? [1, 1];
  const d = attrInts(a, 'dilations') ?? [1, 1];
  const group = attrInt(a, 'group', 1);
  const cin = x.shape[1];
  if (s.some((v) => v > 1) && d.some((v) => v > 1)) throw new Unsupported(`strides ${JSON.stringify(s)} with dilations ${JSON.stringify(d)}: tfjs convolutions cannot do both`);
  const pm = padMode(a, x.shape.slice(2), k, s, d, 'Conv');
  let src = x;
  if (pm.mode === 'explicit') {
    const id = cv.add('ZeroPadding2D', { padding: pm.pads }, [x.ref], `${cv.current}_pad`);
    const sh = x.shape;
    src = { ...x, ref: { node: id, port: 'out' }, shape: [sh[0]!, sh[1]!, sh[2] == null ? null : sh[2] + pm.pads[0][0] + pm.pads[0][1], sh[3] == null ? null : sh[3] + pm.pads[1][0] + pm.pads[1][1]] };
  }
  const padding = pm.mode === 'same' ? 'same' : 'valid';
  let id: string;
  if (group === 1) {
    id = cv.add('Conv2D', { filters: cout, kernelSize: k, strides: s, padding, dilationRate: d, useBias: !!B }, [src.ref]);
    const kt = transposeData(w, W.dims, [2, 3, 1, 0]);
    cv.weight(id, 'kernel', kt.dims, kt.data);
  } else if (cin != null && group === cin && cinPerGroup === 1 && cout % cin === 0) {
    if (d.some((v) => v > 1)) throw new Unsupported(`depthwise Conv with dilations ${JSON.stringify(d)}: the DepthwiseConv2D block has no dilation`);
    const m = cout / cin;
    id = cv.add('DepthwiseConv2D', { kernelSize: k, strides: s, padding, depthMultiplier: m, useBias: !!B }, [src.ref]);
    // ONNX [C·m, 1, kh, kw] (output channel c·m + j) → tfjs [kh, kw, C, m].
    const kt = transposeData(w, [cin, m, kh, kw], [2, 3, 0, 1]);
    cv.weight(id, 'depthwise_kernel', kt.dims, kt.data);
  } else
    throw new Unsupported(`grouped convolution (group ${group}, ${cin ?? '?'} input channels, ${cout} output channels) has no block: only group 1 (Conv2D) and group = channels (DepthwiseConv2D) are mapped`);
  if (B) cv.weight(id, 'bias', [cout], B);
  const pads = pm.mode === 'same' && src.shape[2] != null && src.shape[3] != null ? [tfSamePads(src.shape[2], k[0]!, s[0]!, d[0]!), tfSamePads(src.shape[3], k[1]!, s[1]!, d[1]!)] : [[0, 0], [0, 0]];
  const shape: Dim[] = [src.shape[0]!, cout, outSize(src.shape[2]!, k[0]!, s[0]!, d[0]!, pads[0]![0]!, pads[0]![1]!), outSize(src.shape[3]!, k[1]!, s[1]!, d[1]!, pads[1]![0]!, pads[1]![1]!)];
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'nchw', shape };
}

function convertPool(cv: Converter, n: PNode, a: Map<string, PAttr>): TensorVal {
  const inp = n.input ?? [];
  const t0 = cv.tensor(inp[0]!);
  if (t0.shape.length !== 4) throw new Unsupported(`${n.op_type} on a rank-${t0.shape.length} input: only 2-D pooling (NCHW) is mapped`);
  // An Indices output nothing reads is fine (our exporter adds one to stop onnxruntime's PadFusion).
  const indices = (n.output ?? [])[1];
  if (indices && (cv.uses.get(indices) ?? 0) > 0) throw new Unsupported('MaxPool with an Indices output has no block');
  const k = attrInts(a, 'kernel_shape')!;
  const s = attrInts(a, 'strides') ?? [1, 1];
  const d = attrInts(a, 'dilations') ?? [1, 1];
  if (d.some((v) => v !== 1)) throw new Unsupported(`pooling dilations ${JSON.stringify(d)} have no block`);
  if (attrInt(a, 'ceil_mode', 0) !== 0) throw new Unsupported('ceil_mode 1 (PyTorch ceil_mode=True) has no block: tfjs pooling rounds the output size down');
  const max = n.op_type === 'MaxPool';
  const pm = padMode(a, t0.shape.slice(2), k, s, d, n.op_type);
  // A 1×1 window with stride 1 and no padding is an identity (torchvision's AdaptiveAvgPool at
  // its native size exports as one).
  if (pm.mode === 'valid' && k.every((v) => v === 1) && s.every((v) => v === 1)) return t0;
  const x = cv.image(inp[0]!, t0);
  let src = x;
  let padding = pm.mode === 'same' ? 'same' : 'valid';
  const countPad = attrInt(a, 'count_include_pad', 0) === 1;
  if (pm.mode === 'same' && !max && countPad) padding = 'explicit';
  if (pm.mode === 'explicit' || padding === 'explicit') {
    const pads =
      pm.mode === 'explicit'
        ? pm.pads
        : ([tfSamePads(x.shape[2] as number, k[0]!, s[0]!, 1), tfSamePads(x.shape[3] as number, k[1]!, s[1]!, 1)] as [[number, number], [number, number]]);
    if (max && !x.nonNeg)
      throw new Unsupported(
        `MaxPool pads ${JSON.stringify(pads)} on an input that may be negative: ONNX pads with -∞, a ZeroPadding2D would change the max (only after a Relu-like op is it exact), and the pads are not tfjs "same"`,
      );
    if (!max && !countPad) throw new Unsupported(`AveragePool pads ${JSON.stringify(pads)} with count_include_pad 0 are not tfjs "same" padding; no block averages over a custom border`);
    const id = cv.add('ZeroPadding2D', { padding: pads }, [x.ref], `${cv.current}_pad`);
    const sh = x.shape;
    src = { ...x, ref: { node: id, port: 'out' }, shape: [sh[0]!, sh[1]!, sh[2] == null ? null : sh[2] + pads[0][0] + pads[0][1], sh[3] == null ? null : sh[3] + pads[1][0] + pads[1][1]] };
    padding = 'valid';
  }
  const id = cv.add(max ? 'MaxPooling2D' : 'AveragePooling2D', { poolSize: k, strides: s, padding }, [src.ref]);
  const pads = padding === 'same' && src.shape[2] != null && src.shape[3] != null ? [tfSamePads(src.shape[2], k[0]!, s[0]!, 1), tfSamePads(src.shape[3], k[1]!, s[1]!, 1)] : [[0, 0], [0, 0]];
  const shape: Dim[] = [src.shape[0]!, src.shape[1]!, outSize(src.shape[2]!, k[0]!, s[0]!, 1, pads[0]![0]!, pads[0]![1]!), outSize(src.shape[3]!, k[1]!, s[1]!, 1, pads[1]![0]!, pads[1]![1]!)];
  return { ...src, ref: { node: id, port: 'out' }, shape };
}

function sameShape(p: Dim[], q: Dim[]): boolean {
  return p.length === q.length && p.every((d, i) => i === 0 || d === q[i]);
}

function convertMerge(cv: Converter, n: PNode): TensorVal {
  const inp = (n.input ?? []).filter((x) => x);
  const op = n.op_type;
  const vals = inp.map((x) => cv.val(x));
  const consts = vals.filter((v) => v.kind === 'const') as ConstVal[];
  if (consts.length) {
    // MatMul + Add(bias) → the Dense block's bias.
    if (op === 'Add' && vals.length === 2 && consts.length === 1) {
      const tIdx = vals[0]!.kind === 'tensor' ? 0 : 1;
      const t = vals[tIdx] as TensorVal;
      const b = cv.floats(consts[0]!, 'bias');
      const node = cv.node(t.ref.node);
      const units = t.shape[t.shape.length - 1];
      if (node?.type === 'Dense' && node.params?.useBias === false && cv.soleUse(t.ref) && b.length === units && t.layout === 'plain') {
        node.params = { ...node.params, useBias: true };
        cv.weight(node.id, 'bias', [units], b);
        return { ...t };
      }
    }
    throw new Unsupported(`${op} with a constant operand (${consts.map((c) => fmt(c.dims)).join(', ')}) has no block: merge blocks combine computed tensors only`);
  }
  const ts = vals as TensorVal[];
  for (const t of ts.slice(1))
    if (!sameShape(ts[0]!.shape, t.shape)) throw new Unsupported(`${op} of shapes ${fmt(ts[0]!.shape)} and ${fmt(t.shape)}: broadcasting has no block (merge blocks need equal shapes)`);
  const layouts = new Set(ts.map((t) => t.layout));
  let vs: TensorVal[];
  if (layouts.size === 1 && ['plain', 'nchw', 'pooled'].includes(ts[0]!.layout)) vs = ts;
  else if (ts[0]!.shape.length === 4) vs = ts.map((t, k) => cv.image(inp[k]!, t));
  else vs = ts.map((t, k) => cv.plain(inp[k]!, t));
  const type = { Add: 'Add', Sum: 'Add', Sub: 'Subtract', Mul: 'Multiply', Max: 'Maximum', Mean: 'Average' }[op]!;
  if (vs.length === 1) return vs[0]!;
  const id = cv.add(type, {}, vs.map((v) => v.ref), cv.current, vs.map((_, k) => `in${k}`));
  const nonNeg = (type === 'Add' || type === 'Average' || type === 'Multiply') && vs.every((v) => v.nonNeg);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: vs[0]!.layout, shape: vs[0]!.shape, nonNeg: nonNeg || (type === 'Maximum' && vs.some((v) => v.nonNeg)) };
}

function convertReshape(cv: Converter, n: PNode): TensorVal {
  const inp = n.input ?? [];
  const t = cv.tensor(inp[0]!);
  const shape = cv.ints(cv.constant(inp[1], 'shape'), 'shape');
  if (t.layout === 'rnnYT2') {
    // [T,N,2,H] → [T,N,2H]: both directions side by side, forward first, as the Bidirectional
    // block's concat merge; our value is its output sequence [N,T,2H].
    const [T, N, , H] = t.shape;
    const merged = H == null ? null : 2 * H;
    const ok = shape.length === 3 && (shape[0] === 0 || shape[0] === T) && (shape[1] === 0 || shape[1] === 'N' || shape[1] === -1) && (shape[2] === -1 || shape[2] === merged);
    if (!ok) throw new Unsupported(`Reshape of a bidirectional output [T,N,2,H] to ${fmt(shape)}: only [T, N, 2·H] (PyTorch's merge of the two directions) is mapped`);
    return { ...t, layout: 'tmajor', shape: [T!, N!, merged] };
  }
  const first = shape[0];
  const batchOk = first === 'N' || first === 0 || (first === -1 && !shape.slice(1).includes(-1)) || (typeof first === 'number' && first === t.shape[0]);
  if (!batchOk) throw new Unsupported(`Reshape to ${fmt(shape)} moves data across the batch axis; only reshapes that keep the batch first are mapped`);
  const rest = shape.slice(1).map((d, i) => (d === 0 ? t.shape[i + 1] ?? null : d));
  if (rest.some((d) => d === null || d === 'N')) throw new Unsupported(`Reshape target ${fmt(shape)} has run-time sizes besides the batch`);
  let target = rest as number[];
  // The output shape with -1 resolved.
  const inner = t.shape.slice(1);
  const known = inner.every((d) => d != null) ? prod(inner as number[]) : null;
  if (target.includes(-1) && known !== null) {
    const other = prod(target.filter((d) => d !== -1));
    target = target.map((d) => (d === -1 ? known / other : d));
  }
  const outShape: Dim[] = [t.shape[0]!, ...target.map((d) => (d === -1 ? null : d))];
  if (t.layout === 'pooled' && target.length === 1) return { ...t, layout: 'plain', shape: outShape };
  const p = cv.plain(inp[0]!, t);
  if (p.shape.length === outShape.length && p.shape.every((d, i) => i === 0 || d === outShape[i])) return { ...p, shape: outShape };
  const id = target.length === 1 ? cv.add('Flatten', {}, [p.ref]) : cv.add('Reshape', { targetShape: rest }, [p.ref]);
  return { ...p, ref: { node: id, port: 'out' }, shape: outShape, seqOf: undefined, layout: 'plain' };
}

function convertTranspose(cv: Converter, n: PNode, a: Map<string, PAttr>): TensorVal {
  const inp = n.input ?? [];
  const t = cv.tensor(inp[0]!);
  const rank = t.shape.length;
  const perm = attrInts(a, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const shape = perm.map((p) => t.shape[p]!);
  // PyTorch's bidirectional output: Y [T,2,N,H] → [T,N,2,H] (then a Reshape to [T,N,2H]).
  if (t.layout === 'rnnY2' && perm.join() === '0,2,1,3') return { ...t, layout: 'rnnYT2', shape };
  const swap01 = rank === 3 && perm.join() === '1,0,2';
  if (swap01 && t.layout === 'plain') return { ...t, layout: 'tmajor', shape };
  if (swap01 && t.layout === 'tmajor') return { ...t, layout: 'plain', shape };
  // NHWC → NCHW of a channels-last tensor: our tensor already is that value's NHWC form.
  if (t.layout === 'plain' && rank === 4 && perm.join() === '0,3,1,2') return { ...t, layout: 'nchw', shape, seqOf: undefined };
  let q: number[];
  if (t.layout === 'plain') q = perm;
  else if (t.layout === 'nchw') q = perm.map((p) => NCHW_TO_OURS[p]!);
  else throw new Unsupported(`Transpose ${JSON.stringify(perm)} of a ${t.layout} value is not mapped`);
  if (q[0] !== 0) throw new Unsupported(`Transpose ${JSON.stringify(perm)} moves the batch axis; Permute keeps the batch first`);
  if (q.every((v, i) => v === i)) return { ...t, layout: 'plain', shape };
  const id = cv.add('Permute', { dims: q.slice(1) }, [t.ref]);
  return { ...t, ref: { node: id, port: 'out' }, layout: 'plain', shape, seqOf: undefined };
}

function convertSqueeze(cv: Converter, n: PNode, a: Map<string, PAttr>): TensorVal {
  const inp = n.input ?? [];
  const t = cv.tensor(inp[0]!);
  const axesIn = inp[1] ? (cv.ints(cv.constant(inp[1], 'axes'), 'axes') as number[]) : attrInts(a, 'axes');
  const squeeze = n.op_type === 'Squeeze';
  const rank = t.shape.length;
  const r = squeeze ? rank : rank + (axesIn?.length ?? 0);
  const axes = (axesIn ?? (squeeze ? t.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : [])).map((x) => (x < 0 ? x + r : x)).sort((p, q) => p - q);
  let shape = t.shape.slice();
  if (squeeze) shape = shape.filter((_, i) => !axes.includes(i));
  else for (const ax of axes) shape.splice(ax, 0, 1);
  if (squeeze && t.layout === 'rnnY' && axes.join() === '1') return { ...t, layout: 'tmajor', shape };
  if (squeeze && t.layout === 'dirN' && axes.join() === '0') return { ...t, layout: 'plain', shape };
  if (t.layout === 'rnnY2' || t.layout === 'rnnYT2' || t.layout === 'dir2')
    throw new Unsupported(`${n.op_type} of a bidirectional recurrent output (layout ${t.layout}) is not mapped: take Y through Transpose [0,2,1,3] + Reshape [T,N,2H], and the final states with h[0] / h[1]`);
  if (squeeze && t.layout === 'pooled' && axes.join() === '2,3') return { ...t, layout: 'plain', shape };
  if (axes.includes(0)) throw new Unsupported(`${n.op_type} on axis 0 (the batch) has no block`);
  const p = cv.plain(inp[0]!, t);
  if (shape.slice(1).some((d) => d == null)) throw new Unsupported(`${n.op_type} of ${fmt(t.shape)} with unknown sizes is not mapped`);
  const id = cv.add('Reshape', { targetShape: shape.slice(1) }, [p.ref]);
  return { ...p, ref: { node: id, port: 'out' }, shape, seqOf: undefined };
}

function convertGather(cv: Converter, n: PNode, a: Map<string, PAttr>): TensorVal {
  const inp = n.input ?? [];
  const data = cv.val(inp[0]!);
  const axis = attrInt(a, 'axis', 0);
  if (data.kind === 'const') {
    // An embedding table looked up by token ids.
    const ids = cv.tensor(inp[1]!, 'indices');
    if (axis !== 0 || data.dims.length !== 2) throw new Unsupported(`Gather from a constant of dims ${fmt(data.dims)} on axis ${axis}: only an embedding table [vocab, dim] on axis 0 is mapped`);
    if (ids.layout !== 'plain') throw new Unsupported('Gather indices must be a batch-major tensor');
    const [V, D] = data.dims as [number, number];
    const id = cv.add('Embedding', { inputDim: V, outputDim: D }, [ids.ref]);
    cv.weight(id, 'embeddings', [V, D], cv.floats(data, 'embedding table'));
    return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape: [...ids.shape, D] };
  }
  const idx = cv.constant(inp[1], 'indices');
  const i = scalarOf(idx, 'Gather index');
  if (idx.dims.length !== 0) throw new Unsupported('Gather with an index list on a computed tensor has no block');
  const rank = data.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  // Picking the one direction of a recurrent output (as Squeeze does).
  if (i === 0 && data.layout === 'rnnY' && ax === 1) return { ...data, layout: 'tmajor', shape: [data.shape[0]!, data.shape[2]!, data.shape[3]!] };
  if (i === 0 && data.layout === 'dirN' && ax === 0) return { ...data, layout: 'plain', shape: data.shape.slice(1) };
  // A bidirectional op's final states [2,N,H]: index 0 (or −2) is the forward direction's, 1 (−1) the backward's.
  if (data.layout === 'dir2' && ax === 0 && i >= -2 && i <= 1) {
    const back = i === 1 || i === -1;
    const port = data.ref.port === 'c' ? (back ? 'cBack' : 'c') : back ? 'lastBack' : 'last';
    return { ...data, ref: { node: data.ref.node, port }, layout: 'plain', shape: data.shape.slice(1) };
  }
  if (data.layout === 'plain' && data.seqOf && ax === 1 && rank === 3) {
    const T = data.shape[1];
    if (i === -1 || (T != null && i === T - 1)) return { kind: 'tensor', ref: { node: data.seqOf, port: 'last' }, layout: 'plain', shape: [data.shape[0]!, data.shape[2]!] };
  }
  throw new Unsupported(`Gather of index ${i} on axis ${ax} of ${fmt(data.shape)}: only the last step of a recurrent output sequence (y[:, -1]) and embedding lookups are mapped`);
}

function denseInput(cv: Converter, name: string, what: string): TensorVal {
  const t = cv.tensor(name);
  if (t.layout === 'pooled') return { ...t, layout: 'plain', shape: [t.shape[0]!, t.shape[1]!] };
  if (t.layout !== 'plain') throw new Unsupported(`${what} of a ${t.layout} value: only batch-major features are mapped to Dense`);
  return t;
}

function convertGemm(cv: Converter, n: PNode, a: Map<string, PAttr>): TensorVal {
  const inp = n.input ?? [];
  if (attrInt(a, 'transA', 0) !== 0) throw new Unsupported('Gemm with transA 1 (a transposed input) has no block');
  const x = denseInput(cv, inp[0]!, 'Gemm');
  if (x.shape.length !== 2) throw new Unsupported(`Gemm on ${fmt(x.shape)}: a 2-D input is expected`);
  const Bc = cv.constant(inp[1], 'weight B');
  const Bf = cv.floats(Bc, 'B');
  const transB = attrInt(a, 'transB', 0) === 1;
  const alpha = attrFloat(a, 'alpha', 1);
  const beta = attrFloat(a, 'beta', 1);
  const [r, c] = Bc.dims as [number, number];
  const kernel = transB ? transposeData(Bf, [r, c], [1, 0]) : { data: Bf, dims: [r, c] };
  const units = kernel.dims[1]!;
  const kd = alpha === 1 ? kernel.data : kernel.data.map((v) => v * alpha);
  let bias: Float32Array | undefined;
  if (inp[2]) {
    const C = cv.constant(inp[2], 'bias C');
    const cf = cv.floats(C, 'C');
    if (cf.length !== units && cf.length !== 1) throw new Unsupported(`Gemm bias of dims ${fmt(C.dims)} does not broadcast per output unit (${units})`);
    if (C.dims.length === 2 && C.dims[0] !== 1) throw new Unsupported(`Gemm bias of dims ${fmt(C.dims)} varies over the batch`);
    bias = Float32Array.from({ length: units }, (_, i) => beta * cf[cf.length === 1 ? 0 : i]!);
  }
  const id = cv.add('Dense', { units, useBias: !!bias }, [x.ref]);
  cv.weight(id, 'kernel', kernel.dims, kd);
  if (bias) cv.weight(id, 'bias', [units], bias);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape: [x.shape[0]!, units] };
}

function convertMatMul(cv: Converter, n: PNode): TensorVal {
  const inp = n.input ?? [];
  const x = denseInput(cv, inp[0]!, 'MatMul');
  const B = cv.val(inp[1]!);
  if (B.kind !== 'const') throw new Unsupported('MatMul of two computed tensors has no block (only x · constant weight → Dense)');
  if (B.dims.length !== 2) throw new Unsupported(`MatMul with weight dims ${fmt(B.dims)}: a 2-D weight is expected`);
  const [, units] = B.dims as [number, number];
  const id = cv.add('Dense', { units, useBias: false }, [x.ref]);
  cv.weight(id, 'kernel', B.dims.slice(), cv.floats(B, 'B'));
  const shape = x.shape.slice();
  shape[shape.length - 1] = units;
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape };
}

function convertRnn(cv: Converter, n: PNode, a: Map<string, PAttr>): Val[] {
  const inp = n.input ?? [];
  const lstm = n.op_type === 'LSTM';
  const G = lstm ? 4 : 3;
  const dir = attrString(a, 'direction') ?? 'forward';
  if (dir === 'reverse') throw new Unsupported('direction "reverse" is not mapped (forward, or bidirectional as the Bidirectional block)');
  const bi = dir === 'bidirectional';
  const D = bi ? 2 : 1;
  if (a.has('clip')) throw new Unsupported('cell clipping (clip) has no block');
  if (attrInt(a, 'layout', 0) !== 0) throw new Unsupported('layout 1 (batch-major X) is not mapped');
  if (lstm && attrInt(a, 'input_forget', 0) !== 0) throw new Unsupported('input_forget 1 (coupled gates) has no block');
  // linear_before_reset 1 (PyTorch's nn.GRU, Keras reset_after) is the GRU block's resetAfter.
  const resetAfter = !lstm && attrInt(a, 'linear_before_reset', 0) !== 0;
  const acts = (a.get('activations')?.strings ?? []).map((s) => new TextDecoder().decode(s));
  const dflt1 = lstm ? ['Sigmoid', 'Tanh', 'Tanh'] : ['Sigmoid', 'Tanh'];
  const dflt = bi ? [...dflt1, ...dflt1] : dflt1;
  if (acts.length && acts.join() !== dflt.join()) throw new Unsupported(`activations ${acts.join(', ')} are not mapped (only the defaults ${dflt.join(', ')})`);
  if (inp[4]) throw new Unsupported('sequence_lens (per-example lengths) has no block');
  if (lstm && inp[7]) throw new Unsupported('peephole weights (P) have no block');
  for (const k of lstm ? [5, 6] : [5]) {
    if (!inp[k]) continue;
    const v = cv.val(inp[k]!);
    if (v.kind !== 'const' || (v.fill !== undefined ? v.fill !== 0 : Array.from(v.data as ArrayLike<Sym>).some((q) => q !== 0)))
      throw new Unsupported(`a non-zero initial ${k === 5 ? 'h' : 'c'} state is not mapped (feed it as a graph input to a block with h0/c0 instead)`);
  }
  const x = cv.tensor(inp[0]!, 'X');
  if (x.layout !== 'tmajor') throw new Unsupported('X must be a batch-first sequence transposed to time-major (PyTorch batch_first=True); a time-major graph input is not mapped');
  const H = attrInt(a, 'hidden_size', 0);
  const W = cv.constant(inp[1], 'W');
  const R = cv.constant(inp[2], 'R');
  const Wf = cv.floats(W, 'W');
  const Rf = cv.floats(R, 'R');
  const F = W.dims[2]!;
  const Bf = inp[3] ? cv.floats(cv.constant(inp[3], 'B'), 'B') : undefined;
  if (W.dims[0] !== D || Wf.length !== D * G * H * F || Rf.length !== D * G * H * H || (Bf && Bf.length !== D * 2 * G * H))
    throw new Unsupported(`weights W ${fmt(W.dims)}, R ${fmt(R.dims)}${Bf ? `, B of ${Bf.length} values` : ''} do not fit ${D} direction(s) of ${G} gates × hidden_size ${H}`);
  // ONNX gate order: LSTM i, o, f, c; GRU z, r, h. tfjs: LSTM i, f, c, o; GRU z, r, h.
  const order = lstm ? [0, 2, 3, 1] : [0, 1, 2];
  /** One direction's weights in tfjs' layout (kernel [F, G·H], recurrent [H, G·H], bias). */
  const direction = (d: number) => {
    const w = Wf.subarray(d * G * H * F, (d + 1) * G * H * F);
    const r = Rf.subarray(d * G * H * H, (d + 1) * G * H * H);
    const b = Bf?.subarray(d * 2 * G * H, (d + 1) * 2 * G * H);
    const kernel = new Float32Array(F * G * H);
    const rec = new Float32Array(H * G * H);
    // resetAfter keeps the input bias (row 0) and the recurrent bias (row 1) apart; otherwise
    // they are summed, which is exact: ONNX adds Rb outside the reset gate when
    // linear_before_reset is 0.
    const bias = new Float32Array((resetAfter ? 2 : 1) * G * H);
    for (let g = 0; g < G; g++) {
      const og = order[g]!;
      for (let h = 0; h < H; h++) {
        const row = og * H + h;
        const col = g * H + h;
        for (let f = 0; f < F; f++) kernel[f * G * H + col] = w[row * F + f]!;
        for (let f = 0; f < H; f++) rec[f * G * H + col] = r[row * H + f]!;
        if (b && resetAfter) {
          bias[col] = b[row]!;
          bias[G * H + col] = b[G * H + row]!;
        } else if (b) bias[col] = b[row]! + b[G * H + row]!;
      }
    }
    return { kernel, rec, bias };
  };
  const kind = lstm ? 'LSTM' : 'GRU';
  const params: Record<string, unknown> = { units: H, ...(Bf ? {} : { useBias: false }), ...(resetAfter ? { resetAfter: true } : {}) };
  const id = bi ? cv.add('Bidirectional', { layer: kind, ...params, mergeMode: 'concat' }, [x.ref]) : cv.add(kind, params, [x.ref]);
  cv.rnn.set(id, { seq: false, last: false, c: false, lastBack: false, cBack: false, bi });
  const biasShape = resetAfter ? [2, G * H] : [G * H];
  for (let d = 0; d < D; d++) {
    const w = direction(d);
    // tfjs names a Bidirectional's weights after its forward_/backward_ copies of "<id>_rnn".
    const prefix = bi ? `${d === 0 ? 'forward' : 'backward'}_${id}_rnn/` : '';
    cv.weight(id, `${prefix}kernel`, [F, G * H], w.kernel);
    cv.weight(id, `${prefix}recurrent_kernel`, [H, G * H], w.rec);
    if (Bf) cv.weight(id, `${prefix}bias`, biasShape, w.bias);
  }
  const [T, N] = [x.shape[0]!, x.shape[1]!];
  const outs: Val[] = [
    bi ? { kind: 'tensor', ref: { node: id, port: 'seq' }, layout: 'rnnY2', shape: [T, 2, N, H] } : { kind: 'tensor', ref: { node: id, port: 'seq' }, layout: 'rnnY', shape: [T, 1, N, H], seqOf: id },
    { kind: 'tensor', ref: { node: id, port: 'last' }, layout: bi ? 'dir2' : 'dirN', shape: [D, N, H] },
  ];
  if (lstm) outs.push({ kind: 'tensor', ref: { node: id, port: 'c' }, layout: bi ? 'dir2' : 'dirN', shape: [D, N, H] });
  return outs;
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

function opsetOf(m: PModel): number {
  const o = (m.opset_import ?? []).find((x) => !x.domain || x.domain === 'ai.onnx');
  return Number(o?.version ?? 1);
}

/** Decodes ONNX bytes; a file that is not a ModelProto gives a one-line ImportError. */
export function readOnnx(bytes: Uint8Array, reader: OnnxReader, source = 'file'): PModel {
  let m: PModel;
  try {
    m = decodeModel(reader, bytes) as PModel;
  } catch (e) {
    throw malformed(`${source} is not a readable ONNX model: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!m.graph || !(m.graph.node ?? []).length) throw malformed(`${source} is not an ONNX model: it has no graph nodes`);
  return m;
}

export interface OnnxImportOptions {
  /** Name used in messages (the file name). */
  source?: string;
  /** Convert op by op even when the file carries our graph (tests of the converter). */
  ignoreMetadata?: boolean;
}

/**
 * ONNX bytes → graph + weights. Our own exports reopen exactly; other models convert op by op.
 * Throws ImportError listing every op with no block (nothing is half-imported), or a one-line
 * malformed ImportError for a file that is not an ONNX model.
 */
export function importOnnx(bytes: Uint8Array, reader: OnnxReader, opts: OnnxImportOptions = {}): ImportResult {
  const source = opts.source ?? 'file';
  const m = readOnnx(bytes, reader, source);
  const meta = (m.metadata_props ?? []).find((p) => p.key === GRAPH_METADATA_KEY);
  if (meta?.value && !opts.ignoreMetadata) {
    const own = reopenOwnOnnx(m, meta.value, source);
    if (own) return own;
  }
  const r = convertForeign(m, source);
  if (meta?.value && !opts.ignoreMetadata) r.report.notes.unshift('the stored graph did not match the file\'s weights (another exporter version?), so the model was converted op by op');
  return r;
}

/**
 * Op-by-op conversion. Models written by Neural Blocks are channels-last at their interface
 * already, so their 4-D inputs are taken as they are instead of as NCHW.
 */
export function convertForeign(m: PModel, source: string): ImportResult {
  const channelsLastInputs = m.producer_name === 'neural-blocks';
  const g = m.graph!;
  const cv = new Converter(opsetOf(m));
  const initNames = new Set<string>();
  for (const t of g.initializer ?? []) {
    initNames.add(t.name!);
    try {
      const v = tensorValues(t, source);
      cv.values.set(t.name!, { kind: 'const', dims: v.dims, float: v.float, data: v.data });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      // Unreadable constants only matter if an imported op reads them (then it says so).
    }
  }
  // Only the nodes the outputs depend on are converted (dead branches would become outputs).
  const producer = new Map<string, PNode>();
  for (const n of g.node ?? []) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const needed = new Set<PNode>();
  const stack = (g.output ?? []).map((o) => o.name);
  const seen = new Set<string>();
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    const p = producer.get(v);
    if (!p || needed.has(p)) continue;
    needed.add(p);
    for (const i of p.input ?? []) if (i) stack.push(i);
  }
  for (const n of g.node ?? []) if (needed.has(n)) for (const i of n.input ?? []) if (i) cv.uses.set(i, (cv.uses.get(i) ?? 0) + 1);
  for (const o of g.output ?? []) cv.uses.set(o.name, (cv.uses.get(o.name) ?? 0) + 2);

  // Graph inputs.
  for (const vi of g.input ?? []) {
    if (initNames.has(vi.name)) continue;
    const tt = vi.type?.tensor_type;
    const dims: Dim[] = (tt?.shape?.dim ?? []).map((d) => (d.dim_value ? Number(d.dim_value) : null));
    const et = tt?.elem_type ?? DT_FLOAT;
    const id = cv.newId(vi.name);
    let dtype: string;
    if (et === DT_FLOAT) dtype = 'float32';
    else if (et === DT_INT64 || et === DT_INT32) dtype = 'int32';
    else {
      cv.unsupported.push({ op: 'Input', node: vi.name, reason: `input element type ${DT_NAMES[et] ?? et} is not mapped (float32, or int64/int32 token ids)` });
      continue;
    }
    if (!dims.length) {
      cv.unsupported.push({ op: 'Input', node: vi.name, reason: 'the input has no shape; re-export with a fixed input shape' });
      continue;
    }
    dims[0] = null;
    const nchw = dims.length === 4 && dtype === 'float32' && !channelsLastInputs;
    const ours = nchw ? [dims[2]!, dims[3]!, dims[1]!] : dims.slice(1);
    cv.nodes.push({ id, type: 'Input', params: dtype === 'int32' ? { shape: ours, dtype } : { shape: ours } });
    cv.byId.set(id, cv.nodes[cv.nodes.length - 1]!);
    cv.values.set(vi.name, { kind: 'tensor', ref: { node: id, port: 'out' }, layout: nchw ? 'nchw' : 'plain', shape: dims });
    if (nchw) cv.notes.push(`input "${vi.name}" is an NCHW image ${fmt(dims)} in the ONNX file; the imported graph takes it channels-last (NHWC): [batch, ${dims[2] ?? 'H'}, ${dims[3] ?? 'W'}, ${dims[1] ?? 'C'}]`);
  }

  const poisoned = new Set<string>();
  for (const n of g.node ?? []) {
    if (!needed.has(n)) continue;
    const name = n.name || `${n.op_type}_${(n.output ?? [])[0] ?? ''}`;
    const outs = n.output ?? [];
    if ((n.input ?? []).some((i) => i && poisoned.has(i))) {
      outs.forEach((o) => poisoned.add(o));
      continue;
    }
    cv.current = name;
    const a = attrs(n);
    try {
      if (n.domain && n.domain !== 'ai.onnx') throw new Unsupported(`custom-domain op ${n.domain}.${n.op_type} has no block`);
      const folded = foldConst(cv, n, a);
      const res = folded ?? convertOp(cv, n, a);
      outs.forEach((o, k) => {
        if (o && res[k]) cv.values.set(o, res[k]!);
      });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      cv.unsupported.push({ op: n.op_type, node: name, reason: e.message });
      outs.forEach((o) => poisoned.add(o));
    }
  }
  for (const o of g.output ?? []) {
    const v = cv.values.get(o.name);
    if (poisoned.has(o.name)) continue;
    if (!v) cv.unsupported.push({ op: 'Output', node: o.name, reason: 'the output is not produced by any node' });
    else if (v.kind === 'const') cv.unsupported.push({ op: 'Output', node: o.name, reason: 'the output is a constant; a graph output must be computed from an input' });
    else {
      const use = cv.rnn.get(v.ref.node);
      if (use) use[v.ref.port as RnnPort] = true;
      if (v.layout === 'nchw') cv.notes.push(`output "${o.name}" is NCHW ${fmt(v.shape)} in the ONNX file and channels-last (NHWC) in the imported graph`);
      else if (v.layout === 'pooled') cv.notes.push(`output "${o.name}" is [N, C, 1, 1] in the ONNX file and [N, C] in the imported graph`);
      else if (v.layout !== 'plain') cv.unsupported.push({ op: 'Output', node: o.name, reason: `the output is a time-major recurrent value (layout ${v.layout}); only batch-major outputs are mapped` });
    }
  }
  if (cv.unsupported.length) throw unsupportedError(`${source} cannot be imported`, cv.unsupported);

  // Recurrent nodes: their params and ports follow what is used.
  for (const [id, use] of cv.rnn) {
    const node = cv.node(id);
    // A Bidirectional's "out" without returnSequences merges both final states, so its separate
    // states always come from the h / hBack (c / cBack) ports.
    const returnState = use.bi ? use.last || use.lastBack || use.c || use.cBack : use.c || (use.seq && use.last);
    node.params = { ...node.params, returnSequences: use.seq, ...(returnState ? { returnState: true } : {}) };
    for (const e of cv.edges) {
      if (e.source !== id) continue;
      const port = e.sourceHandle ?? 'out';
      const names: Record<string, string> = use.bi ? { seq: 'out', last: 'h', lastBack: 'hBack' } : { seq: 'out', last: use.seq ? 'h' : 'out' };
      const mapped = names[port] ?? port;
      if (mapped === 'out') delete e.sourceHandle;
      else e.sourceHandle = mapped;
    }
  }
  const doc: GraphDoc = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    name: g.name || 'imported',
    description: `Imported from ONNX (${m.producer_name || 'unknown producer'}, opset ${cv.opset}).`,
    nodes: cv.nodes,
    edges: cv.edges,
  };
  return { doc, weights: cv.weights, report: { source: 'foreign', format: 'onnx', unsupported: [], notes: cv.notes } };
}
