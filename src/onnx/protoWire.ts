// The protobuf wire level of the ONNX writer (proto.ts): varint and field sizes, the per-message
// size cache, and the Writer that fills one preallocated buffer.
import type { OnnxDType, OnnxTensorValue } from '../core/spec';

const BYTES: Record<OnnxDType, number> = { float32: 4, int32: 4, int64: 8, bool: 1 };

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

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

export const tagSize = (field: number) => varintSize(field << 3);
/** A length-delimited field holding `len` bytes. */
export const lenField = (field: number, len: number) => tagSize(field) + varintSize(len) + len;
export const strField = (field: number, s: string) => lenField(field, utf8Size(s));
export const intField = (field: number, n: number) => tagSize(field) + varintSize(n);

export function packedIntsSize(xs: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < xs.length; i++) n += varintSize(xs[i]!);
  return n;
}

export function tensorByteLength(t: OnnxTensorValue): number {
  return elementCount(t) * BYTES[t.dtype];
}
function elementCount(t: OnnxTensorValue): number {
  return t.dims.reduce((a, b) => a * b, 1);
}

// Sizes are computed once per message object and reused by the write pass.
type Sized = object;
export class SizeCache {
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

export class Writer {
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
