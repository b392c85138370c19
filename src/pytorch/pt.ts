// A real PyTorch checkpoint (what torch.save(state_dict) writes), produced without Python: a zip
// archive (stored, not compressed) holding
//   archive/data.pkl   a protocol-2 pickle of an OrderedDict name → tensor, each tensor rebuilt
//                      by torch._utils._rebuild_tensor_v2 from a persistent storage id
//                      ('storage', torch.FloatStorage, key, 'cpu', numel)
//   archive/data/KEY   the storage bytes (float32 little-endian), 64-byte aligned as torch does
//   archive/version    "3"
// Only the opcodes and globals torch.load(..., weights_only=True) accepts are used, so
// `torch.load("model.pt", weights_only=True)` reads it (PyTorch ≥ 1.13).
import { zipSync, type Zippable } from 'fflate';
import type { TorchWeight } from './weights';

class Bytes {
  private parts: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array | number[]): void {
    const u = b instanceof Uint8Array ? b : Uint8Array.from(b);
    this.parts.push(u);
    this.length += u.length;
  }
  u8(v: number): void {
    this.push([v & 0xff]);
  }
  u16(v: number): void {
    this.push([v & 0xff, (v >>> 8) & 0xff]);
  }
  u32(v: number): void {
    this.push([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
  }
  str(s: string): void {
    this.push(new TextEncoder().encode(s));
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

// --- pickle (protocol 2) ----------------------------------------------------------------------
const OP = { PROTO: 0x80, STOP: 0x2e, GLOBAL: 0x63, MARK: 0x28, TUPLE: 0x74, EMPTY_TUPLE: 0x29, REDUCE: 0x52, BINPERSID: 0x51, BININT: 0x4a, BINUNICODE: 0x58, NEWFALSE: 0x89, SETITEMS: 0x75 };

function pickleStateDict(entries: [string, TorchWeight][]): Uint8Array {
  const b = new Bytes();
  const global = (module: string, name: string) => {
    b.u8(OP.GLOBAL);
    b.str(`${module}\n${name}\n`);
  };
  const int = (v: number) => {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new Error(`pickle: integer ${v} does not fit int32`);
    b.u8(OP.BININT);
    const a = new Uint8Array(4);
    new DataView(a.buffer).setInt32(0, v, true);
    b.push(a);
  };
  const text = (s: string) => {
    const e = new TextEncoder().encode(s);
    b.u8(OP.BINUNICODE);
    b.u32(e.length);
    b.push(e);
  };
  const tuple = (items: number[]) => {
    b.u8(OP.MARK);
    items.forEach(int);
    b.u8(OP.TUPLE);
  };
  const orderedDict = () => {
    global('collections', 'OrderedDict');
    b.u8(OP.EMPTY_TUPLE);
    b.u8(OP.REDUCE);
  };
  b.push([OP.PROTO, 2]);
  orderedDict();
  b.u8(OP.MARK);
  entries.forEach(([name, w], key) => {
    text(name);
    global('torch._utils', '_rebuild_tensor_v2');
    b.u8(OP.MARK);
    // the storage, loaded from data/KEY
    b.u8(OP.MARK);
    text('storage');
    global('torch', 'FloatStorage');
    text(String(key));
    text('cpu');
    int(w.data.length);
    b.u8(OP.TUPLE);
    b.u8(OP.BINPERSID);
    int(0); // storage offset
    tuple(w.shape);
    const strides = w.shape.map((_, i) => w.shape.slice(i + 1).reduce((x, y) => x * y, 1));
    tuple(strides);
    b.u8(OP.NEWFALSE); // requires_grad
    orderedDict(); // backward hooks
    b.u8(OP.TUPLE);
    b.u8(OP.REDUCE);
  });
  b.u8(OP.SETITEMS);
  b.u8(OP.STOP);
  return b.concat();
}

// --- zip (stored entries) ---------------------------------------------------------------------
/** A private extra-field id whose data is the padding that aligns an entry's bytes. */
const PAD_FIELD = 0xfe00;

/**
 * A zip archive of stored (uncompressed) entries, each entry's data aligned to `align` bytes
 * (torch.load needs 64). Also the container of the canvas' PyTorch export (src/ui/exportPytorch.ts).
 * Written by fflate: it lays entries out in order as [30-byte local header, name, extra fields,
 * data], so a padding extra field of the right length puts each entry's data on the boundary.
 */
export function zipStored(files: [string, Uint8Array][], align = 64): Uint8Array {
  const entries: Zippable = {};
  for (const [name, data] of files) entries[name] = data;
  const enc = new TextEncoder();
  let offset = 0;
  let central = 0;
  // In the order fflate writes them: its own key order (a name like "7" would come first).
  for (const name of Object.keys(entries)) {
    const data = entries[name] as Uint8Array;
    const nameLen = enc.encode(name).length;
    const pad = (align - ((offset + 30 + nameLen + 4) % align)) % align;
    entries[name] = [data, { level: 0, mtime: new Date(1980, 0, 1), extra: { [PAD_FIELD]: new Uint8Array(pad) } }];
    offset += 30 + nameLen + 4 + pad + data.length;
    central += 46 + nameLen + 4 + pad;
  }
  const total = offset + central + 22;
  if (total >= 2 ** 32) throw new Error(`the zip would be ${total} bytes, over the 4 GiB a zip without zip64 holds (this writer does not produce zip64): the model is too large to export in one file`);
  return zipSync(entries);
}

/** The bytes of a .pt file holding `weights` as a state_dict (float32 tensors). */
export function writePt(weights: Record<string, TorchWeight>, archiveName = 'archive'): Uint8Array {
  const entries = Object.entries(weights);
  const files: [string, Uint8Array][] = [[`${archiveName}/data.pkl`, pickleStateDict(entries)]];
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  entries.forEach(([, w], key) => {
    let bytes: Uint8Array;
    if (littleEndian) bytes = new Uint8Array(w.data.buffer.slice(w.data.byteOffset, w.data.byteOffset + w.data.byteLength));
    else {
      bytes = new Uint8Array(w.data.length * 4);
      const view = new DataView(bytes.buffer);
      w.data.forEach((v, i) => view.setFloat32(i * 4, v, true));
    }
    files.push([`${archiveName}/data/${key}`, bytes]);
  });
  files.push([`${archiveName}/version`, new TextEncoder().encode('3\n')]);
  return zipStored(files);
}
