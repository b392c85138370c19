// "A zip of images per class", unpacked off the main thread: the page hands the File to a worker
// (zipWorker.ts), which reads it, checks every declared size against the limits before inflating
// anything (zip.ts), inflates, and sends the files back (their buffers moved, not copied) with
// progress on the way. The page stays responsive however big the zip is.
import { MAX_ZIP_TOTAL_BYTES, fmtCount } from '../core/limits';
import { DataError } from './dataset';
import { unzip, type ZipLimits } from './zip';

export interface ZipRequest {
  file: Blob;
  name: string;
  limits?: ZipLimits;
}
export interface ZipFile {
  path: string;
  data: Uint8Array;
}
export type ZipReply =
  | { t: 'progress'; done: number; total: number }
  | { t: 'done'; files: ZipFile[] }
  /** `data`: a DataError (the user's file); otherwise a failure of the app. */
  | { t: 'error'; message: string; data: boolean };

/** At most one progress message per this many ms (a zip of 70,000 images would flood the page). */
const PROGRESS_MS = 50;

/** The worker's job, without the worker (tests call it directly). */
export async function zipJob(req: ZipRequest, post: (r: ZipReply, transfer?: Transferable[]) => void): Promise<void> {
  try {
    // The archive holds at least what it inflates to, unless compressed: refuse what could not
    // inflate within the total limit even stored, before reading a byte.
    const max = req.limits?.maxTotalBytes ?? MAX_ZIP_TOTAL_BYTES;
    if (req.file.size > max) throw new DataError(`${req.name}: the zip is ${fmtCount(req.file.size)} bytes (at most ${fmtCount(max)})`);
    const bytes = new Uint8Array(await req.file.arrayBuffer());
    let last = 0;
    const files = unzip(bytes, req.name, req.limits, (done, total) => {
      const now = Date.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      post({ t: 'progress', done, total });
    });
    const buffers = new Set(files.map((f) => f.data.buffer as ArrayBuffer));
    post({ t: 'done', files }, [...buffers]);
  } catch (e) {
    post({ t: 'error', message: (e as Error).message ?? String(e), data: e instanceof DataError });
  }
}

export interface UnzipOptions {
  limits?: ZipLimits;
  onProgress?: (done: number, total: number) => void;
  /** Aborting ends the worker at once (the promise rejects). */
  signal?: AbortSignal;
  /** The worker (tests pass one that runs zipJob in-process). */
  makeWorker?: () => Worker;
}

const defaultWorker = () => new Worker(new URL('./zipWorker.ts', import.meta.url), { type: 'module' });

/** Unpacks a user's zip in a worker: its image files, or the error that names the bad entry. */
export function unzipInWorker(file: Blob, name: string, o: UnzipOptions = {}): Promise<ZipFile[]> {
  const w = (o.makeWorker ?? defaultWorker)();
  return new Promise<ZipFile[]>((resolve, reject) => {
    w.onmessage = (ev: MessageEvent<ZipReply>) => {
      const r = ev.data;
      if (r.t === 'progress') return o.onProgress?.(r.done, r.total);
      w.terminate();
      if (r.t === 'done') resolve(r.files);
      else reject(r.data ? new DataError(r.message) : new Error(`unpacking ${name} failed: ${r.message}`));
    };
    // A worker that cannot start or dies (out of memory) says so instead of leaving the dialog busy.
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault?.();
      w.terminate();
      reject(new Error(`unpacking ${name} failed in its worker: ${ev.message || 'the worker stopped'}`));
    };
    o.signal?.addEventListener('abort', () => {
      w.terminate();
      reject(new DOMException(`unpacking ${name} stopped`, 'AbortError'));
    });
    const req: ZipRequest = { file, name, limits: o.limits };
    w.postMessage(req);
  });
}
