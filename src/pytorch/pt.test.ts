// The .pt writer's container: a zip of stored entries whose data starts on 64-byte boundaries
// (torch.load maps storages in place and needs that), read back by fflate and by torch itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { writePt, zipStored } from './pt';

/** Each entry's name, method and where its data starts, from the central directory. */
function layout(z: Uint8Array): { name: string; method: number; dataAt: number; size: number }[] {
  const dv = new DataView(z.buffer, z.byteOffset, z.byteLength);
  const eocd = z.length - 22;
  expect(dv.getUint32(eocd, true)).toBe(0x06054b50);
  let p = dv.getUint32(eocd + 16, true);
  return Array.from({ length: dv.getUint16(eocd + 10, true) }, () => {
    const nameLen = dv.getUint16(p + 28, true);
    const local = dv.getUint32(p + 42, true);
    const e = { name: new TextDecoder().decode(z.subarray(p + 46, p + 46 + nameLen)), method: dv.getUint16(p + 10, true), size: dv.getUint32(p + 24, true), dataAt: local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true) };
    p += 46 + nameLen + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
    return e;
  });
}

describe('zipStored', () => {
  it('stores every entry with its data on the alignment boundary, in the given order', () => {
    const files: [string, Uint8Array][] = [
      ['archive/data.pkl', new Uint8Array(37).fill(1)],
      ['archive/data/0', new Uint8Array(13).fill(2)],
      ['archive/data/1', new Uint8Array(0)],
      ['archive/version', new TextEncoder().encode('3\n')],
      ['ünïcode/é', new Uint8Array(5).fill(3)],
    ];
    for (const align of [64, 1, 4096]) {
      const z = zipStored(files, align);
      const l = layout(z);
      expect(l.map((e) => e.name)).toEqual(files.map(([n]) => n));
      l.forEach((e, i) => {
        expect(e.method).toBe(0);
        expect(e.dataAt % align).toBe(0);
        expect(z.subarray(e.dataAt, e.dataAt + e.size)).toEqual(files[i]![1]);
      });
      const back = unzipSync(z);
      for (const [n, d] of files) expect(back[n]).toEqual(d);
    }
  });

  it('writes a state_dict torch.load reads with weights_only=True', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nb-pt-'));
    try {
      const w = { 'layer.weight': { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 4, 5, 6]) }, 'layer.bias': { shape: [2], data: Float32Array.from([0.25, -0.5]) } };
      writeFileSync(join(dir, 'm.pt'), writePt(w));
      const py = "import torch, json, sys; sd = torch.load(sys.argv[1], weights_only=True); print(json.dumps({k: v.tolist() for k, v in sd.items()}))";
      const r = spawnSync('/usr/bin/python3', ['-c', py, join(dir, 'm.pt')], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ 'layer.weight': [[1, -2, 3.5], [4, 5, 6]], 'layer.bias': [0.25, -0.5] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
