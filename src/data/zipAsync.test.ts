// The zip worker's protocol (zipJob and its client), with a stand-in worker that runs the job
// in-process: files come back whole, progress is heard, and a hostile zip is refused with its
// message before anything is inflated. The real worker runs in the browser (e2e/userdata.spec.ts).
import { describe, expect, it } from 'vitest';
import { DataError } from './dataset';
import { unzipInWorker, zipJob, type ZipReply, type ZipRequest } from './zipAsync';
import { makeZip as zip } from './zipFixture';

/** A Worker whose job runs on this thread, after a turn of the event loop as a real one would. */
function fakeWorker(log: string[]): () => Worker {
  return () => {
    const w = {
      onmessage: null as ((ev: MessageEvent<ZipReply>) => void) | null,
      onerror: null,
      terminated: false,
      postMessage(req: ZipRequest) {
        setTimeout(() => void zipJob(req, (r) => (log.push(r.t), w.terminated ? undefined : w.onmessage?.({ data: r } as MessageEvent<ZipReply>))), 0);
      },
      terminate() {
        w.terminated = true;
        log.push('terminated');
      },
    };
    return w as unknown as Worker;
  };
}

const blob = (b: Buffer) => new Blob([new Uint8Array(b)]);

describe('unzip in a worker', () => {
  it('sends back the files and progress, then ends the worker', async () => {
    const log: string[] = [];
    const seen: [number, number][] = [];
    const files = await unzipInWorker(blob(zip([{ path: 'a/x.png', data: Buffer.from('x'.repeat(3000)) }, { path: 'b/y.png', data: Buffer.from([1, 2]), store: true }])), 'two.zip', { makeWorker: fakeWorker(log), onProgress: (d, t) => seen.push([d, t]) });
    expect(files.map((f) => [f.path, f.data.length])).toEqual([
      ['a/x.png', 3000],
      ['b/y.png', 2],
    ]);
    expect([...files[1]!.data]).toEqual([1, 2]);
    expect(seen[0]).toEqual([0, 2]); // the first entry always reports
    expect(log).toEqual(['progress', 'done', 'terminated']);
  });

  it('refuses a zip bomb, too many files and a file over the total, with their messages', async () => {
    const refuse = (b: Blob, name: string, limits = {}) => unzipInWorker(b, name, { limits, makeWorker: fakeWorker([]) });
    // 5 MB of zeros deflate to about 5 KB: refused from the declared size, before inflating.
    const bomb = zip([{ path: 'a/zeros.png', data: new Uint8Array(5_000_000) }]);
    await expect(refuse(blob(bomb), 'bomb.zip', { maxEntryBytes: 1_000_000 })).rejects.toThrow('bomb.zip: "a/zeros.png" would inflate to 5.0e+6 bytes (at most 1.0e+6 per file) — refused, as a zip bomb would be');
    await expect(refuse(blob(bomb), 'bomb.zip', { maxEntryBytes: 1_000_000 })).rejects.toBeInstanceOf(DataError);
    const many = zip(Array.from({ length: 30 }, (_, i) => ({ path: `a/${i}.png`, data: Buffer.from([i]), store: true })));
    await expect(refuse(blob(many), 'many.zip', { maxEntries: 20 })).rejects.toThrow('many.zip: holds more than 20 files (at "a/20.png") — refused; split it into smaller zips');
    // Over the total even stored: refused from its size, never read.
    const unread = blob(many);
    unread.arrayBuffer = () => Promise.reject(new Error('read'));
    await expect(refuse(unread, 'huge.zip', { maxTotalBytes: 1000 })).rejects.toThrow(/^huge\.zip: the zip is \d+ bytes \(at most 1000\)$/);
    // Not a zip: the reader's message, through the worker.
    await expect(refuse(new Blob(['hello']), 'x.zip')).rejects.toThrow(/x\.zip: not a zip archive/);
  });

  it('ends the worker when its signal is aborted', async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const read = unzipInWorker(blob(zip([{ path: 'a/x.png', data: Buffer.from('x') }])), 'x.zip', { makeWorker: fakeWorker(log), signal: ac.signal });
    ac.abort();
    await expect(read).rejects.toThrow('unpacking x.zip stopped');
    expect(log[0]).toBe('terminated');
  });

  it('reports a failure of the app (not of the file) as such', async () => {
    const replies: ZipReply[] = [];
    await zipJob({ file: { size: 10, arrayBuffer: () => Promise.reject(new Error('disk gone')) } as unknown as Blob, name: 'z.zip' }, (r) => replies.push(r));
    expect(replies).toEqual([{ t: 'error', message: 'disk gone', data: false }]);
  });
});
