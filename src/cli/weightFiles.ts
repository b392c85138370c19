// Reading the weight files a tfjs model.json lists, for `import`, `export --weights`, `parity
// --weights` and `export --pytorch --weights`. Only regular files inside the model.json's own
// folder are read (symlinks are followed only when they land inside it; devices, FIFOs and
// folders are refused), and their sizes must add up to what the manifest describes before a
// byte is read: a hostile manifest cannot copy another file into an export or read /dev/zero.
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { ManifestError, planWeightFiles } from '../import/manifest';
import { CliUsageError } from './command';

function inside(dir: string, file: string): boolean {
  return file.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * The weight files of `modelJson` (parsed from the file at `modelJsonPath`), concatenated in
 * manifest order; undefined when the manifest lists none. Throws CliUsageError (exit 2) with
 * one line naming the manifest entry.
 */
export async function readWeightFiles(modelJsonPath: string, modelJson: unknown): Promise<Uint8Array | undefined> {
  let plan;
  try {
    plan = planWeightFiles(modelJson, modelJsonPath);
  } catch (e) {
    if (e instanceof ManifestError) throw new CliUsageError(e.message);
    throw e;
  }
  if (!plan.files.length) return undefined;
  const base = await realpath(dirname(resolve(modelJsonPath)));
  const handles = [];
  try {
    let total = 0;
    for (const f of plan.files) {
      const where = `${modelJsonPath}: ${f.entry}`;
      let real: string;
      try {
        real = await realpath(resolve(base, f.path));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new CliUsageError(`${where}: cannot read it: ${code === 'ENOENT' ? 'no such file beside the model.json' : (code ?? (e as Error).message)}`);
      }
      if (!inside(base, real)) throw new CliUsageError(`${where} leads outside the model.json's folder (to ${real}); weight files must sit beside it`);
      // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
      const h = await open(real, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
        throw new CliUsageError(`${where}: cannot read it: ${e.code ?? e.message}`);
      });
      handles.push(h);
      const st = await h.stat();
      if (!st.isFile()) throw new CliUsageError(`${where} is not a regular file`);
      total += st.size;
      if (total > plan.bytes)
        throw new CliUsageError(`${where}: the weight files hold ${total}+ bytes, but the manifest's weights take ${plan.bytes} — is it the weights file of this model.json?`);
    }
    if (total !== plan.bytes) throw new CliUsageError(`${modelJsonPath}: the weight files hold ${total} bytes, but the manifest's weights take ${plan.bytes} — is it the weights file of this model.json?`);
    const out = new Uint8Array(total);
    let off = 0;
    for (const h of handles) {
      // Read exactly the size checked above, even if the file grew in between.
      const end = Math.min(off + (await h.stat()).size, total);
      for (let pos = 0; off < end; ) {
        const { bytesRead } = await h.read(out, off, end - off, pos);
        if (bytesRead === 0) break;
        off += bytesRead;
        pos += bytesRead;
      }
    }
    if (off !== total) throw new CliUsageError(`${modelJsonPath}: the weight files changed while they were read`);
    return out;
  } finally {
    await Promise.all(handles.map((h) => h.close()));
  }
}

/**
 * A file named on the command line, read only when it is a regular file of at most `max`
 * bytes: a FIFO or /dev/zero given by mistake must not hang or fill memory.
 */
export async function readUserFile(path: string, what: string, max: number): Promise<Uint8Array> {
  const label = what ? `${what} ${path}` : path;
  let h;
  try {
    h = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? (e as Error).message);
    throw new CliUsageError(`cannot read ${label}: ${why}`);
  }
  try {
    const st = await h.stat();
    if (st.isDirectory()) throw new CliUsageError(`cannot read ${label}: it is a directory`);
    if (!st.isFile()) throw new CliUsageError(`cannot read ${label}: not a regular file`);
    if (st.size > max) throw new CliUsageError(`cannot read ${label}: it has ${st.size} bytes, more than the ${max} read`);
    const out = new Uint8Array(st.size);
    let off = 0;
    while (off < out.length) {
      const { bytesRead } = await h.read(out, off, out.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return out.subarray(0, off);
  } finally {
    await h.close();
  }
}
