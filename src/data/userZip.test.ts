// The zip reader behind "a zip of images per class": entries from archives written by Node's zlib
// (deflated and stored), folders and hidden files skipped, and clear messages for broken input.
import { describe, expect, it } from 'vitest';
import { inflateRawSync } from 'node:zlib';
import { makeZip as zip } from './zipFixture';
import { classFromPath, listZip, unzip } from './userData';


const inflate = async (d: Uint8Array) => new Uint8Array(inflateRawSync(d));

describe('zip of images', () => {
  it('lists and inflates deflated and stored entries, skipping folders and hidden files', async () => {
    const big = Buffer.from('x'.repeat(5000));
    const z = zip([
      { path: 'cats/', data: Buffer.alloc(0), store: true },
      { path: 'cats/a.png', data: big },
      { path: 'dogs/b.png', data: Buffer.from([1, 2, 3]), store: true },
      { path: 'dogs/.DS_Store', data: Buffer.from('junk') },
      { path: '__MACOSX/dogs/._b.png', data: Buffer.from('junk') },
    ]);
    expect(listZip(new Uint8Array(z)).map((e) => [e.path, e.method, e.size])).toEqual([
      ['cats/a.png', 8, 5000],
      ['dogs/b.png', 0, 3],
    ]);
    const files = await unzip(new Uint8Array(z), inflate);
    expect(files.map((f) => f.path)).toEqual(['cats/a.png', 'dogs/b.png']);
    expect(Buffer.from(files[0]!.data).equals(big)).toBe(true);
    expect([...files[1]!.data]).toEqual([1, 2, 3]);
    expect(files.map((f) => classFromPath(f.path))).toEqual(['cats', 'dogs']);
  });

  it('says when a file is not a zip, or an entry uses another compression', async () => {
    expect(() => listZip(new TextEncoder().encode('hello, not a zip'), 'x.zip')).toThrow(/x\.zip: not a zip archive/);
    const z = zip([{ path: 'a/b.png', data: Buffer.from('abc'), store: true }]);
    z.writeUInt16LE(12, 8); // bzip2 in the local header…
    const cdStart = z.readUInt32LE(z.length - 6);
    z.writeUInt16LE(12, cdStart + 10); // …and in the central directory
    expect(() => listZip(new Uint8Array(z), 'y.zip')).toThrow(/"a\/b\.png" uses compression method 12; only stored \(0\) and deflate \(8\)/);
    const trunc = zip([{ path: 'a/b.png', data: Buffer.from('abcdef'), store: true }]);
    trunc.writeUInt32LE(999, trunc.readUInt32LE(trunc.length - 6) + 20);
    expect(() => listZip(new Uint8Array(trunc), 't.zip')).toThrow(/runs past the end/);
  });
});
