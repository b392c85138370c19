// Starting a fine-tune: the new graph's model gets the starting weights (a previous run's, or an
// imported model's) for every block that is unchanged, and keeps its fresh initial weights for
// the blocks that changed (a replaced head; core/fineTune.ts changedBlocks). Merging happens on
// the saved bytes (model.json manifest + weights.bin), so a block's carried weights are
// bit-identical to the ones it was trained to. The same merge starts a graph from weights trained
// for a different graph, block by block (experiment 8: a pretraining graph's encoder into a
// classifier with a new head), in the worker and in scripts/measure-experiments.ts alike.
import type * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from '../core/compile';
import { changedBlocks } from '../core/fineTune';
import type { GraphDoc } from '../core/graph';
import { analyze } from '../core/infer';
import { graphFromModelJson, loadWeightsInto, saveModel, WeightsError, type SavedModel } from './weights';

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
export function mergeWeights(fresh: SavedModel, trained: SavedModel, keepFresh: ReadonlySet<string>, source = 'the starting weights', blockOf: (weight: string) => string | undefined = () => undefined): SavedModel {
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
    const block = blockOf(name);
    const of = block ? ` for block "${block}"` : '';
    if (!t) throw new WeightsError(`${source}: no weight "${name}"${of} (they have ${[...from.keys()].slice(0, 6).join(', ')}${from.size > 6 ? ', …' : ''}) — start the fine-tune from weights trained for this graph, or change that block so it starts afresh`);
    if (t.spec.shape.join() !== w.spec.shape.join() || t.spec.dtype !== w.spec.dtype)
      throw new WeightsError(`${source}: ${block ? `block "${block}": ` : ''}weight "${name}" is ${t.spec.dtype} [${t.spec.shape.join(', ')}] there but ${w.spec.dtype} [${w.spec.shape.join(', ')}] in the graph`);
    out.set(trainedBytes.subarray(t.offset, t.offset + t.size), w.offset);
  }
  return { modelJson: fresh.modelJson, weights: out.buffer };
}

/** Each weight's bytes in weights.bin, by weight name (views, not copies). */
export function weightBytes(m: SavedModel, source = 'the weights'): Map<string, Uint8Array> {
  const bytes = new Uint8Array(m.weights);
  return new Map([...layout(m, source)].map(([name, w]) => [name, bytes.subarray(w.offset, w.offset + w.size)]));
}

/** Which block of the compiled graph a weight belongs to (a macro's inner block as "macro/inner"). */
function blockIndex(c: CompiledModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, layers] of c.layersByNode) for (const l of layers) for (const w of l.weights) out.set(w.originalName, id);
  return out;
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
  const blocks = blockIndex(c);
  loadWeightsInto(c.model, mergeWeights(initial, trained, weightNamesOf(c, fresh), source, (w) => blocks.get(w)), source);
}

/** Weights trained for one graph going into another, block by block. */
export interface BlockTransfer {
  /** Blocks with weights that take the trained ones (same id, type, params and input shapes). */
  carried: string[];
  /** Blocks with weights that start from their own initial weights (new, or changed: a new head). */
  fresh: string[];
}

/**
 * What starting `graph` from weights trained for `trainedFor` does to each of its blocks with
 * weights. Blocks only `trainedFor` has (a pretraining head) are left behind.
 */
export function blockTransfer(trainedFor: GraphDoc, graph: GraphDoc): BlockTransfer {
  const fresh = changedBlocks(trainedFor, graph);
  const a = analyze(graph);
  const weighted = graph.nodes.filter((n) => (a.nodes.get(n.id)?.paramCount?.trainable ?? 0) + (a.nodes.get(n.id)?.paramCount?.nonTrainable ?? 0) > 0).map((n) => n.id);
  return { carried: weighted.filter((id) => !fresh.includes(id)), fresh };
}

/**
 * Fills `c` (compiled from `graph`) from weights trained for another graph (`trainedFor`; by
 * default the one `trained` says it was trained for): carried blocks byte for byte, fresh blocks
 * keep their initial weights. A carried block whose weights do not fit is an error naming it.
 */
export async function startFromBlocks(c: CompiledModel, graph: GraphDoc, trained: SavedModel, trainedFor?: GraphDoc, source = 'the starting weights'): Promise<BlockTransfer> {
  const from = trainedFor ?? graphFromModelJson(trained.modelJson);
  if (!from) throw new WeightsError(`${source}: the weights do not say which graph they were trained for, so which blocks carry over is unknown`);
  const t = blockTransfer(from, graph);
  await loadFineTuneWeights(c, trained, t.fresh, source);
  return t;
}
