// The ONNX graph walk of op-by-op conversion (foreign models): initializers become constants,
// graph inputs become Input blocks (a rank-4 float input is an NCHW image taken NHWC), and each
// node the outputs depend on is folded to constants (fold.ts) or resolved through the op table
// (table.ts) — the way onnxruntime-web resolves ops. Every op that has no exact block is listed
// (node name, op type, reason) and the import fails with the list: nothing is half-imported.
// After a refused node the walk goes on through stand-ins of certain shape (ghost.ts), so one
// run names every blocker it can.
import { GRAPH_FORMAT, GRAPH_VERSION, type GraphDoc } from '../../core/graph';
import { ImportError, formatUnsupported, unsupportedError, type ImportResult } from '../types';
import { Converter, type OpImporter } from './converter';
import { FOLDABLE, foldConst } from './fold';
import { ghostOf } from './ghost';
import { MHA_OP, attentionSpec, fuseFunctions, fusePatterns } from './patterns';
import { deadBranchNote } from './patterns/dead';
import { nodeName, recogniseSampling, refusedSampling } from './patterns/sampling';
import { foldedBatchNormNote } from './provenance';
import { DT_FLOAT, DT_INT32, DT_INT64, DT_NAMES, Unsupported, attrs, tensorValues, type PGraph, type PModel, type PNode } from './proto';
import { ONNX_OPS } from './table';
import { describeLayout, fmt, type Dim, type RnnPort } from './values';

function opsetOf(m: PModel): number {
  const o = (m.opset_import ?? []).find((x) => !x.domain || x.domain === 'ai.onnx');
  return Number(o?.version ?? 1);
}

/** The importer of node `n`'s op, or Unsupported naming the op that has no block. */
function resolve(n: PNode): OpImporter {
  const importer = ONNX_OPS.get(n.op_type);
  if (!importer) throw new Unsupported(`no block for ONNX op ${n.op_type}${n.domain ? ` (domain ${n.domain})` : ''}`);
  return importer;
}

/**
 * Op-by-op conversion. Models written by Neural Blocks are channels-last at their interface
 * already, so their 4-D inputs are taken as they are instead of as NCHW.
 *
 * A VAE's Sampling that our exporter described in its Identity's doc_string is imported as the
 * block, its log-variance branch with it (patterns/sampling.ts). When that import fails — the
 * branch has an op with no block, the two inputs differ in shape — the file is imported again as
 * if the doc string were not there, and the report says why.
 */
export function convertForeign(m: PModel, source: string): ImportResult {
  const sampling = recogniseSampling(m.graph!);
  if (!sampling.found.length) return walk(m, m.graph!, source, sampling.notes);
  try {
    return walk(m, sampling.graph, source, sampling.notes);
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    const names = new Set(sampling.found.map(nodeName));
    const own = e.unsupported.filter((u) => names.has(u.node));
    const others = e.unsupported.filter((u) => !names.has(u.node));
    const why = own.length
      ? own.map((u) => u.reason).join('; ')
      : `the ops it would read do not all import (${others.slice(0, 3).map(formatUnsupported).join('; ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''})`;
    const refused = (own.length ? own.map((u) => u.node) : [...names]).map((n) => refusedSampling(n, why));
    return walk(m, m.graph!, source, [...sampling.notes, ...refused]);
  }
}

/** The conversion of graph `g` (the file's, or with Sampling nodes recognised); `notes` go in the report. */
function walk(m: PModel, g: PGraph, source: string, notes: string[]): ImportResult {
  const channelsLastInputs = m.producer_name === 'neural-blocks';
  // Layers exported as many primitive ops (LayerNorm, attention) first become one node each,
  // then spelt-out functions (exact GELU, per-channel affine maps).
  const nodes = fuseFunctions(m, fusePatterns(g));
  const cv = new Converter(opsetOf(m));
  const initNames = new Set<string>();
  for (const t of g.initializer ?? []) {
    initNames.add(t.name!);
    try {
      const v = tensorValues(t, source);
      cv.values.set(t.name!, { kind: 'const', dims: v.dims, float: v.float, data: v.data });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      // Unreadable constants only matter if an imported op reads them (then it says so).
    }
  }
  // Only the nodes the outputs depend on are converted (dead branches would become outputs).
  const producer = new Map<string, PNode>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const needed = new Set<PNode>();
  const stack = (g.output ?? []).map((o) => o.name);
  const seen = new Set<string>();
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    const p = producer.get(v);
    if (!p || needed.has(p)) continue;
    needed.add(p);
    for (const i of p.input ?? []) if (i) stack.push(i);
  }
  for (const n of nodes) if (needed.has(n)) for (const i of n.input ?? []) if (i) cv.uses.set(i, (cv.uses.get(i) ?? 0) + 1);
  for (const o of g.output ?? []) cv.uses.set(o.name, (cv.uses.get(o.name) ?? 0) + 2);

  // Graph inputs.
  for (const vi of g.input ?? []) {
    if (initNames.has(vi.name)) continue;
    const tt = vi.type?.tensor_type;
    const dims: Dim[] = (tt?.shape?.dim ?? []).map((d) => (d.dim_value ? Number(d.dim_value) : null));
    const et = tt?.elem_type ?? DT_FLOAT;
    const id = cv.newId(vi.name);
    let dtype: string;
    if (et === DT_FLOAT) dtype = 'float32';
    else if (et === DT_INT64 || et === DT_INT32) dtype = 'int32';
    else {
      cv.unsupported.push({ op: 'Input', node: vi.name, reason: `input element type ${DT_NAMES[et] ?? et} is not mapped (float32, or int64/int32 token ids)` });
      continue;
    }
    if (!dims.length) {
      cv.unsupported.push({ op: 'Input', node: vi.name, reason: 'the input has no shape; re-export with a fixed input shape' });
      continue;
    }
    // A [T, N, F] sequence read as X by an LSTM / GRU (PyTorch's batch_first=False) is taken
    // batch-major [N, T, F].
    // So is one that torch's attention (batch_first=False Transformer layers) reads as [T, N, E].
    const timeMajor = dims.length === 3 && dtype === 'float32' && [...needed].some((n) => (['LSTM', 'GRU', 'RNN'].includes(n.op_type) && n.input?.[0] === vi.name) || (n.op_type === MHA_OP && attentionSpec(n)?.timeAxis === 0 && n.input!.slice(0, 3).includes(vi.name)));
    dims[timeMajor ? 1 : 0] = null;
    const nchw = dims.length === 4 && dtype === 'float32' && !channelsLastInputs;
    const ours = nchw ? [dims[2]!, dims[3]!, dims[1]!] : timeMajor ? [dims[0]!, dims[2]!] : dims.slice(1);
    cv.nodes.push({ id, type: 'Input', params: dtype === 'int32' ? { shape: ours, dtype } : { shape: ours } });
    cv.byId.set(id, cv.nodes[cv.nodes.length - 1]!);
    cv.values.set(vi.name, { kind: 'tensor', ref: { node: id, port: 'out' }, layout: nchw ? 'nchw' : timeMajor ? 'tmajor' : 'plain', shape: dims });
    if (timeMajor) cv.notes.push(`input "${vi.name}" is a time-major sequence ${fmt(dims)} [T, N, F] in the ONNX file; the imported graph takes it batch-major [N, T, F]`);
    if (nchw) cv.notes.push(`input "${vi.name}" is an NCHW image ${fmt(dims)} in the ONNX file; the imported graph takes it channels-last (NHWC): [batch, ${dims[2] ?? 'H'}, ${dims[3] ?? 'W'}, ${dims[1] ?? 'C'}]`);
  }

  const poisoned = new Set<string>();
  /** Nodes not checked because they read a value no block could make. */
  let unchecked = 0;
  for (const n of nodes) {
    if (!needed.has(n)) continue;
    const name = n.name || `${n.op_type}_${(n.output ?? [])[0] ?? ''}`;
    const outs = n.output ?? [];
    if ((n.input ?? []).some((i) => i && poisoned.has(i))) {
      // Its inputs are unknown, but an op with no importer at all is a blocker wherever it is.
      if ((!ONNX_OPS.has(n.op_type) && !FOLDABLE.has(n.op_type)) || (n.domain && n.domain !== 'ai.onnx')) cv.unsupported.push({ op: n.op_type, node: name, reason: n.domain && n.domain !== 'ai.onnx' ? `custom-domain op ${n.domain}.${n.op_type} has no block` : `no block for ONNX op ${n.op_type}` });
      else unchecked++;
      outs.forEach((o) => poisoned.add(o));
      continue;
    }
    cv.current = name;
    const a = attrs(n);
    try {
      if (n.domain && n.domain !== 'ai.onnx') throw new Unsupported(`custom-domain op ${n.domain}.${n.op_type} has no block`);
      const res = foldConst(cv, n, a) ?? resolve(n)(cv, n, a);
      const vals = Array.isArray(res) ? res : [res];
      outs.forEach((o, k) => {
        if (o && vals[k]) cv.values.set(o, vals[k]!);
      });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      cv.unsupported.push({ op: n.op_type, node: name, reason: e.message });
      // A stand-in of certain shape lets the walk go on and name the blockers after this one.
      const ghost = outs[0] ? ghostOf(cv, n, a) : undefined;
      if (ghost) cv.values.set(outs[0]!, ghost);
      outs.forEach((o, k) => (k > 0 || !ghost) && poisoned.add(o));
    }
  }
  for (const o of g.output ?? []) {
    const v = cv.values.get(o.name);
    if (poisoned.has(o.name)) continue;
    if (!v) cv.unsupported.push({ op: 'Output', node: o.name, reason: 'the output is not produced by any node' });
    else if (v.kind === 'const') cv.unsupported.push({ op: 'Output', node: o.name, reason: 'the output is a constant; a graph output must be computed from an input' });
    else {
      const use = cv.rnn.get(v.ref.node);
      if (use) use[v.ref.port as RnnPort] = true;
      if (v.layout === 'nchw') cv.notes.push(`output "${o.name}" is NCHW ${fmt(v.shape)} in the ONNX file and channels-last (NHWC) in the imported graph`);
      else if (v.layout === 'pooled') cv.notes.push(`output "${o.name}" is [N, C, 1, 1] in the ONNX file and [N, C] in the imported graph`);
      else if (v.layout === 'ncl') cv.notes.push(`output "${o.name}" is [N, C, L] ${fmt(v.shape)} in the ONNX file and channels-last [N, L, C] in the imported graph`);
      else if (v.layout === 'tmajor') cv.notes.push(`output "${o.name}" is time-major [T, N, F] ${fmt(v.shape)} in the ONNX file and batch-major [N, T, F] in the imported graph`);
      else if (v.layout !== 'plain') cv.unsupported.push({ op: 'Output', node: o.name, reason: `the output is ${describeLayout(v.layout)}; only batch-major outputs are mapped` });
    }
  }
  if (cv.unsupported.length) {
    const after = unchecked ? ` (${unchecked} later node(s) read values of these and were not checked)` : '';
    throw unsupportedError(`${source} cannot be imported${after}`, cv.unsupported, unchecked);
  }

  // Recurrent nodes: their params and ports follow what is used.
  for (const [id, use] of cv.rnn) {
    const node = cv.node(id);
    // A Bidirectional's "out" without returnSequences merges both final states, so its separate
    // states always come from the h / hBack (c / cBack) ports.
    const returnState = use.bi ? use.last || use.lastBack || use.c || use.cBack : use.c || (use.seq && use.last);
    node.params = { ...node.params, returnSequences: use.seq, ...(returnState ? { returnState: true } : {}) };
    for (const e of cv.edges) {
      if (e.source !== id) continue;
      const port = e.sourceHandle ?? 'out';
      const names: Record<string, string> = use.bi ? { seq: 'out', last: 'h', lastBack: 'hBack' } : { seq: 'out', last: use.seq ? 'h' : 'out' };
      const mapped = names[port] ?? port;
      if (mapped === 'out') delete e.sourceHandle;
      else e.sourceHandle = mapped;
    }
  }
  const folded = foldedBatchNormNote(m, nodes);
  if (folded) cv.notes.push(folded);
  cv.notes.push(...notes);
  const dead = deadBranchNote(m, g);
  if (dead) cv.notes.push(dead);
  const doc: GraphDoc = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    name: g.name || 'imported',
    description: `Imported from ONNX (${m.producer_name || 'unknown producer'}, opset ${cv.opset}).`,
    nodes: cv.nodes,
    edges: cv.edges,
  };
  return { doc, weights: cv.weights, report: { source: 'foreign', format: 'onnx', unsupported: [], notes: cv.notes } };
}
