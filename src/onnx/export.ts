// Compiled graph (tfjs model + analysis) → ONNX ModelProto bytes, opset 17, IR version 8.
//
// The walk follows the analysis' topological order and asks each block's spec to emit its own
// nodes (BlockSpec.toOnnx) through an emission context that hands out unique value names and
// collects nodes and initializers. The model's interface matches the tfjs model's:
// - inputs: one per Input node, named after its node id, dtype as the Input's (int32 stays
//   int32), shape with a symbolic batch "N" (and "<id>_d<k>" for other unknown dims);
// - outputs: every output port of the nodes with no outgoing edge, in the tfjs model's order,
//   named after the node id — or "<id>.<port>" when that node has several output ports (an
//   LSTM with returnState gives "lstm1.out", "lstm1.h", "lstm1.c"); an output inside a macro
//   block is named after the instance ("<instance>.<macro output>" when it has several);
// - tensors stay channels-last (NHWC) at the interface, as in tfjs.
// The graph JSON travels in metadata_props under "neural-blocks.graph", so our own exports can
// be reopened as editable graphs. No Node-only APIs: this runs in the browser too.
import { nodeWeights, type CompiledModel } from '../core/compile';
import type { Analysis } from '../core/infer';
import type { GraphDoc } from '../core/graph';
import type { BlockWeight, OnnxAttr, OnnxContext, OnnxDType, OnnxTensorValue, Shape } from '../core/spec';
import { expandMacros, hasMacros } from '../core/macro';
import { walkGraph } from '../core/walk';
import { cleanIdentifier } from '../core/text';
import { APP_NAME, APP_VERSION, GRAPH_METADATA_KEY } from '../core/constants';
import { encodeModel, type DimData, type ModelData, type NodeData, type TensorData, type ValueInfoData } from './proto';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export { GRAPH_METADATA_KEY };

/** Export refused: a node cannot be exported (the message names it and says why). */
export class OnnxExportError extends Error {
  constructor(
    message: string,
    readonly nodes: UnsupportedNode[] = [],
  ) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

export interface UnsupportedNode {
  node: string;
  type: string;
  reason: string;
}

export interface ExportOptions {
  /** The graph document; stored in metadata_props ("neural-blocks.graph") when given. */
  graph?: GraphDoc;
  /** Model doc_string. */
  docString?: string;
  /** Symbolic name of the batch dimension (default "N"). */
  batchDim?: string;
  /**
   * Reads a node's weights. Default: the tfjs variables' own data, no copy (the exporter never
   * writes into it). Swap in for trained weights held elsewhere.
   */
  weights?: (c: CompiledModel, nodeId: string) => BlockWeight[];
}

/**
 * Every node of an analysed graph that cannot be exported, with the reason (for the UI's badge
 * and the export error): a block without toOnnx, or whose onnxUnsupported(params, input shapes) says why not.
 * Works on the flattened graph, so a node inside a macro block is reported by its flat id
 * ("instance/inner").
 */
export function onnxUnsupportedNodes(analysis: Analysis): UnsupportedNode[] {
  const out: UnsupportedNode[] = [];
  const a = analysis.flat ?? analysis;
  for (const id of a.order) {
    const info = a.nodes.get(id)!;
    const spec = info.spec;
    if (!spec) continue;
    const why = spec.onnxUnsupported?.(info.params as never, info.inputShapes);
    if (why) out.push({ node: id, type: info.type, reason: why });
    else if (!spec.toOnnx) out.push({ node: id, type: info.type, reason: `${info.type} has no ONNX exporter (no toOnnx)` });
  }
  return out;
}

/**
 * The ONNX output value name of a graph output (see the module comment). With macro blocks,
 * pass the document: an output inside a macro instance is then named after the instance (and
 * the macro's output port when it has several), as the user sees it on the canvas.
 */
export function onnxOutputName(analysis: Analysis, o: { node: string; port: string }, doc?: GraphDoc): string {
  const k = analysis.outputs.findIndex((x) => x.node === o.node && x.port === o.port);
  if (k < 0) return preferredOutputName(analysis, o, doc).name;
  return onnxOutputNames(analysis, doc)[k]!;
}

/** The name an output would like (and whether it is a node's own id, which always wins). */
function preferredOutputName(analysis: Analysis, o: { node: string; port: string }, doc?: GraphDoc): { name: string; own: boolean } {
  const top = doc ? macroOutputOwner(doc).get(`${o.node}\0${o.port}`) : undefined;
  if (top) return top.ports > 1 ? { name: `${top.id}.${top.port}`, own: false } : { name: top.id, own: true };
  const ports = analysis.nodes.get(o.node)!.outputPorts;
  return ports.length > 1 ? { name: `${o.node}.${o.port}`, own: false } : { name: o.node, own: true };
}

const namesCache = new WeakMap<Analysis, Map<GraphDoc | undefined, string[]>>();
/**
 * The ONNX names of all graph outputs, parallel to analysis.outputs, unique by construction:
 * inputs and outputs named by their own node id keep it (ids are unique); a derived name
 * ("<id>.<port>") that another value already has — an LSTM "l" with states beside a node
 * named "l.h" — gets the first free "_1", "_2"… suffix, in output order.
 */
export function onnxOutputNames(analysis: Analysis, doc?: GraphDoc): string[] {
  let byDoc = namesCache.get(analysis);
  if (!byDoc) namesCache.set(analysis, (byDoc = new Map()));
  const hit = byDoc.get(doc);
  if (hit) return hit;
  const wanted = analysis.outputs.map((o) => preferredOutputName(analysis, o, doc));
  const taken = new Set<string>(analysis.inputs);
  for (const w of wanted) if (w.own) taken.add(w.name);
  const names = wanted.map((w) => {
    if (w.own) return w.name;
    let name = w.name;
    for (let k = 1; taken.has(name); k++) name = `${w.name}_${k}`;
    taken.add(name);
    return name;
  });
  byDoc.set(doc, names);
  return names;
}

const ownerCache = new WeakMap<GraphDoc, Map<string, { id: string; port: string; ports: number }>>();
/** Flat `${node}\0${port}` → the macro instance (and its output port) it is an output of. */
function macroOutputOwner(doc: GraphDoc): Map<string, { id: string; port: string; ports: number }> {
  let m = ownerCache.get(doc);
  if (m) return m;
  m = new Map();
  if (hasMacros(doc)) {
    const ex = expandMacros(doc);
    for (const [id, inst] of ex.instances) {
      const outs = [...inst.outs];
      for (const [port, src] of outs) m.set(`${src.node}\0${src.port ?? 'out'}`, { id, port, ports: outs.length });
    }
  }
  ownerCache.set(doc, m);
  return m;
}

/** The weights of a node's tfjs layers in getWeights() order, without copying their data. */
export function liveWeights(c: CompiledModel, id: string): BlockWeight[] {
  return nodeWeights(c, id, (name, v) => {
    const data = v.dataSync();
    if (!(data instanceof Float32Array)) throw new Error(`weight ${name} of node "${id}" is ${v.dtype}, not float32`);
    return data;
  });
}

function onnxDType(d: string | undefined): OnnxDType {
  if (d === undefined || d === 'float32') return 'float32';
  if (d === 'int32') return 'int32';
  throw new Error(`unsupported tensor dtype ${JSON.stringify(d)} at the ONNX interface`);
}

/** ONNX-safe-ish identifier fragment for hints. */
function clean(hint: string): string {
  return cleanIdentifier(hint, { invalid: /[^A-Za-z0-9_./:-]/g }) || 'v';
}

/** The emission context: unique names, nodes and initializers of the graph under construction. */
export class OnnxGraphBuilder implements OnnxContext {
  readonly nodes: NodeData[] = [];
  readonly initializers: TensorData[] = [];
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();
  /** Prefix for names made while a node is emitted (its id), so the ONNX graph reads like the canvas. */
  scope = '';

  /** Reserves names (graph inputs and outputs) so nothing else takes them. */
  reserve(name: string): void {
    if (this.used.has(name)) throw new Error(`ONNX value name "${name}" is used twice`);
    this.used.add(name);
  }

  uniqueName(hint: string): string {
    const base = clean(this.scope ? `${this.scope}/${hint}` : hint);
    let k = this.counters.get(base) ?? 0;
    let name = k === 0 ? base : `${base}_${k}`;
    while (this.used.has(name)) name = `${base}_${++k}`;
    this.counters.set(base, k + 1);
    this.used.add(name);
    return name;
  }

  node(opType: string, inputs: string[], attrs: Record<string, OnnxAttr> = {}, opts: { outputs?: number; name?: string; outputNames?: string[]; docString?: string } = {}): string[] {
    for (const i of inputs) if (typeof i !== 'string') throw new Error(`${opType} node in "${this.scope}": input ${JSON.stringify(i)} is not a value name`);
    const outputs = opts.outputNames ?? Array.from({ length: opts.outputs ?? 1 }, () => this.uniqueName(opType.toLowerCase()));
    if (opts.outputNames) for (const o of opts.outputNames) if (!this.used.has(o)) this.used.add(o);
    const node: NodeData = { opType, inputs, outputs, attrs, name: this.uniqueName(opts.name ?? `${opType}_node`) };
    if (opts.docString) node.docString = opts.docString;
    this.nodes.push(node);
    return outputs;
  }

  initializer(hint: string, value: OnnxTensorValue): string {
    const n = value.dims.reduce((a, b) => a * b, 1);
    if (value.data.length !== n) throw new Error(`initializer "${hint}" in "${this.scope}": ${value.data.length} values for dims ${JSON.stringify(value.dims)} (${n})`);
    const name = this.uniqueName(hint);
    this.initializers.push({ name, ...value });
    return name;
  }

  constInt64(hint: string, values: number[], dims: number[] = [values.length]): string {
    return this.initializer(hint, { dtype: 'int64', dims, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
  }

  constFloat(hint: string, values: number[] | Float32Array, dims: number[]): string {
    return this.initializer(hint, { dtype: 'float32', dims, data: Float32Array.from(values) });
  }
}

function valueInfo(name: string, dtype: OnnxDType, shape: Shape | undefined, batch: string, owner: string): ValueInfoData {
  if (!shape) return { name, dtype };
  const dims: DimData[] = shape.map((d, k) => (k === 0 ? batch : d === null ? `${owner}_d${k}` : d));
  return { name, dtype, shape: dims };
}

/**
 * Builds the ONNX model of a compiled graph. Throws OnnxExportError naming every node that
 * cannot be exported (and why) before emitting anything.
 */
export function buildOnnxModel(compiled: CompiledModel, opts: ExportOptions = {}): ModelData {
  const a = compiled.analysis;
  const unsupported = onnxUnsupportedNodes(a);
  if (unsupported.length) {
    throw new OnnxExportError(
      `cannot export to ONNX: ${unsupported.map((u) => `node "${u.node}" (${u.type}): ${u.reason}`).join('; ')}`,
      unsupported,
    );
  }
  const batch = opts.batchDim ?? 'N';
  const readWeights = opts.weights ?? liveWeights;
  const b = new OnnxGraphBuilder();
  const inputs: ValueInfoData[] = [];
  const outputs: ValueInfoData[] = [];

  for (const id of a.inputs) {
    const info = a.nodes.get(id)!;
    b.reserve(id);
    inputs.push(valueInfo(id, onnxDType(info.outputDtypes?.out), info.outputShapes?.out, batch, id));
  }
  const outNames = onnxOutputNames(a, opts.graph);
  // An output that is an Input node itself keeps the input's name (the same value).
  for (const n of new Set(outNames)) if (!a.inputs.includes(n)) b.reserve(n);

  const walked = walkGraph<string>(a, (id, info, ins) => {
    b.scope = id;
    let outs: string[];
    try {
      outs = info.spec!.toOnnx!(b, {
        params: info.params as never,
        nodeId: id,
        inputs: ins,
        inputShapes: info.inputShapes,
        inputDtypes: info.inputDtypes,
        outputShapes: info.outputPorts.map((p) => info.outputShapes![p]!),
        weights: readWeights(compiled, id),
      });
    } catch (e) {
      throw new OnnxExportError(`cannot export node "${id}" (${info.type}) to ONNX: ${(e as Error).message}`, [{ node: id, type: info.type, reason: (e as Error).message }]);
    }
    if (outs.length !== info.outputPorts.length)
      throw new OnnxExportError(`${info.type}.toOnnx for node "${id}" returned ${outs.length} values for ${info.outputPorts.length} output ports (${info.outputPorts.join(', ')})`);
    return outs;
  });
  b.scope = '';

  // Graph outputs get their public names through Identity nodes (a block's value may also feed
  // its own internal nodes, or be an input, so it is not renamed in place).
  a.outputs.forEach((o, k) => {
    const name = outNames[k]!;
    const v = walked.outputs[k]!;
    const info = a.nodes.get(o.node)!;
    if (v !== name) b.node('Identity', [v], {}, { outputNames: [name], name: `${name}/output` });
    outputs.push(valueInfo(name, onnxDType(info.outputDtypes?.[o.port]), info.outputShapes?.[o.port], batch, name));
  });

  guardPadFusion(b);
  const metadata: { key: string; value: string }[] = [];
  if (opts.graph) metadata.push({ key: GRAPH_METADATA_KEY, value: JSON.stringify(opts.graph) });
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: APP_NAME,
    producerVersion: APP_VERSION,
    docString: opts.docString,
    graph: { name: opts.graph?.name ?? compiled.model.name ?? 'model', nodes: b.nodes, initializers: b.initializers, inputs, outputs },
    metadata,
  };
}

/** Compiled graph → ONNX file bytes (see the module comment for names and layout). */
export function exportOnnx(compiled: CompiledModel, opts: ExportOptions = {}): Uint8Array {
  return encodeModel(buildOnnxModel(compiled, opts));
}

/**
 * onnxruntime's default graph optimizer (PadFusion) folds a zero-valued constant Pad into a
 * following MaxPool's pads, but MaxPool pads with −∞: a window over the border then loses the
 * zeros and returns wrong maxima for negative inputs (ZeroPadding2D → MaxPooling2D, after the
 * layout Transposes between them cancel). PadFusion leaves a MaxPool that has its optional
 * Indices output alone, so a MaxPool fed by a Pad (through Transposes or Identities) gets one,
 * unused.
 */
function guardPadFusion(b: OnnxGraphBuilder): void {
  const producer = new Map<string, NodeData>();
  for (const n of b.nodes) for (const o of n.outputs) producer.set(o, n);
  for (const n of b.nodes) {
    if (n.opType !== 'MaxPool' || n.outputs.length !== 1) continue;
    let p = producer.get(n.inputs[0]!);
    while (p && (p.opType === 'Transpose' || p.opType === 'Identity')) p = producer.get(p.inputs[0]!);
    if (p?.opType === 'Pad') {
      b.scope = n.name;
      n.outputs.push(b.uniqueName('indices_unused'));
      b.scope = '';
    }
  }
}
