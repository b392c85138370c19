// Reading a CSV in chunks: the same table as parsing it whole, whatever the chunk boundaries cut
// (a CRLF, a quoted field, a multi-byte character), the limits applied while reading, and every
// error naming its row and line.
import { mkdtempSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnKinds } from './csv';
import { csvLimitsText, parseCsv, readCsv, type CsvProgress } from './csvParse';

/** Yields `bytes` in pieces of `size` bytes: cuts through CRLFs and UTF-8 sequences. */
async function* pieces(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** n rows: an id, a float, a quoted name with a comma (and a newline every 97th row), a label with accents. */
function bigCsv(n: number): string {
  const lines = ['id,value,name,label'];
  for (let i = 0; i < n; i++) lines.push(`${i},${(i * 0.25).toFixed(2)},"name ${i}, ${i % 97 ? 'one line' : 'two\r\nlines'}",${i % 3 ? 'café' : 'naïve→'}`);
  return lines.join('\r\n') + '\r\n';
}

describe('readCsv (chunked)', () => {
  it('reads a large generated CSV in chunks: every row and value, with progress', async () => {
    const n = 60_000;
    const text = bigCsv(n);
    const bytes = new TextEncoder().encode(text);
    expect(bytes.length).toBeGreaterThan(2_500_000);
    const seen: CsvProgress[] = [];
    // 64 KiB chunks of parsing, fed from 7,777-byte pieces: boundaries fall inside fields and characters.
    const t = await readCsv(pieces(bytes, 7777), 'big.csv', { chunkBytes: 64 * 1024, onProgress: (p) => seen.push(p) });
    expect(t.header).toEqual(['id', 'value', 'name', 'label']);
    expect(t.rows.length).toBe(n);
    for (const i of [0, 1, 96, 97, 12_345, n - 1]) expect(t.rows[i]).toEqual([String(i), (i * 0.25).toFixed(2), `name ${i}, ${i % 97 ? 'one line' : 'two\nlines'}`, i % 3 ? 'café' : 'naïve→']);
    expect(t.rows.every((r, i) => r[0] === String(i))).toBe(true);
    // Column kinds worked out while reading agree with a pass over the rows.
    expect(t.numeric).toEqual([true, true, false, false]);
    expect(columnKinds(t)).toEqual(columnKinds({ header: t.header, rows: t.rows }));
    expect(columnKinds({ header: ['a', 'b'], rows: [['1', 'x'], ['', '2']] })).toEqual(['numeric', 'categorical']);
    // Progress: many reports, bytes and rows only grow, the last one is the whole file.
    expect(seen.length).toBeGreaterThan(30);
    for (let k = 1; k < seen.length; k++) {
      expect(seen[k]!.bytes).toBeGreaterThanOrEqual(seen[k - 1]!.bytes);
      expect(seen[k]!.rows).toBeGreaterThanOrEqual(seen[k - 1]!.rows);
    }
    expect(seen.at(-1)).toEqual({ bytes: bytes.length, total: undefined, rows: n });
    // All of it in one read (Chromium's File stream brings megabytes at once): still parsed, and
    // reported, chunk by chunk.
    const once: CsvProgress[] = [];
    expect((await readCsv(pieces(bytes, bytes.length), 'big.csv', { chunkBytes: 64 * 1024, onProgress: (p) => once.push(p) })).rows.length).toBe(n);
    expect(once.length).toBeGreaterThan(30);
    expect(new Set(once.map((p) => p.rows)).size).toBeGreaterThan(30);
    // The same as parsing the text whole, and as a Blob (what the browser's File is).
    expect(parseCsv(text)).toEqual(t);
    const fromBlob = await readCsv(new Blob([bytes]), 'big.csv', { chunkBytes: 100_000 });
    expect(fromBlob.rows.length).toBe(n);
    expect(fromBlob.rows[97]).toEqual(t.rows[97]);
  });

  it('reads a file with a byte-order mark, ";" as delimiter and CRLF, and a Node file stream', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('name;note;y\r\n"Smith; J.";"said ""hi""";1\r\n\r\nDoe;"a\r\nb";2\r\n')]);
    for (const size of [1, 2, 5, bytes.length]) {
      const t = await readCsv(pieces(bytes, size), 'bom.csv', { chunkBytes: 4 });
      expect(t.header).toEqual(['name', 'note', 'y']);
      expect(t.rows).toEqual([
        ['Smith; J.', 'said "hi"', '1'],
        ['Doe', 'a\nb', '2'],
      ]);
    }
    const dir = mkdtempSync(join(tmpdir(), 'nb-csv-'));
    writeFileSync(join(dir, 'bom.csv'), bytes);
    const t = await readCsv(createReadStream(join(dir, 'bom.csv'), { highWaterMark: 8 }), 'bom.csv', { chunkBytes: 16 });
    expect(t.rows[1]).toEqual(['Doe', 'a\nb', '2']);
  });

  it('names the row and line of a ragged row and of a bad quote, across chunks', async () => {
    // Line 3 is blank and row 3 spans lines 4-5, so row 4 is on line 6.
    const ragged = 'a,b\n1,2\n\n"multi\nline",3\n4\n5,6\n';
    await expect(readCsv(new Blob([ragged]), 'r.csv', { chunkBytes: 3 })).rejects.toThrow('CSV: row 4 has 1 fields but the header has 2: "4" (line 6)');
    expect(() => parseCsv(ragged)).toThrow('CSV: row 4 has 1 fields but the header has 2: "4" (line 6)');
    // The same with CRLF, every CR and LF split apart by some chunk size: a line is still one line.
    const crlf = new TextEncoder().encode(ragged.replace(/\n/g, '\r\n'));
    for (let size = 1; size <= 6; size++) await expect(readCsv(pieces(crlf, 1), 'r.csv', { chunkBytes: size })).rejects.toThrow('"4" (line 6)');
    const quoted = new TextEncoder().encode('a,b\r\n"x\r\ny",1\r\n');
    for (let size = 1; size <= 6; size++) expect((await readCsv(pieces(quoted, 1), 'q.csv', { chunkBytes: size })).rows).toEqual([['x\ny', '1']]);
    const filler = Array.from({ length: 500 }, (_, i) => `${i},${i}`).join('\n');
    const quote = `a,b\n${filler}\n"x"y,3\n7,8\n`;
    await expect(readCsv(new Blob([quote]), 'q.csv', { chunkBytes: 100 })).rejects.toThrow('CSV: row 502: a quoted field has text after its closing quote, in "\\"x\\"y,3\\n7,8\\n" (line 502; a " inside a quoted field is written "")');
    await expect(readCsv(new Blob([`a,b\n${filler}\n"open,1\n2,3\n`]), 'o.csv', { chunkBytes: 100 })).rejects.toThrow('CSV: row 502: a quoted field is not closed (a " is missing; line 502)');
  });

  it('stops when its signal is aborted, mid-file', async () => {
    const ac = new AbortController();
    const seen: CsvProgress[] = [];
    const text = new TextEncoder().encode(bigCsv(20_000));
    const read = readCsv(pieces(text, 10_000), 'big.csv', { chunkBytes: 16 * 1024, signal: ac.signal, onProgress: (p) => (seen.push(p), seen.length === 3 && ac.abort()) });
    await expect(read).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBe(3);
    expect(seen[2]!.rows).toBeLessThan(20_000);
  });

  it('refuses a file over the stated limits: its size before reading, rows and cells while reading', async () => {
    expect(csvLimitsText()).toBe('up to 256 MB, 2,000,000 rows and 20,000,000 cells');
    const text = 'a,b,c,d\n' + Array.from({ length: 100 }, (_, i) => `${i},1,2,3`).join('\n');
    // Refused from its size alone: a file that cannot be read gives the same message.
    const unread = new Blob([text]);
    unread.stream = () => {
      throw new Error('read');
    };
    await expect(readCsv(unread, 'big.csv', { maxBytes: 100 })).rejects.toThrow('CSV: big.csv is 897 bytes; the app reads up to 100 bytes, 2,000,000 rows and 20,000,000 cells — use a sample of the file');
    await expect(readCsv(pieces(new TextEncoder().encode(text), 50), 's.csv', { maxBytes: 100 })).rejects.toThrow(/s\.csv is 150 bytes or more/);
    await expect(readCsv(new Blob([text]), 'rows.csv', { maxRows: 10, chunkBytes: 64 })).rejects.toThrow(/^CSV: more than 10 data rows of 4 columns \(line 12\); the app reads up to 256 MB, 10 rows/);
    // 30 cells of 4 columns: 7 rows.
    expect(() => parseCsv(text, { maxCells: 30 })).toThrow(/^CSV: more than 7 data rows of 4 columns \(line 9\)/);
    expect((await readCsv(new Blob([text]), 'ok.csv', { maxRows: 100 })).rows.length).toBe(100);
  });
});
