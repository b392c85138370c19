// tfjs / Keras layers-model (model.json + weights.bin) → graph document + weights.
//
// Our own saves (src/train/weights.ts saveModel) carry the graph in userDefinedMetadata and
// reopen exactly; the weights are named `${nodeId}/…` already. Other layers models (Sequential
// or functional) map layer by layer through the class table (layers.ts: Keras class name →
// block, config → params; InputLayer → Input), and inbound_nodes become edges (merges on in0,
// in1, …). Weight names `${layer}/${w}` are renamed to `${nodeId}/${w}` (weights.ts reads the
// file). Anything without an exact block is listed and the import fails.
import { GRAPH_FORMAT, GRAPH_VERSION, parseGraph, type GraphDoc, type GraphEdge, type GraphNode } from '../../core/graph';
import { getBlock } from '../../../blocks/index';
import { isVariadic } from '../../core/spec';
import { resolveParams } from '../../core/params';
import { analyze } from '../../core/infer';
import { GRAPH_METADATA_KEY } from '../../core/constants';
import { malformed, unsupportedError, type ImportResult, type ImportedWeights, type UnsupportedOp } from '../types';
import { KERAS_CLASSES, isObj, layerParams, type KLayer } from './layers';
import { decodeWeights } from './weights';

/**
 * model.json (parsed) + weights.bin bytes → graph + weights. Throws ImportError: malformed for
 * files that are not a layers model, or the list of layers with no block.
 */
export function importTfjs(modelJson: unknown, weightsBin: Uint8Array | undefined, source = 'model.json'): ImportResult {
  if (!isObj(modelJson)) throw malformed(`${source} is not a tfjs model.json: expected a JSON object`);
  // Without weights.bin the graph still opens (fresh weights); the report says so.
  const named = weightsBin ? decodeWeights(modelJson, weightsBin, source) : new Map<string, { shape: number[]; data: Float32Array }>();
  const notes = weightsBin ? [] : ['no weights file was given: the graph opens with fresh (untrained) weights'];
  const meta = modelJson.userDefinedMetadata;
  if (isObj(meta) && meta[GRAPH_METADATA_KEY] !== undefined) {
    const doc = parseGraph(meta[GRAPH_METADATA_KEY], `${source} (userDefinedMetadata "${GRAPH_METADATA_KEY}")`);
    const weights: ImportedWeights = {};
    for (const [k, v] of named) weights[k] = v;
    return { doc, weights, report: { source: 'neural-blocks', format: 'tfjs', unsupported: [], notes: ['reopened from the graph stored in the file (userDefinedMetadata)', ...notes] } };
  }
  const topo = modelJson.modelTopology;
  if (!isObj(topo)) throw malformed(`${source} has no "modelTopology" (a tfjs graph model or weights-only file is not a layers model)`);
  const model = (isObj(topo.model_config) ? topo.model_config : topo) as Record<string, unknown>;
  const cls = model.class_name;
  const config = model.config as Record<string, unknown> | undefined;
  const layersRaw = Array.isArray(config) ? config : isObj(config) ? config.layers : undefined;
  if (typeof cls !== 'string' || !Array.isArray(layersRaw)) throw malformed(`${source}: modelTopology is not a Sequential or functional layers model (class_name ${JSON.stringify(cls)})`);
  layersRaw.forEach((l: unknown, k) => {
    if (!isObj(l) || typeof l.class_name !== 'string' || (l.config !== undefined && !isObj(l.config)) || (l.inbound_nodes !== undefined && !Array.isArray(l.inbound_nodes)))
      throw malformed(`${source}: modelTopology layer ${k} is not {"class_name": string, "config": object, "inbound_nodes"?: list}`);
  });
  const layers = layersRaw as KLayer[];
  const sequential = cls === 'Sequential';
  if (!sequential && cls !== 'Model' && cls !== 'Functional') throw malformed(`${source}: model class ${cls} is not Sequential or a functional Model`);

  const unsupported: UnsupportedOp[] = [];
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const ids = new Map<string, string>(); // layer name → node id
  const used = new Set<string>();
  const idFor = (name: string) => {
    let s = name.replace(/[^A-Za-z0-9_.\-/]/g, '_');
    if (!/^[A-Za-z]/.test(s)) s = `n_${s}`;
    let id = s;
    for (let k = 2; used.has(id); k++) id = `${s}_${k}`;
    used.add(id);
    ids.set(name, id);
    return id;
  };
  const outputPort = (layerName: string, tensorIndex: number): string | undefined => {
    const id = ids.get(layerName);
    const node = nodes.find((n) => n.id === id);
    if (!node) return undefined;
    const spec = getBlock(node.type);
    if (!spec) return 'out';
    const ports = spec.outputs(resolveParams(spec, node.params).params as never);
    return ports[tensorIndex];
  };
  const addEdge = (from: string, tensorIndex: number, to: string, handle: string | undefined, where: Omit<UnsupportedOp, 'reason'>) => {
    const src = ids.get(from);
    const port = outputPort(from, tensorIndex);
    if (!src || !port) {
      unsupported.push({ ...where, reason: `input from layer "${from}" (output ${tensorIndex}) is not available` });
      return;
    }
    const e: GraphEdge = { source: src, target: to };
    if (port !== 'out') e.sourceHandle = port;
    if (handle && handle !== 'in') e.targetHandle = handle;
    edges.push(e);
  };

  let prev: string | undefined;
  layers.forEach((layer, k) => {
    const lname = String((layer.config?.name as string | undefined) ?? layer.name ?? `layer_${k}`);
    const where = { op: layer.class_name, node: lname };
    const c = layer.config ?? {};
    // Sequential: the first layer's batch_input_shape makes the Input.
    if (sequential && k === 0 && layer.class_name !== 'InputLayer') {
      const bis = c.batch_input_shape as (number | null)[] | undefined;
      if (!Array.isArray(bis)) {
        unsupported.push({ ...where, reason: 'the first layer of the Sequential model has no batch_input_shape, so the input shape is unknown' });
        return;
      }
      const id = idFor(`${lname}_input`);
      nodes.push({ id, type: 'Input', params: { shape: bis.slice(1), ...(c.dtype === 'int32' ? { dtype: 'int32' } : {}) } });
      prev = id;
    }
    if (layer.class_name === 'InputLayer') {
      const bis = (c.batch_input_shape ?? c.batch_shape) as (number | null)[] | undefined;
      if (!Array.isArray(bis)) {
        unsupported.push({ ...where, reason: 'InputLayer without batch_input_shape' });
        return;
      }
      const id = idFor(lname);
      nodes.push({ id, type: 'Input', params: { shape: bis.slice(1), ...(c.dtype === 'int32' ? { dtype: 'int32' } : {}) } });
      prev = id;
      return;
    }
    const spec = KERAS_CLASSES.get(layer.class_name);
    if (!spec) {
      unsupported.push({ ...where, reason: `no block for tfjs layer class ${layer.class_name}` });
      return;
    }
    const { params, reasons } = layerParams(spec, c);
    for (const reason of reasons) unsupported.push({ ...where, reason });
    if (reasons.length) return;
    const id = idFor(lname);
    nodes.push({ id, type: spec.type, params });
    const variadic = isVariadic(spec.inputs(resolveParams(spec, params).params as never));
    if (sequential) {
      if (prev) edges.push({ source: prev, target: id, ...(variadic ? { targetHandle: 'in0' } : {}) });
      prev = id;
      return;
    }
    const inbound = (layer.inbound_nodes ?? []) as unknown[][];
    if (inbound.length > 1) {
      unsupported.push({ ...where, reason: `the layer is called ${inbound.length} times (shared weights); a block is one call` });
      return;
    }
    const calls = (Array.isArray(inbound[0]) ? inbound[0] : []) as unknown[];
    const ports = spec.inputs(resolveParams(spec, params).params as never);
    calls.forEach((t, i) => {
      let from: string;
      let tensorIndex = 0;
      if (Array.isArray(t) && typeof t[0] === 'string') {
        from = t[0];
        tensorIndex = Number(t[2] ?? 0);
      } else if (isObj(t) && Array.isArray(t.args)) {
        unsupported.push({ ...where, reason: 'Keras 3 inbound_nodes ({args, kwargs}) are not read; save the model with tfjs or Keras 2' });
        return;
      } else return;
      const handle = isVariadic(ports) ? `in${i}` : ports[i]?.name;
      if (!handle) {
        unsupported.push({ ...where, reason: `input ${i} has no port on the ${spec.type} block` });
        return;
      }
      addEdge(from, tensorIndex, id, handle, where);
    });
  });
  if (unsupported.length) throw unsupportedError(`${source} cannot be imported`, unsupported);

  // Weights: `${layer}/${w}` → `${nodeId}/${w}` (tfjs may prefix names, e.g. "model/dense/kernel").
  const weights: ImportedWeights = {};
  const layerNames = [...ids.keys()].sort((p, q) => q.length - p.length);
  for (const [wname, w] of named) {
    const layer = layerNames.find((l) => wname.startsWith(`${l}/`) || wname.includes(`/${l}/`));
    if (!layer) throw malformed(`${source}: weight "${wname}" belongs to no layer of the model`);
    const suffix = wname.slice(wname.indexOf(`${layer}/`) + layer.length + 1);
    weights[`${ids.get(layer)}/${suffix}`] = w;
  }
  const doc: GraphDoc = { format: GRAPH_FORMAT, version: GRAPH_VERSION, name: (isObj(config) ? (config.name as string) : undefined) ?? 'imported', nodes, edges };
  const a = analyze(doc);
  if (!a.ok) throw unsupportedError(`${source} cannot be imported`, a.errors.map((e) => ({ op: nodes.find((n) => n.id === e.node)?.type ?? '?', node: e.node ?? '(graph)', reason: e.message })));
  return { doc, weights, report: { source: 'foreign', format: 'tfjs', unsupported: [], notes } };
}
