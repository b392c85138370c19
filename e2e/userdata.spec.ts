// The user's own files, big and hostile, through the real file inputs: a CSV of 300,000 rows read
// in chunks with its progress shown (and a bigger one stopped halfway), a ragged row named with its row and line, and zips refused
// in their worker with the limit named: a real zip bomb (300 MiB of zeros in 300 KB) and a header
// that claims 4 GiB. (Too many files is refused by the same check, unit-tested in zipAsync.test.ts:
// it needs a zip64 archive of 200,001 entries.)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { eventually, type E2ETest } from './lib';
import { makeZip as zip } from '../src/data/zipFixture';

const T = (id: string) => `[data-testid="${id}"]`;

/** A one-file zip of `size` zeros, deflated (Node's zlib: fflate's writer takes seconds for this). */
function bomb(path: string, size: number): Buffer {
  const zeros = Buffer.alloc(size);
  const data = deflateRawSync(zeros, { level: 9 });
  const name = Buffer.from(path);
  const crc = crc32(zeros);
  // A local header and its central directory record share these fields; the record's are 2
  // bytes later (it adds "made by"): version 20, method 8 (deflate), CRC-32, sizes, name length.
  const head = (sig: number, len: number, at: number) => {
    const h = Buffer.alloc(len);
    h.writeUInt32LE(sig, 0);
    h.writeUInt16LE(20, at);
    h.writeUInt16LE(8, at + 4);
    h.writeUInt32LE(crc, at + 10);
    h.writeUInt32LE(data.length, at + 14);
    h.writeUInt32LE(size, at + 18);
    h.writeUInt16LE(name.length, at + 22);
    return h;
  };
  const local = head(0x04034b50, 30, 4);
  const cd = head(0x02014b50, 46, 6); // its local header at offset 0
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + data.length, 16);
  return Buffer.concat([local, name, data, cd, name, end]);
}

const GRAPH = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'user data',
  training: { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', seed: 1 },
  nodes: [
    { id: 'pixels', type: 'Input', params: { shape: [8, 8, 1] }, position: { x: 0, y: 0 } },
    { id: 'flat', type: 'Flatten', params: {}, position: { x: 0, y: 100 } },
    { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' }, position: { x: 0, y: 200 } },
  ],
  edges: [
    { source: 'pixels', target: 'flat' },
    { source: 'flat', target: 'out' },
  ],
};

export const tests: E2ETest[] = [
  {
    name: 'your data · a 300,000-row CSV read in chunks with progress (a bigger one stopped), a ragged row with its line, a zip bomb and a lying zip refused in the worker',
    async fn({ page, url, shot }) {
      const dir = mkdtempSync(join(tmpdir(), 'nb-userdata-'));
      const rows = 300_000;
      const big = join(dir, 'big.csv');
      writeFileSync(big, ['x1,x2,"a, note",label', ...Array.from({ length: rows }, (_, i) => `${i},${(i % 7) * 0.5},"n ${i}, ok",${i % 2 ? 'yes' : 'no'}`)].join('\r\n'));
      const ragged = join(dir, 'ragged.csv');
      writeFileSync(ragged, 'a,b\n1,2\n\n"x\ny",3\n4\n5,6\n');
      // Three bytes whose central directory claims 4 GiB.
      const liar = zip([{ path: 'a/b.png', data: Buffer.from('abc') }]);
      liar.writeUInt32LE(0xfffffffe, liar.readUInt32LE(liar.length - 6) + 24);
      writeFileSync(join(dir, 'liar.zip'), liar);
      const zeros = bomb('a/zeros.png', 300 * 1024 ** 2);
      assert.ok(zeros.length < 400_000, `the bomb is ${zeros.length} bytes`);
      writeFileSync(join(dir, 'bomb.zip'), zeros);

      await page.goto(url);
      await page.waitForFunction(() => window.__nb?.ready, null, { timeout: 120_000 });
      await page.evaluate((x) => window.__nb!.commit(x as never), GRAPH);
      await page.locator(T('tab-train')).click();
      await page.locator(T('user-data-open')).click();
      await page.locator(T('user-data-csv')).click();
      assert.equal(await page.locator(T('csv-limits')).innerText(), 'The app reads CSV files up to 256 MB, 2,000,000 rows and 20,000,000 cells.');

      // Every text the busy line shows, recorded as it changes; and the main thread's long tasks
      // (printed as a measurement, not asserted: speed is for benchmarks).
      await page.evaluate(() => {
        const w = window as unknown as { busy: string[]; longest: number };
        w.busy = [];
        w.longest = 0;
        new PerformanceObserver((l) => l.getEntries().forEach((e) => (w.longest = Math.max(w.longest, e.duration)))).observe({ type: 'longtask' });
        new MutationObserver(() => {
          const t = document.querySelector('[data-testid="user-data-busy"]')?.textContent;
          if (t && w.busy.at(-1) !== t) w.busy.push(t);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await page.locator(T('csv-file')).setInputFiles(big);
      await eventually(async () => assert.match(await page.locator(T('user-data-dialog')).innerText(), /300000 rows × 4 columns/), 60_000, 'the big CSV read');
      const busy = await page.evaluate(() => (window as unknown as { busy: string[] }).busy);
      const pcts = busy.map((b) => /^Reading big\.csv: (\d+)%, ([\d,]+) rows…$/.exec(b)).filter((m) => m !== null);
      assert.ok(pcts.length >= 3, `progress while reading: ${JSON.stringify(busy)}`);
      const nums = pcts.map((m) => Number(m[2]!.replace(/,/g, '')));
      assert.ok(nums.every((n, i) => i === 0 || n >= nums[i - 1]!) && nums.at(-1)! <= rows, `rows only grow: ${nums}`);
      assert.ok(await page.locator(T('csv-feature-a, note')).isChecked(), 'the quoted header is a column');
      const longest = () => page.evaluate(() => Math.round((window as unknown as { longest: number }).longest));
      const chunked = await longest();
      // The same text parsed in one piece, as the dialog did before: one task of this length.
      const whole = await page.evaluate(async (text) => {
        const path = '/src/data/csvParse.ts'; // served by the dev server
        const { parseCsv } = (await import(/* @vite-ignore */ path)) as typeof import('../src/data/csvParse');
        const t0 = performance.now();
        parseCsv(text);
        return Math.round(performance.now() - t0);
      }, readFileSync(big, 'utf8'));
      console.log(`    measured: ${rows} rows read in chunks, ${busy.length} progress texts shown, longest main-thread task ${chunked} ms (the whole text in one parse: ${whole} ms)`);
      await shot('userdata-1-big-csv');

      // A bigger one, stopped while it is read: said so, and the table read before stays.
      const huge = join(dir, 'huge.csv');
      writeFileSync(huge, ['x1,x2,"a, note",label', ...Array.from({ length: 1_500_000 }, (_, i) => `${i},${i % 5},"n ${i}",${i % 3}`)].join('\n'));
      await page.locator(T('csv-file')).setInputFiles(huge);
      await page.locator(T('user-data-stop')).click();
      await eventually(async () => assert.equal(await page.locator(T('user-data-error')).innerText(), 'Reading huge.csv: stopped; nothing changed'), 10_000, 'reading stopped');
      assert.match(await page.locator(T('user-data-dialog')).innerText(), /300000 rows × 4 columns/);

      await page.locator(T('csv-file')).setInputFiles(ragged);
      await eventually(async () => assert.equal(await page.locator(T('user-data-error')).innerText(), 'CSV: row 4 has 1 fields but the header has 2: "4" (line 6)'), 10_000, 'ragged row');

      await page.locator(T('user-data-images')).click();
      await page.locator(T('image-zip')).setInputFiles(join(dir, 'liar.zip'));
      await eventually(async () => assert.equal(await page.locator(T('user-data-error')).innerText(), 'liar.zip: "a/b.png" would inflate to 4.3e+9 bytes (at most 2.7e+8 per file) — refused, as a zip bomb would be'), 20_000, 'the lying zip refused');
      await page.evaluate(() => ((window as unknown as { longest: number }).longest = 0));
      await page.locator(T('image-zip')).setInputFiles(join(dir, 'bomb.zip'));
      await eventually(async () => assert.equal(await page.locator(T('user-data-error')).innerText(), 'bomb.zip: "a/zeros.png" would inflate to 3.1e+8 bytes (at most 2.7e+8 per file) — refused, as a zip bomb would be'), 20_000, 'the zip bomb refused');
      console.log(`    measured: the zip bomb refused in the worker, longest main-thread task meanwhile ${await longest()} ms`);
      await shot('userdata-2-zip-refused');
    },
  },
];
