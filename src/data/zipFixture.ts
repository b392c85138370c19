// Test fixture (Node only, not shipped): a zip archive as common tools write it (fflate's writer),
// entries deflated, or stored when asked. Used by the zip reader's unit tests and the e2e upload
// of "a zip of images per class".
import { zipSync, type ZipOptions } from 'fflate';

export function makeZip(files: { path: string; data: Uint8Array; store?: boolean }[]): Buffer {
  const z = zipSync(Object.fromEntries(files.map((f) => [f.path, [f.data, { level: f.store ? 0 : 6 }] as [Uint8Array, ZipOptions]])));
  return Buffer.from(z.buffer, z.byteOffset, z.byteLength);
}
