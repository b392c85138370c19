// A small protobuf *writer* for ONNX's ModelProto (only the write path: reading goes through
// protobufjs and the official onnx.proto). Field numbers follow onnx/onnx.proto (proto2).
//
// Large models must export fast and without piling up copies, so encoding is two passes: every
// message's size is computed first (cached per message), then everything is written into one
// preallocated Uint8Array. Float weights go in as raw_data, copied once, little-endian.
import type { OnnxAttr, OnnxDType, OnnxTensorValue } from '../core/spec';

export interface TensorData extends OnnxTensorValue {
  name: string;
}
export interface NodeData {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, AttrValue>;
  domain?: string;
}
/** A dim: a size, or a symbolic name (dim_param) such as "N" for the batch. */
export type DimData = number | string;
export interface ValueInfoData {
  name: string;
  dtype: OnnxDType;
  /** undefined: shape unknown (no shape field at all). */
  shape?: DimData[];
}
export interface GraphData {
  name: string;
  nodes: NodeData[];
  initializers: TensorData[];
  inputs: ValueInfoData[];
  outputs: ValueInfoData[];
  valueInfo?: ValueInfoData[];
  docString?: string;
}
export interface ModelData {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  modelVersion?: number;
  docString?: string;
  graph: GraphData;
  metadata: { key: string; value: string }[];
}

/** onnx.TensorProto.DataType */
export const ONNX_DTYPE: Record<OnnxDType, number> = { float32: 1, int32: 6, int64: 7, bool: 9 };
const BYTES: Record<OnnxDType, number> = { float32: 4, int32: 4, int64: 8, bool: 1 };

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

// AttributeProto.AttributeType
const AT_FLOAT = 1;
const AT_INT = 2;
const AT_STRING = 3;
const AT_TENSOR = 4;
const AT_FLOATS = 6;
const AT_INTS = 7;
const AT_STRINGS = 8;

/**
 * An attribute as the writer takes it: the tagged values of spec.ts' OnnxAttr plus
 * `{ strings }` (RNN/LSTM/GRU `activations`).
 */
export type AttrValue = OnnxAttr | { strings: string[] };

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
void I64;

// ---------------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------------

/** Bytes of a varint for a non-negative integer ≤ 2^53, or a negative int64 (10 bytes). */
function varintSize(n: number): number {
  if (n < 0) return 10;
  let s = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

function utf8Size(str: string): number {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3; // lone surrogate → U+FFFD
    } else n += 3;
  }
  return n;
}

const tagSize = (field: number) => varintSize(field << 3);
/** A length-delimited field holding `len` bytes. */
const lenField = (field: number, len: number) => tagSize(field) + varintSize(len) + len;
const strField = (field: number, s: string) => lenField(field, utf8Size(s));
const intField = (field: number, n: number) => tagSize(field) + varintSize(n);

function packedIntsSize(xs: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < xs.length; i++) n += varintSize(xs[i]!);
  return n;
}

function tensorByteLength(t: OnnxTensorValue): number {
  return elementCount(t) * BYTES[t.dtype];
}
function elementCount(t: OnnxTensorValue): number {
  return t.dims.reduce((a, b) => a * b, 1);
}

// Sizes are computed once per message object and reused by the write pass.
type Sized = object;
class SizeCache {
  private readonly m = new WeakMap<Sized, number>();
  get<T extends Sized>(o: T, f: (o: T) => number): number {
    let s = this.m.get(o);
    if (s === undefined) {
      s = f(o);
      this.m.set(o, s);
    }
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Writer over one preallocated buffer
// ---------------------------------------------------------------------------------------------

class Writer {
  pos = 0;
  private readonly view: DataView;
  private readonly enc = new TextEncoder();
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  varint(n: number): void {
    if (n < 0) {
      // int64 two's complement, 10 bytes.
      let v = BigInt.asUintN(64, BigInt(n));
      for (let i = 0; i < 9; i++) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v & 0x7fn);
      return;
    }
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  int(field: number, n: number): void {
    this.tag(field, VARINT);
    this.varint(n);
  }
  header(field: number, len: number): void {
    this.tag(field, LEN);
    this.varint(len);
  }
  string(field: number, s: string): void {
    this.header(field, utf8Size(s));
    const r = this.enc.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += r.written;
  }
  float(field: number, f: number): void {
    this.tag(field, I32);
    this.view.setFloat32(this.pos, f, true);
    this.pos += 4;
  }
  packedFloats(field: number, xs: ArrayLike<number>): void {
    this.header(field, xs.length * 4);
    for (let i = 0; i < xs.length; i++) {
      this.view.setFloat32(this.pos, xs[i]!, true);
      this.pos += 4;
    }
  }
  packedInts(field: number, xs: ArrayLike<number>): void {
    this.header(field, packedIntsSize(xs));
    for (let i = 0; i < xs.length; i++) this.varint(xs[i]!);
  }
  /** Raw tensor bytes, little-endian. */
  raw(t: OnnxTensorValue): void {
    const n = elementCount(t);
    const d = t.data;
    if (d.length !== n) throw new Error(`tensor data has ${d.length} elements but dims ${JSON.stringify(t.dims)} need ${n}`);
    const out = this.buf;
    if (LITTLE_ENDIAN && ArrayBuffer.isView(d) && matchesDtype(d, t.dtype)) {
      // One memcpy: the typed array's bytes are already the wire bytes.
      out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), this.pos);
      this.pos += d.byteLength;
      return;
    }
    const v = this.view;
    for (let i = 0; i < n; i++) {
      const x = d[i]!;
      switch (t.dtype) {
        case 'float32':
          v.setFloat32(this.pos, Number(x), true);
          this.pos += 4;
          break;
        case 'int32':
          v.setInt32(this.pos, Number(x), true);
          this.pos += 4;
          break;
        case 'int64':
          v.setBigInt64(this.pos, typeof x === 'bigint' ? x : BigInt(Math.trunc(Number(x))), true);
          this.pos += 8;
          break;
        case 'bool':
          out[this.pos++] = x ? 1 : 0;
          break;
      }
    }
  }
}

function matchesDtype(d: ArrayBufferView, dtype: OnnxDType): boolean {
  switch (dtype) {
    case 'float32':
      return d instanceof Float32Array;
    case 'int32':
      return d instanceof Int32Array;
    case 'int64':
      return d instanceof BigInt64Array;
    case 'bool':
      return d instanceof Uint8Array;
  }
}

// ---------------------------------------------------------------------------------------------
// Messages: size + write, side by side so they stay in sync
// ---------------------------------------------------------------------------------------------

// TensorProto: dims=1, data_type=2, name=8, raw_data=9.
function tensorSize(t: OnnxTensorValue & { name?: string }): number {
  let s = 0;
  if (t.dims.length) s += lenField(1, packedIntsSize(t.dims));
  s += intField(2, ONNX_DTYPE[t.dtype]);
  if (t.name) s += strField(8, t.name);
  s += lenField(9, tensorByteLength(t));
  return s;
}
function writeTensor(w: Writer, t: OnnxTensorValue & { name?: string }): void {
  if (t.dims.length) w.packedInts(1, t.dims);
  w.int(2, ONNX_DTYPE[t.dtype]);
  if (t.name) w.string(8, t.name);
  w.header(9, tensorByteLength(t));
  w.raw(t);
}

// AttributeProto: name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, type=20.
function attrSize(name: string, a: AttrValue, c: SizeCache): number {
  let s = strField(1, name);
  if ('f' in a) s += tagSize(2) + 4 + intField(20, AT_FLOAT);
  else if ('i' in a) s += intField(3, a.i) + intField(20, AT_INT);
  else if ('s' in a) s += strField(4, a.s) + intField(20, AT_STRING);
  else if ('t' in a) s += lenField(5, c.get(a.t, tensorSize)) + intField(20, AT_TENSOR);
  else if ('floats' in a) s += (a.floats.length ? lenField(7, a.floats.length * 4) : 0) + intField(20, AT_FLOATS);
  else if ('ints' in a) s += (a.ints.length ? lenField(8, packedIntsSize(a.ints)) : 0) + intField(20, AT_INTS);
  else if ('strings' in a) s += a.strings.reduce((n, x) => n + strField(9, x), 0) + intField(20, AT_STRINGS);
  else throw new Error(`ONNX attribute "${name}": ${JSON.stringify(a)} is not one of {f}, {i}, {s}, {t}, {floats}, {ints}, {strings}`);
  return s;
}
function writeAttr(w: Writer, name: string, a: AttrValue, c: SizeCache): void {
  w.string(1, name);
  if ('f' in a) {
    w.float(2, a.f);
    w.int(20, AT_FLOAT);
  } else if ('i' in a) {
    checkInt(a.i, name);
    w.int(3, a.i);
    w.int(20, AT_INT);
  } else if ('s' in a) {
    w.string(4, a.s);
    w.int(20, AT_STRING);
  } else if ('t' in a) {
    w.header(5, c.get(a.t, tensorSize));
    writeTensor(w, a.t);
    w.int(20, AT_TENSOR);
  } else if ('floats' in a) {
    if (a.floats.length) w.packedFloats(7, a.floats);
    w.int(20, AT_FLOATS);
  } else if ('ints' in a) {
    a.ints.forEach((v) => checkInt(v, name));
    if (a.ints.length) w.packedInts(8, a.ints);
    w.int(20, AT_INTS);
  } else if ('strings' in a) {
    for (const x of a.strings) w.string(9, x);
    w.int(20, AT_STRINGS);
  }
}

function checkInt(n: number, what: string): void {
  if (!Number.isSafeInteger(n)) throw new Error(`ONNX attribute "${what}": ${n} is not an integer`);
}

// NodeProto: input=1, output=2, name=3, op_type=4, attribute=5, domain=7.
function nodeSize(n: NodeData, c: SizeCache): number {
  let s = 0;
  for (const i of n.inputs) s += strField(1, i);
  for (const o of n.outputs) s += strField(2, o);
  if (n.name) s += strField(3, n.name);
  s += strField(4, n.opType);
  for (const [k, a] of Object.entries(n.attrs)) s += lenField(5, attrSize(k, a, c));
  if (n.domain) s += strField(7, n.domain);
  return s;
}
function writeNode(w: Writer, n: NodeData, c: SizeCache): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, a] of Object.entries(n.attrs)) {
    w.header(5, attrSize(k, a, c));
    writeAttr(w, k, a, c);
  }
  if (n.domain) w.string(7, n.domain);
}

// ValueInfoProto: name=1, type=2 (TypeProto: tensor_type=1 (elem_type=1, shape=2
// (TensorShapeProto: dim=1 (Dimension: dim_value=1, dim_param=2)))).
function dimSize(d: DimData): number {
  return typeof d === 'number' ? intField(1, d) : strField(2, d);
}
function shapeSize(shape: DimData[]): number {
  let s = 0;
  for (const d of shape) s += lenField(1, dimSize(d));
  return s;
}
function tensorTypeSize(v: ValueInfoData): number {
  return intField(1, ONNX_DTYPE[v.dtype]) + (v.shape ? lenField(2, shapeSize(v.shape)) : 0);
}
function valueInfoSize(v: ValueInfoData): number {
  return strField(1, v.name) + lenField(2, lenField(1, tensorTypeSize(v)));
}
function writeValueInfo(w: Writer, v: ValueInfoData): void {
  w.string(1, v.name);
  const tt = tensorTypeSize(v);
  w.header(2, lenField(1, tt));
  w.header(1, tt);
  w.int(1, ONNX_DTYPE[v.dtype]);
  if (v.shape) {
    w.header(2, shapeSize(v.shape));
    for (const d of v.shape) {
      w.header(1, dimSize(d));
      if (typeof d === 'number') w.int(1, d);
      else w.string(2, d);
    }
  }
}

// GraphProto: node=1, name=2, initializer=5, doc_string=10, input=11, output=12, value_info=13.
function graphSize(g: GraphData, c: SizeCache): number {
  let s = 0;
  for (const n of g.nodes) s += lenField(1, c.get(n, (x) => nodeSize(x, c)));
  s += strField(2, g.name);
  for (const t of g.initializers) s += lenField(5, c.get(t, tensorSize));
  if (g.docString) s += strField(10, g.docString);
  for (const v of g.inputs) s += lenField(11, valueInfoSize(v));
  for (const v of g.outputs) s += lenField(12, valueInfoSize(v));
  for (const v of g.valueInfo ?? []) s += lenField(13, valueInfoSize(v));
  return s;
}
function writeGraph(w: Writer, g: GraphData, c: SizeCache): void {
  for (const n of g.nodes) {
    w.header(1, c.get(n, (x) => nodeSize(x, c)));
    writeNode(w, n, c);
  }
  w.string(2, g.name);
  for (const t of g.initializers) {
    w.header(5, c.get(t, tensorSize));
    writeTensor(w, t);
  }
  if (g.docString) w.string(10, g.docString);
  for (const [field, list] of [
    [11, g.inputs],
    [12, g.outputs],
    [13, g.valueInfo ?? []],
  ] as const) {
    for (const v of list) {
      w.header(field, valueInfoSize(v));
      writeValueInfo(w, v);
    }
  }
}

// ModelProto: ir_version=1, producer_name=2, producer_version=3, model_version=5, doc_string=6,
// graph=7, opset_import=8 (OperatorSetIdProto: domain=1, version=2), metadata_props=14
// (StringStringEntryProto: key=1, value=2).
function opsetSize(o: { domain: string; version: number }): number {
  return (o.domain ? strField(1, o.domain) : 0) + intField(2, o.version);
}
function entrySize(e: { key: string; value: string }): number {
  return strField(1, e.key) + strField(2, e.value);
}
function modelSize(m: ModelData, c: SizeCache): number {
  let s = intField(1, m.irVersion);
  s += strField(2, m.producerName) + strField(3, m.producerVersion);
  if (m.modelVersion !== undefined) s += intField(5, m.modelVersion);
  if (m.docString) s += strField(6, m.docString);
  s += lenField(7, c.get(m.graph, (g) => graphSize(g, c)));
  for (const o of m.opsetImports) s += lenField(8, opsetSize(o));
  for (const e of m.metadata) s += lenField(14, entrySize(e));
  return s;
}

/** Encodes a ModelProto into one exactly-sized Uint8Array. */
export function encodeModel(m: ModelData): Uint8Array {
  const c = new SizeCache();
  const total = modelSize(m, c);
  const w = new Writer(new Uint8Array(total));
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.modelVersion !== undefined) w.int(5, m.modelVersion);
  if (m.docString) w.string(6, m.docString);
  w.header(7, c.get(m.graph, (g) => graphSize(g, c)));
  writeGraph(w, m.graph, c);
  for (const o of m.opsetImports) {
    w.header(8, opsetSize(o));
    if (o.domain) w.string(1, o.domain);
    w.int(2, o.version);
  }
  for (const e of m.metadata) {
    w.header(14, entrySize(e));
    w.string(1, e.key);
    w.string(2, e.value);
  }
  if (w.pos !== total) throw new Error(`ONNX encoder size mismatch: computed ${total} bytes, wrote ${w.pos} (a bug in src/onnx/proto.ts)`);
  return w.buf;
}
