// Reopening our own ONNX exports: the graph comes back exactly from metadata_props, and the
// weights are mapped back from the initializers without per-block inverse code.
//
// How: the exporter only moves weight values around (transposes, gate reorders, concatenations),
// so we export the same graph once more with *probe* weights, every element a distinct float
// (bit pattern 0x3F800000 + global index), and read from each probe initializer element which
// weight element it carries; the file's initializer at the same name and position then holds
// that weight's value. The result is verified by exporting with the recovered weights and
// requiring every float initializer to equal the file's bit for bit. Anything else (a block that
// computes on its weights, a file from another exporter version) returns undefined and the
// caller converts the model op by op instead.
import { compile, type CompiledModel } from '../../core/compile';
import { parseGraph, type GraphDoc } from '../../core/graph';
import { buildOnnxModel, liveWeights } from '../../onnx/export';
import type { BlockWeight } from '../../core/spec';
import { ImportError, type ImportResult, type ImportedWeights } from '../types';
import { tensorValues, type PModel } from './proto';

const PROBE_BASE = 0x3f800000;
const PROBE_LIMIT = 0x7f800000 - PROBE_BASE;

export function reopenOwnOnnx(m: PModel, graphJson: string, source: string): ImportResult | undefined {
  let doc;
  try {
    doc = parseGraph(JSON.parse(graphJson), `${source} (metadata "neural-blocks.graph")`);
  } catch (e) {
    throw new ImportError(`${source}: its embedded graph is unreadable: ${(e as Error).message}`, [], true);
  }
  let compiled: CompiledModel;
  try {
    compiled = compile(doc);
  } catch (e) {
    throw new ImportError(`${source}: its embedded graph does not compile: ${(e as Error).message}`, [], true);
  }
  try {
    return recover(m, doc, compiled, source);
  } finally {
    compiled.model.dispose();
  }
}

function recover(m: PModel, doc: GraphDoc, compiled: CompiledModel, source: string): ImportResult | undefined {
  const file = new Map<string, Float32Array>();
  for (const t of m.graph?.initializer ?? []) {
    if (t.data_type !== 1) continue;
    try {
      file.set(t.name!, tensorValues(t, source).data as Float32Array);
    } catch {
      return undefined;
    }
  }
  // Probe weights: one global index per weight element.
  const slots: { key: string; shape: number[]; offset: number; size: number }[] = [];
  let total = 0;
  const probe = (c: typeof compiled, id: string): BlockWeight[] =>
    liveWeights(c, id).map((w) => {
      const size = w.data.length;
      const key = w.name;
      const offset = total;
      slots.push({ key, shape: w.shape, offset, size });
      total += size;
      if (total > PROBE_LIMIT) throw new RangeError('too many weights to probe');
      const bits = new Uint32Array(size);
      for (let i = 0; i < size; i++) bits[i] = PROBE_BASE + offset + i;
      return { name: w.name, shape: w.shape, data: new Float32Array(bits.buffer) };
    });
  let probed;
  try {
    probed = buildOnnxModel(compiled, { graph: doc, weights: probe });
  } catch {
    return undefined;
  }
  const recovered = new Float32Array(total);
  const covered = new Uint8Array(total);
  for (const init of probed.graph.initializers) {
    if (init.dtype !== 'float32') continue;
    const fileData = file.get(init.name);
    const pd = init.data as Float32Array;
    if (!fileData || fileData.length !== pd.length) return undefined;
    const bits = new Uint32Array(pd.buffer, pd.byteOffset, pd.length);
    for (let i = 0; i < bits.length; i++) {
      const g = bits[i]! - PROBE_BASE;
      if (bits[i]! >= PROBE_BASE && g < total) {
        recovered[g] = fileData[i]!;
        covered[g] = 1;
      }
    }
  }
  if (covered.some((c) => c === 0)) return undefined;
  const weights: ImportedWeights = {};
  for (const s of slots) weights[s.key] = { shape: s.shape, data: recovered.slice(s.offset, s.offset + s.size) };
  // Verify: the recovered weights export to exactly the file's initializers.
  const byNode = new Map<string, BlockWeight[]>();
  const check = buildOnnxModel(compiled, {
    graph: doc,
    weights: (c, id) => {
      const ws = liveWeights(c, id).map((w) => ({ name: w.name, shape: w.shape, data: weights[w.name]!.data }));
      byNode.set(id, ws);
      return ws;
    },
  });
  for (const init of check.graph.initializers) {
    if (init.dtype !== 'float32') continue;
    const f = file.get(init.name);
    const d = init.data as Float32Array;
    if (!f || f.length !== d.length) return undefined;
    const a = new Uint32Array(d.buffer, d.byteOffset, d.length);
    const b = new Uint32Array(f.buffer, f.byteOffset, f.length);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return undefined;
  }
  return { doc, weights, report: { source: 'neural-blocks', format: 'onnx', unsupported: [], notes: ['reopened from the graph stored in the file (metadata "neural-blocks.graph")'] } };
}
