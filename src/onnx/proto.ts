// A small protobuf *writer* for ONNX's ModelProto (only the write path: reading goes through
// protobufjs and the official onnx.proto). Field numbers follow onnx/onnx.proto (proto2).
//
// Large models must export fast and without piling up copies, so encoding is two passes: every
// message's size is computed first (cached per message), then everything is written into one
// preallocated Uint8Array. Float weights go in as raw_data, copied once, little-endian. The wire
// level (varints, field sizes, the size cache, the Writer) is in protoWire.ts.
import type { OnnxAttr, OnnxDType, OnnxTensorValue } from '../core/spec';
import { intField, lenField, packedIntsSize, SizeCache, strField, tagSize, tensorByteLength, Writer } from './protoWire';

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
  /** NodeProto.doc_string: what the node is, in words (e.g. the block a Sampling Identity stands for). */
  docString?: string;
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

// NodeProto: input=1, output=2, name=3, op_type=4, attribute=5, doc_string=6, domain=7.
function nodeSize(n: NodeData, c: SizeCache): number {
  let s = 0;
  for (const i of n.inputs) s += strField(1, i);
  for (const o of n.outputs) s += strField(2, o);
  if (n.name) s += strField(3, n.name);
  s += strField(4, n.opType);
  for (const [k, a] of Object.entries(n.attrs)) s += lenField(5, attrSize(k, a, c));
  if (n.docString) s += strField(6, n.docString);
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
  if (n.docString) w.string(6, n.docString);
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
