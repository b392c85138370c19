// "Export PyTorch…" on the canvas: the same generator as `neural-blocks export --pytorch`
// (src/pytorch), run in the browser, downloaded as one zip (stored entries, the container
// model.pt itself uses): model.py, model.pt, train.py, README.md.
//
// The weights are the graph's current ones: those the Train panel holds for this graph (trained,
// uploaded, or imported with an ONNX/tfjs model), else the ones kept with the graph in IndexedDB
// (an imported model whose Train panel was never opened), else a freshly initialised model's.
// Weights that no longer fit the graph (edited since) are not used: the export falls back to
// fresh ones and says so.
//
// tfjs, the compiler and the generator load only when the action runs (a separate chunk).
import type { SavedModel } from '../train/weights';
import { getState, toast } from './store';

export interface PytorchZip {
  name: string;
  bytes: Uint8Array;
  /** Where the weights came from, for the toast and the tests. */
  weightsFrom: string;
}

/** The zip's file name from the graph name ("My net" → "my-net-pytorch.zip"). */
export function zipName(graphName: string | undefined): string {
  const base = (graphName ?? 'model')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${base || 'model'}-pytorch.zip`;
}

async function currentWeights(docId: string): Promise<{ saved: SavedModel; note: string } | undefined> {
  const { getTrain, restoreWeights } = await import('./train/trainState');
  const t = getTrain();
  if (t.weights && t.weightsDocId === docId) return { saved: t.weights, note: t.weightsNote ?? 'the Train panel\'s weights' };
  const kept = await restoreWeights(docId);
  if (kept) return { saved: { modelJson: kept.modelJson, weights: kept.weights }, note: kept.note };
  return undefined;
}

/** Builds the zip for the current graph (throws with the reason when it cannot be exported). */
export async function buildPytorchZip(): Promise<PytorchZip> {
  const { doc, docId } = getState();
  const [tf, { analyze }, { compile }, { generatePytorch, writePt, zipStored }, { loadWeightsInto, WeightsError }] = await Promise.all([
    import('@tensorflow/tfjs'),
    import('../core/infer'),
    import('../core/compile'),
    import('../pytorch/index'),
    import('../train/weights'),
  ]);
  const a = analyze(doc);
  if (!a.ok) throw new Error(`the graph has ${a.errors.length} error${a.errors.length === 1 ? '' : 's'} (first: ${a.errors[0]!.message}); fix ${a.errors.length === 1 ? 'it' : 'them'} to export`);
  // Nothing else on the main thread runs tfjs (training is in a worker): the CPU backend holds
  // the weights exactly and needs no GPU context.
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const c = compile(doc);
  try {
    let weightsFrom = 'freshly initialised weights';
    const w = await currentWeights(docId);
    if (w) {
      try {
        loadWeightsInto(c.model, w.saved, 'the kept weights');
        weightsFrom = `weights ${w.note}`;
      } catch (e) {
        if (!(e instanceof WeightsError)) throw e;
        weightsFrom = `freshly initialised weights (the kept weights no longer fit the graph: ${e.message})`;
      }
    }
    const gen = generatePytorch(c, doc);
    const enc = new TextEncoder();
    const bytes = zipStored(
      [
        ['model.py', enc.encode(gen.files['model.py'])],
        ['model.pt', writePt(gen.weights)],
        ['train.py', enc.encode(gen.files['train.py'])],
        ['README.md', enc.encode(gen.files['README.md'])],
      ],
      // Plain alignment: the entries are files to unzip, not read in place.
      1,
    );
    return { name: zipName(doc.name), bytes, weightsFrom };
  } finally {
    c.model.dispose();
  }
}

/** The action: build the zip and download it; problems become one error toast. */
export async function exportPytorch(): Promise<void> {
  try {
    const z = await buildPytorchZip();
    const url = URL.createObjectURL(new Blob([z.bytes as BlobPart], { type: 'application/zip' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = z.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    toast(`Exported ${z.name} (${(z.bytes.length / 1024).toFixed(0)} KB) with ${z.weightsFrom}.`, 'success', 6000);
  } catch (e) {
    toast(`PyTorch export failed: ${(e as Error).message}`, 'error', 10_000);
  }
}
