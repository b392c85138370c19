// Starting a fine-tune: the new graph's model gets the starting weights (a previous run's, or an
// imported model's) for every block that is unchanged, and keeps its fresh initial weights for
// the blocks that changed (a replaced head; core/fineTune.ts changedBlocks). Merging happens on
// the saved bytes (model.json manifest + weights.bin), so a block's carried weights are
// bit-identical to the ones it was trained to.
import type * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from '../core/compile';
import { loadWeightsInto, saveModel, WeightsError, type SavedModel } from './weights';

type Spec = tf.io.WeightsManifestEntry;

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1 };

function byteSize(s: Spec): number {
  const per = BYTES[s.dtype];
  if (per === undefined) throw new WeightsError(`weight "${s.name}" has dtype ${JSON.stringify(s.dtype)}; only float32, int32, bool and uint8 are read`);
  return s.shape.reduce((a, b) => a * b, 1) * per;
}

/** Each weight's spec and its bytes' place in weights.bin; checks the file holds what the manifest says. */
function layout(m: SavedModel, source: string): Map<string, { spec: Spec; offset: number; size: number }> {
  const manifest = m.modelJson.weightsManifest;
  if (!Array.isArray(manifest)) throw new WeightsError(`${source}: model.json has no "weightsManifest"`);
  const out = new Map<string, { spec: Spec; offset: number; size: number }>();
  let offset = 0;
  for (const spec of manifest.flatMap((g) => g.weights)) {
    const size = byteSize(spec);
    out.set(spec.name, { spec, offset, size });
    offset += size;
  }
  if (offset !== m.weights.byteLength) throw new WeightsError(`${source}: weights.bin has ${m.weights.byteLength} bytes, the manifest describes ${offset}`);
  return out;
}

/**
 * The weights for the new model: `fresh` (its own initial weights, which also fixes the order and
 * shapes) with every weight not named in `keepFresh` taken byte for byte from `trained`. A carried
 * weight missing from `trained` or shaped differently there is an error that names it.
 */
export function mergeWeights(fresh: SavedModel, trained: SavedModel, keepFresh: ReadonlySet<string>, source = 'the starting weights'): SavedModel {
  const own = layout(fresh, 'the new model');
  const from = layout(trained, source);
  const out = new Uint8Array(fresh.weights.byteLength);
  const freshBytes = new Uint8Array(fresh.weights);
  const trainedBytes = new Uint8Array(trained.weights);
  for (const [name, w] of own) {
    if (keepFresh.has(name)) {
      out.set(freshBytes.subarray(w.offset, w.offset + w.size), w.offset);
      continue;
    }
    const t = from.get(name);
    if (!t) throw new WeightsError(`${source}: no weight "${name}" (they have ${[...from.keys()].slice(0, 6).join(', ')}${from.size > 6 ? ', …' : ''}) — start the fine-tune from weights trained for this graph, or change that block so it starts afresh`);
    if (t.spec.shape.join() !== w.spec.shape.join() || t.spec.dtype !== w.spec.dtype)
      throw new WeightsError(`${source}: weight "${name}" is ${t.spec.dtype} [${t.spec.shape.join(', ')}] there but ${w.spec.dtype} [${w.spec.shape.join(', ')}] in the graph`);
    out.set(trainedBytes.subarray(t.offset, t.offset + t.size), w.offset);
  }
  return { modelJson: fresh.modelJson, weights: out.buffer };
}

/** The weight names of the compiled layers of `nodes` (a macro node: every block inside it). */
export function weightNamesOf(c: CompiledModel, nodes: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const [id, layers] of c.layersByNode)
    if (nodes.some((n) => id === n || id.startsWith(`${n}/`))) for (const l of layers) for (const w of l.weights) names.add(w.originalName);
  return names;
}

/**
 * Fills a freshly compiled model for a fine-tune: `fresh` lists the blocks that start from their
 * initial weights; every other block takes its weights from `trained`.
 */
export async function loadFineTuneWeights(c: CompiledModel, trained: SavedModel, fresh: readonly string[], source = 'the starting weights'): Promise<void> {
  const initial = await saveModel(c.model);
  loadWeightsInto(c.model, mergeWeights(initial, trained, weightNamesOf(c, fresh), source), source);
}
