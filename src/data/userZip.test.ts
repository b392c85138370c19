// The zip reader behind "a zip of images per class": entries deflated and stored, folders and
// hidden files skipped, clear messages for broken input, and declared sizes checked against the
// limits before anything is inflated (zip bombs, and headers that lie about their size).
import { describe, expect, it } from 'vitest';
import { makeZip as zip } from './zipFixture';
import { classFromPath } from './userData';
import { listZip, unzip } from './zip';

/** Where the central directory starts (the end record is the last 22 bytes: no comment). */
const cdStart = (z: Buffer) => z.readUInt32LE(z.length - 6);

describe('zip of images', () => {
  it('lists and inflates deflated and stored entries, skipping folders and hidden files', () => {
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
    expect(listZip(new Uint8Array(z))[0]!.compressedSize).toBeLessThan(100);
    const files = unzip(new Uint8Array(z));
    expect(files.map((f) => f.path)).toEqual(['cats/a.png', 'dogs/b.png']);
    expect(Buffer.from(files[0]!.data).equals(big)).toBe(true);
    expect([...files[1]!.data]).toEqual([1, 2, 3]);
    expect(files.map((f) => classFromPath(f.path))).toEqual(['cats', 'dogs']);
  });

  it('says when a file is not a zip, or an entry uses another compression', () => {
    expect(() => listZip(new TextEncoder().encode('hello, not a zip'), 'x.zip')).toThrow(/x\.zip: not a zip archive/);
    expect(() => listZip(new Uint8Array(0), 'empty.zip')).toThrow(/empty\.zip: not a zip archive/);
    const z = zip([{ path: 'a/b.png', data: Buffer.from('abc'), store: true }]);
    z.writeUInt16LE(12, 8); // bzip2 in the local header…
    z.writeUInt16LE(12, cdStart(z) + 10); // …and in the central directory
    expect(() => listZip(new Uint8Array(z), 'y.zip')).toThrow(/y\.zip: "a\/b\.png" uses compression method 12; only stored \(0\) and deflate \(8\)/);
    const trunc = zip([{ path: 'a/b.png', data: Buffer.from('abcdef'), store: true }]);
    trunc.writeUInt32LE(999, cdStart(trunc) + 20);
    expect(() => listZip(new Uint8Array(trunc), 't.zip')).toThrow(/t\.zip: "a\/b\.png" runs past the end/);
  });

  it('names a damaged or cut-short entry', () => {
    const data = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251));
    const z = zip([{ path: 'a/b.png', data }]);
    const at = 30 + 'a/b.png'.length; // the deflate stream of the only entry
    for (let i = at; i < at + 40; i++) z[i] = 0xff; // garbage where the deflate stream was
    expect(() => unzip(new Uint8Array(z), 'd.zip')).toThrow(/d\.zip: "a\/b\.png" (is damaged|holds \d+ bytes, the directory says 4000)/);
    const s = zip([{ path: 'a/b.png', data: Buffer.from('abcdef'), store: true }]);
    s.writeUInt32LE(60, cdStart(s) + 24); // the directory claims more than the entry holds
    expect(() => unzip(new Uint8Array(s), 's.zip')).toThrow(/s\.zip: "a\/b\.png" holds 6 bytes, the directory says 60/);
  });

  it('refuses a zip bomb, and a header that claims gigabytes, before inflating anything', () => {
    // 5 MB of zeros deflate to about 5 KB: over a 1 MB limit per file.
    const bomb = zip([{ path: 'a/zeros.png', data: new Uint8Array(5_000_000) }]);
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => unzip(new Uint8Array(bomb), 'bomb.zip', { maxEntryBytes: 1_000_000 })).toThrow(/bomb\.zip: "a\/zeros\.png" would inflate to 5\.0e\+6 bytes \(at most 1\.0e\+6 per file\) — refused, as a zip bomb would be/);
    // Many files under the per-file limit, over the total.
    const many = zip(Array.from({ length: 5 }, (_, i) => ({ path: `a/${i}.png`, data: new Uint8Array(400_000) })));
    expect(() => unzip(new Uint8Array(many), 'many.zip', { maxTotalBytes: 1_000_000 })).toThrow(/many\.zip: its files would inflate to more than 1\.0e\+6 bytes together \(at "a\/2\.png", 1\.2e\+6\)/);
    // Three bytes whose directory claims 4 GiB: refused by the default limit, nothing allocated.
    const liar = zip([{ path: 'a/b.png', data: Buffer.from('abc') }]);
    liar.writeUInt32LE(0xfffffffe, cdStart(liar) + 24);
    expect(() => unzip(new Uint8Array(liar), 'liar.zip')).toThrow(/liar\.zip: "a\/b\.png" would inflate to 4\.3e\+9 bytes \(at most 2\.7e\+8 per file\)/);
  });

  it('refuses an end record that lists more entries than the file can hold', () => {
    const z = zip([{ path: 'a/b.png', data: Buffer.from('abc'), store: true }]);
    // Entries on this disk (what fflate reads), and a directory past the end: every record there
    // reads as zeros, a nameless stored empty file, so only the count check stops the walk.
    z.writeUInt16LE(0xfff0, z.length - 14);
    z.writeUInt32LE(z.length + 100, z.length - 6);
    expect(() => listZip(new Uint8Array(z), 'n.zip')).toThrow(/n\.zip: the zip's central directory is damaged \(it lists more entries than the file can hold\)/);
  });
});
