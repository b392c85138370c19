// The decoded ONNX protobuf (protobufjs toObject with keepCase: snake_case fields, longs as
// numbers), reading its tensors and attributes. Every tensor's size is checked before anything of
// that size is allocated. No DOM, no Node-only APIs.
import { MAX_TENSOR_ELEMENTS, elementCount, fmtCount } from '../../core/limits';
import { ImportError, malformed } from '../types';

export interface PTensor {
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
export interface PAttr {
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
export interface PNode {
  name?: string;
  op_type: string;
  /** What the node is, in words (ours: a Sampling block's Identity, patterns/sampling.ts). */
  doc_string?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: PAttr[];
}
export interface PDim {
  dim_value?: number;
  dim_param?: string;
}
export interface PValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: PDim[] } } };
}
export interface PGraph {
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

export const DT_FLOAT = 1;
export const DT_INT32 = 6;
export const DT_INT64 = 7;
export const DT_BOOL = 9;
export const DT_DOUBLE = 11;
export const DT_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 8: 'string' };

const RAW_BYTES: Record<number, number> = { [DT_FLOAT]: 4, [DT_DOUBLE]: 8, [DT_INT64]: 8, [DT_INT32]: 4, [DT_BOOL]: 1 };

/** One node has no block; the message says why (it becomes a line of the report). */
export class Unsupported extends Error {}

/** Elements of a tensor with these dims, checked before anything of that size is allocated. */
export function checkedCount(dims: number[], what: string): number {
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

// --- attributes ---------------------------------------------------------------------------------

export type Attrs = Map<string, PAttr>;

export function attrs(n: PNode): Attrs {
  return new Map((n.attribute ?? []).map((a) => [a.name, a]));
}
export function attrInt(a: Attrs, name: string, dflt: number): number {
  const v = a.get(name);
  return v?.i !== undefined ? Number(v.i) : dflt;
}
export function attrFloat(a: Attrs, name: string, dflt: number): number {
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
export function attrInts(a: Attrs, name: string): number[] | undefined {
  const v = a.get(name);
  return v?.ints ? v.ints.map(Number) : undefined;
}
export function attrString(a: Attrs, name: string): string | undefined {
  const v = a.get(name);
  return v?.s ? new TextDecoder().decode(v.s) : undefined;
}
