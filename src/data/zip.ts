// The zip reader behind "a zip of images per class", on fflate. fflate allocates each entry's
// output at the size the central directory declares, so every declared size is checked against
// the limits (one file, all files together) before anything is inflated: a few kilobytes that
// claim gigabytes, or a zip bomb that really inflates that far, are refused with the sizes named.
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { MAX_ZIP_ENTRY_BYTES, MAX_ZIP_TOTAL_BYTES, fmtCount } from '../core/limits';
import { DataError } from './dataset';

/** One file of a zip archive as its central directory describes it. */
export interface ZipEntry {
  path: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  /** Bytes once inflated (as declared). */
  size: number;
  /** Bytes in the archive (as declared). */
  compressedSize: number;
}

/** Files (not folders or hidden files) one zip may hold: far above a real image set (MNIST is 70,000). */
export const MAX_ZIP_ENTRIES = 200_000;

export interface ZipLimits {
  maxEntryBytes?: number;
  maxTotalBytes?: number;
  maxEntries?: number;
}

/** Folders, macOS resource forks and hidden files: not the user's data. */
const skipped = (path: string) => path.endsWith('/') || path.startsWith('__MACOSX/') || (path.split('/').pop() ?? '').startsWith('.');

/** fflate's failure as a message that names the archive (and the entry, when known). */
function zipError(e: unknown, name: string, path?: string): Error {
  if (e instanceof DataError) return e;
  const code = (e as { code?: unknown }).code;
  const msg = (e as Error).message;
  if (code === 13 && path === undefined) return new DataError(`${name}: not a zip archive (no end-of-central-directory record) — choose a .zip file, or the folder itself`);
  return new DataError(path === undefined ? `${name}: the zip's central directory is damaged (${msg})` : `${name}: "${path}" is damaged (${msg}) — is the zip truncated?`);
}

/**
 * Lists the files of a zip archive from its central directory (folders, macOS resource forks and
 * hidden files left out), refusing what it cannot or must not inflate: a method other than stored
 * or deflate, data past the end of the file, and declared sizes over the limits.
 */
export function listZip(bytes: Uint8Array, name = 'zip', limits: ZipLimits = {}): ZipEntry[] {
  const maxEntry = limits.maxEntryBytes ?? MAX_ZIP_ENTRY_BYTES;
  const maxTotal = limits.maxTotalBytes ?? MAX_ZIP_TOTAL_BYTES;
  const maxEntries = limits.maxEntries ?? MAX_ZIP_ENTRIES;
  const out: ZipEntry[] = [];
  let seen = 0;
  let total = 0;
  const check = (f: UnzipFileInfo): false => {
    // A directory record takes at least 46 bytes: a count beyond that is a lie, and walking it
    // would loop over nothing for up to 2^32 entries.
    if (++seen * 46 > bytes.length) throw new DataError(`${name}: the zip's central directory is damaged (it lists more entries than the file can hold)`);
    const path = f.name;
    if (skipped(path)) return false;
    if (out.length >= maxEntries) throw new DataError(`${name}: holds more than ${fmtCount(maxEntries)} files (at ${JSON.stringify(path)}) — refused; split it into smaller zips`);
    if (f.compression !== 0 && f.compression !== 8) throw new DataError(`${name}: "${path}" uses compression method ${f.compression}; only stored (0) and deflate (8) are supported — re-zip it with a standard tool`);
    if (f.size > bytes.length) throw new DataError(`${name}: "${path}" runs past the end of the file (is the zip truncated?)`);
    if (f.originalSize > maxEntry) throw new DataError(`${name}: "${path}" would inflate to ${fmtCount(f.originalSize)} bytes (at most ${fmtCount(maxEntry)} per file) — refused, as a zip bomb would be`);
    total += f.originalSize;
    if (total > maxTotal) throw new DataError(`${name}: its files would inflate to more than ${fmtCount(maxTotal)} bytes together (at ${JSON.stringify(path)}, ${fmtCount(total)}) — refused, as a zip bomb would be`);
    out.push({ path, method: f.compression, size: f.originalSize, compressedSize: f.size });
    return false;
  };
  try {
    unzipSync(bytes, { filter: check });
  } catch (e) {
    throw zipError(e, name);
  }
  return out;
}

/** The files of a zip archive (as listZip lists them), inflated; `onEntry` hears before each one. */
export function unzip(bytes: Uint8Array, name = 'zip', limits: ZipLimits = {}, onEntry?: (done: number, total: number) => void): { path: string; data: Uint8Array }[] {
  const entries = listZip(bytes, name, limits);
  const wanted = new Set(entries.map((e) => e.path));
  // fflate inflates an entry right after the filter accepts it: the last accepted one is the one
  // a failure belongs to.
  let current: string | undefined;
  let done = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!wanted.has(f.name)) return false;
        current = f.name;
        onEntry?.(done++, entries.length);
        return true;
      },
    });
  } catch (e) {
    throw zipError(e, name, current ?? '');
  }
  return entries.map((e) => {
    const data = files[e.path]!;
    if (data.length !== e.size) throw new DataError(`${name}: "${e.path}" holds ${data.length} bytes, the directory says ${e.size} (is the zip truncated or damaged?)`);
    return { path: e.path, data };
  });
}
