// The --weights and --seed options of export, export --pytorch and parity: how a graph's
// compiled model gets its weights from a saved tfjs model.json, or seeded random ones.
import { MAX_GRAPH_TEXT, stripBom } from '../../core/limits';
import type { CompiledModel } from '../../core/compile';
import { loadWeightsInto, WeightsError, type SavedModel } from '../../train/weights';
import { readUserFile, readWeightFiles } from '../weightFiles';
import { CliUsageError } from '../command';

/** --seed N: a non-negative integer (default 1). */
export function parseSeed(v: string | undefined): number {
  if (v === undefined) return 1;
  if (!/^\d+$/.test(v)) throw new CliUsageError(`--seed must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/**
 * Sets the compiled model's weights from a saved tfjs model.json (the weight files it lists sit
 * beside it), through the trainer's loader (src/train/weights.ts): matched by name, every shape
 * checked. Any problem is a usage error (exit 2) naming the file and the weight.
 */
export async function loadWeightsFile(c: CompiledModel, path: string): Promise<void> {
  let modelJson: SavedModel['modelJson'];
  const text = new TextDecoder().decode(await readUserFile(path, 'weights', MAX_GRAPH_TEXT));
  try {
    modelJson = JSON.parse(stripBom(text)) as SavedModel['modelJson'];
  } catch (e) {
    throw new CliUsageError(`cannot read weights ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(modelJson?.weightsManifest)) throw new CliUsageError(`${path} has no "weightsManifest": expected a tfjs model.json (as saved by neural-blocks train)`);
  const weights = (await readWeightFiles(path, modelJson)) ?? new Uint8Array(0);
  try {
    loadWeightsInto(c.model, { modelJson, weights: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer }, path);
  } catch (e) {
    if (e instanceof WeightsError) throw new CliUsageError(e.message);
    throw e;
  }
}
