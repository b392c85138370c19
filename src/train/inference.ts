// The training worker's inference: predictions for the Try-it panel and the ONNX comparison, with
// probes (the first conv layer's filters and activations, attention score maps), greedy decoding
// (decode.ts) and a timed test batch. Works on whatever model the session holds.
import * as tf from '@tensorflow/tfjs';
import { compile, type CompiledModel } from '../core/compile';
import { BLOCKS, getBlock } from '../../blocks/index';
import type { GraphDoc } from '../core/graph';
import { exampleSize, sliceSplit, type Dataset, type TensorData } from '../data/dataset';
import type { TrainingConfig } from './config';
import { argmaxAt, greedyDecode } from './decode';
import type { Decoded, Prediction, Probe, TestBatch } from './protocol';

/** The part of the worker's session that inference reads. */
export interface Model {
  graph: GraphDoc;
  config: TrainingConfig;
  compiled: CompiledModel;
  data?: Dataset;
}

let probeCache:
  | {
      compiled: CompiledModel;
      model: tf.LayersModel | null;
      probes: Omit<Probe, 'shape' | 'data'>[];
      /** A twin of the model with returnAttentionScores on (its weights are copied before each use). */
      twin?: CompiledModel;
    }
  | undefined;

export function disposeProbes(): void {
  try {
    probeCache?.model?.dispose?.();
    probeCache?.twin?.model.dispose();
  } catch {
    // buffers of a lost device go with it
  }
  probeCache = undefined;
}

const ATTENTION_TYPES = new Set(BLOCKS.filter((b) => b.probe === 'attention').map((b) => b.type));

/**
 * Attention blocks show their weights only with returnAttentionScores on, and templates leave it
 * off (nothing downstream uses the map). For the heatmap, compile a twin of the graph with it on:
 * the same layers, names and weights in the same order, plus a "scores" output on each attention
 * node (unconnected, so the model's outputs stay the same).
 */
function attentionTwin(s: Model): CompiledModel | undefined {
  const off = s.graph.nodes.filter((n) => ATTENTION_TYPES.has(n.type) && !(n.params as Record<string, unknown> | undefined)?.returnAttentionScores);
  if (!off.length) return undefined;
  const ids = new Set(off.map((n) => n.id));
  const graph: GraphDoc = { ...s.graph, nodes: s.graph.nodes.map((n) => (ids.has(n.id) ? { ...n, params: { ...n.params, returnAttentionScores: true } } : n)) };
  try {
    const twin = compile(graph, { kernelInitializer: s.config.kernelInitializer });
    if (twin.model.weights.length !== s.compiled.model.weights.length) {
      twin.model.dispose();
      return undefined;
    }
    return twin;
  } catch {
    return undefined; // no heatmap rather than no prediction
  }
}

/** A model with extra outputs: the first Conv2D's activations and every attention score map. */
function probes(s: Model): NonNullable<typeof probeCache> {
  const c0 = s.compiled;
  if (probeCache?.compiled === c0) return probeCache;
  disposeProbes();
  const twin = attentionTwin(s);
  const c = twin ?? c0;
  const outs: tf.SymbolicTensor[] = [];
  const meta: Omit<Probe, 'shape' | 'data'>[] = [];
  let conv = false;
  for (const id of c.analysis.order) {
    const info = c.analysis.nodes.get(id)!;
    const layers = c.layersByNode.get(id) ?? [];
    const last = layers[layers.length - 1];
    if (!last) continue;
    try {
      if (!conv && getBlock(info.type)?.probe === 'activations') {
        const o = last.output;
        outs.push((Array.isArray(o) ? o[0] : o) as tf.SymbolicTensor);
        meta.push({ node: id, kind: 'activations' });
        conv = true;
      } else if (ATTENTION_TYPES.has(info.type) && info.outputPorts.includes('scores')) {
        const o = last.output;
        if (Array.isArray(o) && o.length > 1) {
          outs.push(o[info.outputPorts.indexOf('scores')] as tf.SymbolicTensor);
          meta.push({ node: id, kind: 'attention' });
        }
      }
    } catch {
      // a layer applied more than once has no single output; skip it
    }
  }
  const model = outs.length ? tf.model({ inputs: c.model.inputs, outputs: outs }) : null;
  probeCache = { compiled: c0, model, probes: meta, twin };
  return probeCache;
}

function batchOf(inputs: TensorData[]): tf.Tensor[] {
  return inputs.map((t) => tf.tensor(t.data, [t.data.length / exampleSize(t), ...t.shape], t.dtype));
}

export async function predict(s: Model, inputs: TensorData[], withProbes = true): Promise<Prediction> {
  const xs = batchOf(inputs);
  const t0 = performance.now();
  const out = s.compiled.model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  const outputs = await Promise.all(outs.map(async (o) => ({ shape: o.shape.slice(), data: new Float32Array((await o.data()) as Float32Array) })));
  const ms = performance.now() - t0;
  const found: Probe[] = [];
  const p = withProbes ? probes(s) : undefined;
  if (p?.model) {
    // The twin has its own copies of the weights: bring them up to date (training moved them).
    if (p.twin) p.twin.model.setWeights(s.compiled.model.getWeights());
    const r = p.model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
    const rs = Array.isArray(r) ? r : [r];
    for (let i = 0; i < rs.length; i++) found.push({ ...p.probes[i]!, shape: rs[i]!.shape.slice(), data: new Float32Array((await rs[i]!.data()) as Float32Array) });
    rs.forEach((t) => t.dispose());
    const conv = p.probes.find((q) => q.kind === 'activations');
    const kernel = conv && s.compiled.layersByNode.get(conv.node)?.[0]?.getWeights()[0];
    if (conv && kernel) found.push({ node: conv.node, kind: 'filters', shape: kernel.shape.slice(), data: new Float32Array((await kernel.data()) as Float32Array) });
  }
  xs.forEach((t) => t.dispose());
  outs.forEach((t) => t.dispose());
  return { outputs, probes: found, ms };
}

/**
 * Greedy decoding of one typed sequence (decode.ts), from the data's start token. `endId` is the
 * </s> token's id, or -1 when the vocabulary has none (fixed-length tasks such as reversal, where
 * id 2 is an ordinary symbol): then all T steps are decoded.
 */
export async function decode(s: Model, source: Int32Array, maxLen: number, start: number, endId: number): Promise<Decoded> {
  const inShapes = s.compiled.analysis.inputs.map((id) => s.compiled.analysis.nodes.get(id)!.outputShapes!.out!.slice(1));
  if (inShapes.length !== 2) throw new Error(`greedy decoding needs a seq2seq graph with 2 inputs (source, decoder input); this one has ${inShapes.length}`);
  const T = (inShapes[1]![0] as number | null) ?? maxLen;
  const L = inShapes[0]![0] as number | null;
  if (L !== null && source.length > L) throw new Error(`the input has ${source.length} tokens but Input "${s.compiled.analysis.inputs[0]}" takes ${L} — type at most ${L}`);
  if (source.length === 0) throw new Error('type an input sequence first');
  const src = new Int32Array(L ?? source.length);
  src.set(source);
  const feed = (dec: Int32Array, withProbes: boolean) =>
    predict(
      s,
      [
        { shape: [src.length], dtype: 'int32', data: src },
        { shape: [T], dtype: 'int32', data: dec },
      ],
      withProbes,
    );
  let last: Prediction | undefined;
  const r = await greedyDecode(
    1,
    T,
    start,
    async (dec, t) => {
      last = await feed(dec, false);
      const o = last.outputs[0]!;
      const V = o.shape[o.shape.length - 1]!;
      return [argmaxAt(o.data, t * V, V)];
    },
    endId < 0 ? undefined : endId,
  );
  // The attention maps once, for the decoder input as fed at the last step (the decoder is causal,
  // so every earlier row is the one that step saw).
  const final = await feed(r.dec, true);
  return { tokens: Array.from(r.tokens.subarray(0, r.lengths[0])), prediction: { ...final, ms: last!.ms } };
}

/** The first `count` test examples and their prediction, timed as the median of five runs. */
export async function testBatch(s: Model, count: number): Promise<TestBatch> {
  if (!s.data) throw new Error('no dataset loaded');
  const n = Math.min(count, s.data.test.n);
  const part = sliceSplit(s.data.test, 0, n);
  const inputs = part.x.map((t) => ({ shape: t.shape, dtype: t.dtype, data: t.data.slice() }) as TensorData);
  await predict(s, inputs); // warm-up (shader compilation) so the timing is the steady state
  const runs: Prediction[] = [];
  for (let i = 0; i < 5; i++) runs.push(await predict(s, inputs));
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[2]!;
  return { inputs, prediction: { ...runs[0]!, ms } };
}
