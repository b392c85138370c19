// graph → tf.LayersModel (functional API). Inputs are the Input nodes in document order;
// outputs are every output port of the nodes with no outgoing edge, in document order (see
// docs/graph-format.md). Compiling adds nothing: each block's toTfjs is the whole model.
import { mixSeed, withSeededRandom } from './seeded';
import * as tf from '@tensorflow/tfjs';
import { analyze, type Analysis, type BlockLookup } from './infer';
import type { GraphDoc } from './graph';
import type { BlockWeight, SymbolicTensor } from './spec';
import { getBlock } from '../../blocks/index';
import { frozenNodeIds } from './frozen';
import { TensorCopy } from './layers/tensorCopy';
import { walkGraph } from './walk';
import { cleanIdentifier } from './text';

export class CompileError extends Error {
  constructor(
    message: string,
    readonly analysis: Analysis,
  ) {
    super(message);
    this.name = 'CompileError';
  }
}

export interface CompiledModel {
  model: tf.LayersModel;
  /** The analysis of the compiled (flattened) graph: every node here is one block. */
  analysis: Analysis;
  /** The analysis of the document as written (macro instances as single nodes). */
  topAnalysis: Analysis;
  /** The tfjs layers each node created, in creation order (their weights feed the exporters). */
  layersByNode: Map<string, tf.layers.Layer[]>;
  inputNames: string[];
  outputNames: { node: string; port: string }[];
}

export interface CompileOptions {
  lookup?: BlockLookup;
  kernelInitializer?: string;
  /**
   * Seeds the initial weights (training: the config's seed), so a run can be repeated exactly.
   * Without it tfjs' initializers draw from Math.random, as before.
   */
  seed?: number;
}

/** A tfjs-safe layer name from a node id (tfjs allows [A-Za-z0-9_.\-/]). */
export function layerName(id: string): string {
  return cleanIdentifier(id, { invalid: /[^A-Za-z0-9_.\-/]/g, start: /^[A-Za-z]/, prefix: 'n_' });
}

export function compile(doc: GraphDoc, opts: CompileOptions = {}): CompiledModel {
  return opts.seed === undefined ? build(doc, opts) : withSeededRandom(mixSeed(opts.seed, 0x1417), () => build(doc, opts));
}

function build(doc: GraphDoc, opts: CompileOptions): CompiledModel {
  const lookup = opts.lookup ?? getBlock;
  const top = analyze(doc, lookup);
  if (!top.ok) {
    const first = top.errors[0]!;
    throw new CompileError(`graph has ${top.errors.length} error(s); first: ${first.message}`, top);
  }
  // Macro blocks compile from the flattened graph (inner layers are named "instance/inner").
  const analysis = top.flat;
  const layersByNode = new Map<string, tf.layers.Layer[]>();
  const usedNames = new Set<string>();
  const { inputs, outputs } = walkGraph<SymbolicTensor>(analysis, (id, info, fed) => {
    const spec = info.spec!;
    let base = layerName(id);
    while (usedNames.has(base)) base += '_';
    usedNames.add(base);
    const layers: tf.layers.Layer[] = [];
    layersByNode.set(id, layers);
    const seen = new Set<SymbolicTensor>();
    const inputs = fed.map((t, k) => {
      if (t === undefined) return undefined;
      if (!seen.has(t)) {
        seen.add(t);
        return t;
      }
      // The same tensor on a second slot gets a copy of its own (see src/core/layers/tensorCopy.ts).
      let copyName = `${base}/${info.inputPorts[k]}_copy`;
      while (usedNames.has(copyName)) copyName += '_';
      usedNames.add(copyName);
      return new TensorCopy({ name: copyName }).apply(t) as SymbolicTensor;
    });
    return spec.toTfjs(inputs, info.params, {
      tf,
      name: base,
      register: (l) => {
        layers.push(l);
        return distinctOutputs(l);
      },
      inputDtypes: info.inputDtypes,
      kernelInitializer: opts.kernelInitializer,
    });
  });
  const model = tooDeep(analysis, top, () => tf.model({ inputs, outputs, name: layerName(doc.name ?? 'model') }));
  for (const id of frozenNodeIds(doc)) for (const l of layersByNode.get(id) ?? []) freeze(l);
  return { model, analysis, topAnalysis: top, layersByNode, inputNames: analysis.inputs, outputNames: analysis.outputs };
}

/**
 * tfjs builds a model's graph by recursing once per layer of depth, so a chain deeper than the
 * JavaScript stack holds (a few thousand blocks on a browser's or Node's default stack; the CLI
 * runs with 256 MB) ends in "Maximum call stack size exceeded". Said as what it is, with the depth.
 */
function tooDeep<T>(analysis: Analysis, top: Analysis, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (!(e instanceof RangeError) || !/call stack/i.test(e.message)) throw e;
    const depth = walkGraph<number>(analysis, (_id, info, ins) => info.outputPorts.map(() => 1 + Math.max(0, ...ins.map((d) => d ?? 0))));
    const deepest = Math.max(0, ...depth.outputs);
    throw new CompileError(
      `the graph is ${deepest.toLocaleString('en-US')} blocks deep and tfjs ran out of stack building it (it recurses once per block of depth; this JavaScript stack holds a few thousand): ` +
        'make the graph shallower, or compile, train and export it with the neural-blocks CLI, which runs with a 256 MB stack (100,000 blocks deep)',
      top,
    );
  }
}

/**
 * A frozen block's layer: its weights leave model.trainableWeights (the training loop steps only
 * those). A layer that also keeps statistics (BatchNormalization's moving mean and variance) runs
 * in inference mode, as Keras does, so a frozen block's weights stay bit-identical through training.
 */
function freeze(l: tf.layers.Layer): void {
  const keepsStatistics = l.nonTrainableWeights.length > 0; // read before: frozen, every weight is non-trainable
  l.trainable = false;
  if (!keepsStatistics) return;
  const call = l.call.bind(l);
  l.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
}

/**
 * Makes a layer return a tensor of its own on every output. tfjs' recurrent layers return the
 * same tensor as "out" and "h" when returnSequences is off; the executor then frees it once the
 * readers of one port are done, under the readers of the other ("Tensor is disposed"). tfjs'
 * Layer.apply already clones an output that is also an input; this does the same for an output
 * repeated among the outputs (a clone shares the data, so it costs nothing).
 */
function distinctOutputs<L extends tf.layers.Layer>(layer: L): L {
  const call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    const ys = call(inputs, kwargs);
    if (!Array.isArray(ys)) return ys;
    const seen = new Set<tf.Tensor>();
    return ys.map((y) => {
      if (!seen.has(y)) {
        seen.add(y);
        return y;
      }
      return tf.clone(y);
    });
  };
  return layer;
}

/** A weight's values as a Float32Array of its own (a copy: training may change the variable later). */
const copyData = (_name: string, v: tf.Tensor): Float32Array => new Float32Array(v.dataSync() as Float32Array);

/**
 * The weights of one node's layers, in getWeights() order, as plain arrays (for exporters).
 * `data` reads one weight's values; by default a copy (onnx/export.ts' liveWeights reads them in place).
 */
export function nodeWeights(c: CompiledModel, id: string, data: (name: string, v: tf.Tensor) => Float32Array = copyData): BlockWeight[] {
  const out: BlockWeight[] = [];
  for (const layer of c.layersByNode.get(id) ?? []) {
    for (const w of layer.weights) {
      const v = w.read();
      out.push({ name: w.originalName ?? w.name, shape: v.shape.slice(), data: data(w.name, v) });
    }
  }
  return out;
}
