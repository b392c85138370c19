// Imported weights ↔ a compiled tfjs model, and ↔ the standard model.json + weights.bin pair
// (src/train/weights.ts), so an imported model can be saved and trained like any other.
import * as tf from '@tensorflow/tfjs';
import { APP_NAME, GRAPH_METADATA_KEY } from '../core/constants';
import type { GraphDoc } from '../core/graph';
import { ImportError, type ImportedWeights } from './types';

/**
 * Sets every weight of `model` from `weights` by name (`${nodeId}/kernel`, …). Every weight of
 * the model must be there with the same shape; extra entries are an error too (they would mean
 * the importer and the compiler disagree on names).
 */
export function applyWeights(model: tf.LayersModel, weights: ImportedWeights): void {
  const names = new Set(Object.keys(weights));
  const values = model.weights.map((w) => {
    const name = w.originalName;
    const v = weights[name];
    if (!v) throw new ImportError(`the imported weights have no "${name}" (they have ${[...names].slice(0, 6).join(', ')}${names.size > 6 ? ', …' : ''})`);
    if (v.shape.join() !== w.shape.join())
      throw new ImportError(`imported weight "${name}" has shape [${v.shape.join(', ')}] but the compiled graph wants [${w.shape.join(', ')}]`);
    names.delete(name);
    return tf.tensor(v.data, v.shape, 'float32');
  });
  if (names.size) {
    values.forEach((t) => t.dispose());
    throw new ImportError(`imported weights ${[...names].slice(0, 6).map((n) => `"${n}"`).join(', ')} belong to no layer of the compiled graph`);
  }
  try {
    model.setWeights(values);
  } finally {
    values.forEach((t) => t.dispose());
  }
}

/** Weights in the tfjs layers-model manifest form (for writing weights.bin next to the graph). */
export function weightsToBin(weights: ImportedWeights): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  const specs: tf.io.WeightsManifestEntry[] = [];
  let bytes = 0;
  for (const [name, w] of Object.entries(weights)) {
    specs.push({ name, shape: w.shape, dtype: 'float32' });
    bytes += w.data.length * 4;
  }
  const data = new Uint8Array(bytes);
  let off = 0;
  for (const w of Object.values(weights)) {
    data.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), off);
    off += w.data.byteLength;
  }
  return { specs, data };
}

/** A model.json (layers-model form, graph in userDefinedMetadata) for imported weights. */
export function importedModelJson(doc: GraphDoc, specs: tf.io.WeightsManifestEntry[]): Record<string, unknown> {
  return {
    format: 'layers-model',
    convertedBy: `${APP_NAME} import`,
    userDefinedMetadata: { [GRAPH_METADATA_KEY]: doc },
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
}

/**
 * Imported weights as the trainer's SavedModel (src/train/weights.ts: model.json + weights.bin
 * bytes), so the canvas can keep them with the imported graph like trained weights.
 */
export function toSavedModel(doc: GraphDoc, weights: ImportedWeights): { modelJson: Record<string, unknown> & { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] }; weights: ArrayBuffer } {
  const { specs, data } = weightsToBin(weights);
  const modelJson = importedModelJson(doc, specs) as Record<string, unknown> & { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  return { modelJson, weights: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer };
}
