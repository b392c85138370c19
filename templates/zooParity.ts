// Full-size parity for the zoo templates (zoo.ts), shared by templates/zoo-parity.test.ts (the
// entries marked ciParity) and scripts/zoo-parity.ts (all of them): tfjs on its WASM backend
// against onnxruntime on the exported ONNX at 224×224, and against the exported PyTorch project
// in Debian's torch (one Python process for all the cases). Every weight is seeded, BatchNorm
// statistics included, so a dropped or misplaced tensor shows. Node only (fs, child_process).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as ortNs from 'onnxruntime-node';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { compiledParity } from '../src/onnx/parity';
import { seedWeights } from '../src/onnx/seedWeights';
import { writeParityCase, type ParityResult } from '../src/pytorch/parityCase';

const here = dirname(fileURLToPath(import.meta.url));

export interface OnnxParity {
  /** max |tfjs − onnxruntime| over the output. */
  maxAbsDiff: number;
  /** Largest |output| in tfjs (a softmax near 1 everywhere would make the check weak). */
  scale: number;
  shape: number[];
  /** tfjs' shape when it differs from onnxruntime's. */
  tfjsShape?: number[];
}

/** tfjs (whatever backend is set; the callers use WASM) against onnxruntime, batch 1, seeded. */
export async function zooOnnxParity(doc: GraphDoc, ort: typeof ortNs, seed = 7): Promise<OnnxParity> {
  const c = compile(doc);
  try {
    seedWeights(c, seed, 'parity');
    const r = await compiledParity(c, { ort, seed: 3, batch: 1, exportOptions: { graph: doc } });
    if (r.outputs.length !== 1) throw new Error(`${doc.name}: expected one output, got ${r.outputs.length}`);
    const o = r.outputs[0]!;
    return { maxAbsDiff: o.maxAbsDiff, scale: o.tfjsMaxAbs, shape: o.shape, ...(o.tfjsShape ? { tfjsShape: o.tfjsShape } : {}) };
  } finally {
    c.model.dispose();
  }
}

/** The same graph with its Input resized to size × size (global pooling makes the rest fit). */
export function atInputSize(doc: GraphDoc, size: number): GraphDoc {
  const inputs = doc.nodes.filter((n) => n.type === 'Input');
  if (inputs.length !== 1) throw new Error(`${doc.name}: expected one Input node, got ${inputs.length}`);
  const shape = inputs[0]!.params?.shape;
  if (!Array.isArray(shape) || shape.length !== 3) throw new Error(`${doc.name}: Input shape ${JSON.stringify(shape)} is not [height, width, channels]`);
  if (shape[0] === size && shape[1] === size) return doc;
  return { ...doc, nodes: doc.nodes.map((n) => (n === inputs[0] ? { ...n, params: { ...n.params, shape: [size, size, shape[2]] } } : n)) };
}

/**
 * The same graph with its output layer's softmax removed: the parity legs compare logits, because
 * a softmax over 1000 classes from seeded weights is near 1/1000 everywhere and would hide a
 * wrong tensor under the 1e-4 tolerance. (The softmax itself is covered by the block tests.)
 */
export function withLogits(doc: GraphDoc): GraphDoc {
  const fed = new Set(doc.edges.map((e) => e.source));
  const outs = doc.nodes.filter((n) => !fed.has(n.id));
  if (outs.length !== 1 || outs[0]!.params?.activation !== 'softmax') throw new Error(`${doc.name}: expected one output node with a softmax, got ${outs.map((n) => `${n.id} (${String(n.params?.activation)})`).join(', ')}`);
  return { ...doc, nodes: doc.nodes.map((n) => (n === outs[0] ? { ...n, params: { ...n.params, activation: 'linear' } } : n)) };
}

export interface TorchParity {
  /** max |torch − tfjs| over the output. */
  maxAbsDiff: number;
  scale: number;
}

/**
 * Each doc exported to PyTorch and run in Debian's torch (one process) on the inputs tfjs saw;
 * the tfjs side runs on whatever backend is set. Throws on a Python error or a shape mismatch.
 */
export function zooTorchParity(cases: { name: string; doc: GraphDoc }[], seed = 31): Record<string, TorchParity> {
  const root = mkdtempSync(join(tmpdir(), 'nb-zoo-torch-'));
  try {
    cases.forEach(({ name, doc }, i) => writeParityCase(join(root, name), doc, seed + i, (c, s) => seedWeights(c, s, 'parity'), 1));
    const r = spawnSync('/usr/bin/python3', [join(here, '../src/pytorch/parity.py'), root], { encoding: 'utf8', timeout: 1_200_000 });
    if (r.status !== 0) throw new Error(`parity.py failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
    const results = JSON.parse(readFileSync(join(root, 'results.json'), 'utf8')) as Record<string, ParityResult>;
    const out: Record<string, TorchParity> = {};
    for (const { name } of cases) {
      const res = results[name];
      if (!res || res.error) throw new Error(`${name}: PyTorch run failed: ${res?.error ?? 'no result'}`);
      if (res.outputs?.length !== 1) throw new Error(`${name}: expected one PyTorch output, got ${res.outputs?.length}`);
      const o = res.outputs[0]!;
      if (o.shape) throw new Error(`${name}: PyTorch output shape ${JSON.stringify(o.shape)}, tfjs ${JSON.stringify(o.want)}`);
      out[name] = { maxAbsDiff: o.max!, scale: o.scale! };
    }
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
