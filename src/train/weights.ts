// Trained weights in the standard tfjs layers-model format (model.json + weights.bin), so a
// model trained here loads in any tfjs app, and our own graph rides along in the model.json's
// userDefinedMetadata. Loading matches weights by name and checks every shape.
import * as tf from '@tensorflow/tfjs';
import type { GraphDoc } from '../core/graph';
import { APP_NAME, GRAPH_METADATA_KEY } from '../core/constants';

export interface SavedModel {
  /** The model.json object. */
  modelJson: Record<string, unknown> & { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  /** The weights.bin bytes. */
  weights: ArrayBuffer;
}

export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

export async function saveModel(model: tf.LayersModel, graph?: GraphDoc): Promise<SavedModel> {
  if (graph) model.setUserDefinedMetadata({ [GRAPH_METADATA_KEY]: graph as unknown as object });
  let out: SavedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights = tf.io.concatenateArrayBuffers(a.weightData ?? new ArrayBuffer(0));
      out = {
        modelJson: {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: APP_NAME,
          modelTopology: a.modelTopology,
          userDefinedMetadata: a.userDefinedMetadata,
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
        },
        weights,
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

/** Reads the graph our exports carry, if any. */
export function graphFromModelJson(modelJson: Record<string, unknown>): GraphDoc | undefined {
  const meta = modelJson.userDefinedMetadata as Record<string, unknown> | undefined;
  return meta?.[GRAPH_METADATA_KEY] as GraphDoc | undefined;
}

/**
 * Sets a compiled model's weights from a saved model.json + weights.bin, by weight name
 * (e.g. "c1/kernel"). Every weight of the model must be present with the same shape.
 */
export function loadWeightsInto(model: tf.LayersModel, saved: SavedModel, source = 'weights'): void {
  const manifest = saved.modelJson.weightsManifest;
  if (!Array.isArray(manifest)) throw new WeightsError(`${source}: model.json has no "weightsManifest"`);
  const specs = manifest.flatMap((g) => g.weights);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : 1), 0);
  if (saved.weights.byteLength !== expected)
    throw new WeightsError(`${source}: weights.bin has ${saved.weights.byteLength} bytes, the manifest describes ${expected}`);
  const named = tf.io.decodeWeights(saved.weights, specs);
  try {
    const values = model.weights.map((w) => {
      const name = w.originalName;
      const t = named[name];
      if (!t) throw new WeightsError(`${source}: no weight "${name}" (the file has ${Object.keys(named).slice(0, 6).join(', ')}${specs.length > 6 ? ', …' : ''}) — were these weights trained for this graph?`);
      if (t.shape.join() !== w.shape.join())
        throw new WeightsError(`${source}: weight "${name}" has shape [${t.shape.join(', ')}] in the file but [${w.shape.join(', ')}] in the graph — the block's params changed since training`);
      return t;
    });
    model.setWeights(values);
  } finally {
    Object.values(named).forEach((t) => t.dispose());
  }
}
