// The canvas' check after an ONNX import — what `neural-blocks import FILE --compare` prints: the
// imported graph, compiled with its imported weights in the page's tfjs, against
// onnxruntime-web on the original file, on one seeded random input (src/import/compare.ts).
// The user sees the largest difference in the Import report, so a wrong import never passes
// unnoticed.
import * as tf from '@tensorflow/tfjs';
import type { ImportResult } from '../import/types';
import type { CompareStatus } from './importReport';

/** Files above this are not run twice in the page (the CLI's --compare runs them). */
const MAX_BYTES = 64 << 20;
const TOL = 1e-4;

/** The line shown for a comparison ("… largest difference vs the original file: 3.20e-7 (…)"). */
export function compareLine(file: string, diff: number, refMax: number, batch: number, backend: string): string {
  const ok = diff <= TOL * Math.max(1, refMax);
  const why = ok ? '' : ` — above the tolerance ${TOL} × max(1, largest |output|): the import is wrong, or the ${backend} backend computes in lower precision (try the CLI's --compare)`;
  return `${file}: largest difference vs the original file: ${diff.toExponential(2)} (tfjs ${backend} vs onnxruntime-web, random input of batch ${batch}; outputs up to ${refMax.toPrecision(3)})${why}`;
}

/** Runs the comparison and hands its result to `done`; never throws (a failed check is a status). */
export async function checkImport(file: string, bytes: Uint8Array, r: ImportResult, done: (c: CompareStatus) => void): Promise<void> {
  if (bytes.length > MAX_BYTES) {
    done({ state: 'skipped', text: `${file}: not compared with the original file in the page (${(bytes.length / 2 ** 20).toFixed(0)} MB); run \`neural-blocks import ${file} --compare\`` });
    return;
  }
  try {
    const [{ compareImported }, { readOnnx }, { onnxReader }, proto, { loadOrt }] = await Promise.all([
      import('../import/compare'),
      import('../import/onnx/index'),
      import('../onnx/read'),
      import('../onnx/onnx.proto?raw') as Promise<{ default: string }>,
      import('../onnx/ortWeb'),
    ]);
    const ort = await loadOrt();
    const batch = 2;
    const c = await compareImported(bytes, readOnnx(bytes, onnxReader(proto.default)), r, { ort: ort as never, batch });
    const refMax = Math.max(0, ...c.outputs.map((o) => o.refMaxAbs));
    const ok = c.maxAbsDiff <= TOL * Math.max(1, refMax);
    done({ state: 'done', ok, text: compareLine(file, c.maxAbsDiff, refMax, batch, tf.getBackend()) });
  } catch (e) {
    done({ state: 'failed', text: `${file}: imported, but the comparison with the original file failed: ${(e as Error).message}` });
  }
}
