// The VAE's Sampling read back from a bare ONNX file (no stored graph): its Identity's doc_string
// names the log-variance tensor and the KL weight (blocks/sampling.ts), and the importer rebuilds
// the block only when the file bears that out (src/import/onnx/patterns/sampling.ts). A
// doc_string that does not hold up, or none at all, imports as the file computes: the mean, with
// the log-variance branch named in the "not recovered" note. The rebuilt VAE trains with the
// custom loop, its loss including the KL term.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { klDivergence } from '../../blocks/sampling';
import { compile } from '../core/compile';
import { parseGraphText, type GraphDoc } from '../core/graph';
import { analyze } from '../core/infer';
import type { Dataset } from '../data/dataset';
import { buildOnnxModel } from '../onnx/export';
import { maxAbsDiff } from '../onnx/parity';
import { encodeModel, type ModelData, type NodeData } from '../onnx/proto';
import { onnxReader } from '../onnx/read';
import { seedWeights } from '../onnx/seedWeights';
import { DEFAULT_TRAINING } from '../train/config';
import { train } from '../train/loop';
import { applyWeights, importOnnx, type ImportResult } from './index';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const vae = (): GraphDoc => parseGraphText(readFileSync(new URL('../../templates/vae.json', import.meta.url), 'utf8'), 'vae.json');
const DOC = 'Neural Blocks Sampling (inference: the mean); log-variance: z_log_var/add; klWeight: 0.0012755102040816326';
const DEAD = /^not recovered: 2 node\(s\) that no graph output depends on, z_log_var\/MatMul_node \(MatMul\), z_log_var\/Add_node \(Add\), and the weights only they read, z_log_var\/dense_kernel \[256, 16\], z_log_var\/dense_bias \[16\] \(4,112 values\)/;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The seeded VAE as ModelData (no stored graph), edited by `edit`, imported op by op; checked against the original at inference. */
function importEdited(edit: (m: ModelData, sampling: NodeData) => void): ImportResult {
  const c = compile(vae());
  try {
    seedWeights(c, 7, 'parity');
    const m = buildOnnxModel(c);
    const sampling = m.graph.nodes.find((n) => n.name === 'z/Sampling')!;
    expect(sampling.docString).toBe(DOC);
    edit(m, sampling);
    const r = importOnnx(encodeModel(m), reader, { source: 'vae.onnx' });
    expect(analyze(r.doc).errors).toEqual([]);
    const c2 = compile(r.doc, { kernelInitializer: 'zeros' });
    try {
      applyWeights(c2.model, r.weights);
      const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5);
      const want = (c.model.predict(x) as tf.Tensor).dataSync();
      const got = (c2.model.predict(x) as tf.Tensor).dataSync();
      x.dispose();
      expect(got.length).toBe(want.length);
      expect(maxAbsDiff(want, got)).toBeLessThanOrEqual(1e-4);
    } finally {
      c2.model.dispose();
    }
    return r;
  } finally {
    c.model.dispose();
  }
}

const types = (r: ImportResult) => r.doc.nodes.map((n) => n.type);
const count = (r: ImportResult, t: string) => types(r).filter((x) => x === t).length;

/** Imported as the file computes: no Sampling, the log-variance Dense dropped and named. */
function expectFallback(r: ImportResult, refusal: RegExp | undefined) {
  expect(count(r, 'Sampling')).toBe(0);
  expect(count(r, 'Dense')).toBe(4);
  const refused = r.report.notes.filter((n) => /Neural Blocks Sampling block, but/.test(n));
  if (refusal) {
    expect(refused.length).toBe(1);
    expect(refused[0]).toMatch(/^node "z\/Sampling" says in its doc_string that it is a Neural Blocks Sampling block, but /);
    expect(refused[0]).toMatch(refusal);
    expect(refused[0]).toMatch(/; it is imported as what it computes, its mean$/);
  } else expect(refused).toEqual([]);
  const dead = r.report.notes.filter((n) => /not recovered/.test(n));
  expect(dead.length).toBe(1);
  expect(dead[0]).toMatch(DEAD);
}

describe('the VAE Sampling block from an ONNX doc_string', () => {
  it('with the doc_string as exported: one Sampling (mean, logVar) with the template klWeight, no note', () => {
    const r = importEdited(() => {});
    expect(count(r, 'Dense')).toBe(5);
    expect(r.doc.nodes.filter((n) => n.type === 'Sampling').map((n) => n.params)).toEqual([{ klWeight: 1 / 784 }]);
    expect(r.report.notes).toEqual([]);
  });

  it('a file with no doc_string on the Identity (made elsewhere, or an older export) imports as before', () => {
    const r = importEdited((_m, s) => delete s.docString);
    expectFallback(r, undefined);
    expect(r.report.notes.find((n) => /not recovered/.test(n))).toMatch(/without a doc_string that holds up .* the log-variance Dense and the Sampling block come back this way: add them again to train it as a VAE\.$/);
  });

  it.each([
    ['a log-variance tensor not in the file', DOC.replace('z_log_var/add', 'z_log_var/missing'), /its log-variance tensor "z_log_var\/missing" is not computed in the file/],
    ['a log-variance tensor that is a weight', DOC.replace('z_log_var/add', 'z_log_var/dense_bias'), /its log-variance tensor "z_log_var\/dense_bias" is not computed in the file/],
    ['a log-variance tensor computed after it', DOC.replace('z_log_var/add', 'decoder1/relu'), /its log-variance tensor "decoder1\/relu" is computed after it in the file/],
    ['klWeight NaN', DOC.replace(/klWeight: .*$/, 'klWeight: NaN'), /its klWeight "NaN" is not a finite number ≥ 0/],
    ['a negative klWeight', DOC.replace(/klWeight: .*$/, 'klWeight: -0.5'), /its klWeight "-0\.5" is not a finite number ≥ 0/],
    ['klWeight Infinity', DOC.replace(/klWeight: .*$/, 'klWeight: 1e999'), /its klWeight "1e999" is not a finite number ≥ 0/],
    ['a doc_string in another form', 'Neural Blocks Sampling (inference: the mean); logvar=z_log_var/add', /its doc_string "Neural Blocks Sampling \(inference: the mean\); logvar=z_log_var\/add" does not read/],
  ])('%s: falls back to the mean, says why, names the dropped branch', (_what, doc, refusal) => {
    expectFallback(
      importEdited((_m, s) => (s.docString = doc)),
      refusal,
    );
  });

  // Sizes come from the converted weights, never from the doc string.
  it('a log-variance tensor of another shape than the mean: falls back, quoting both shapes', () => {
    const r = importEdited((_m, s) => (s.docString = DOC.replace('z_log_var/add', 'encoder1/relu')));
    expectFallback(r, /its mean "z_mean\/add" \[null, 16\] and log-variance "encoder1\/relu" \[null, 256\] are not tensors of the same shape/);
  });

  it('a log-variance branch with an op that has no block: falls back, naming it, instead of failing the import', () => {
    const r = importEdited((m) => (m.graph.nodes.find((n) => n.name === 'z_log_var/Add_node')!.opType = 'Celu'));
    expect(count(r, 'Sampling')).toBe(0);
    expect(r.report.notes.find((n) => /Sampling block, but/.test(n))).toMatch(/but the ops it would read do not all import \(node "z_log_var\/Add_node" \(Celu\): no block for ONNX op Celu\); it is imported as what it computes, its mean$/);
    expect(r.report.notes.find((n) => /not recovered/.test(n))).toMatch(/z_log_var\/MatMul_node \(MatMul\), z_log_var\/Add_node \(Celu\)/);
  });

  it('a file op called nb.Sampling is not taken for the block', () => {
    expect(() => importEdited((_m, s) => ((s.opType = 'nb.Sampling'), delete s.docString))).toThrow(/node "z\/Sampling" \(nb\.Sampling\): no block for ONNX op nb\.Sampling/);
  });

  it('the imported VAE trains a step with the custom loop; its loss is the reconstruction plus klWeight × KL', async () => {
    const r = importEdited(() => {});
    const n = 8;
    const pixels: Dataset['train'] = { x: [{ shape: [28, 28, 1], dtype: 'float32', data: tf.randomUniform([n * 784], 0, 1, 'float32', 3).dataSync() as Float32Array }], y: [], n };
    const data: Dataset = { name: 'pixels', title: 'random pixels', description: 'uniform noise images', task: 'reconstruction', defaultLoss: 'binaryCrossentropy', train: pixels, test: pixels };
    const cfg = { ...DEFAULT_TRAINING, loss: 'binaryCrossentropy' as const, target: 'input' as const, batchSize: n, epochs: 1, validationSplit: 0, seed: 9 };
    const sampling = r.doc.nodes.find((nd) => nd.type === 'Sampling')!;
    const [meanId, logVarId] = ['mean', 'logVar'].map((p) => r.doc.edges.find((e) => e.target === sampling.id && e.targetHandle === p)!.source);
    const firstLoss: number[] = [];
    let kl = NaN;
    for (const klWeight of [0, 1]) {
      const doc = { ...r.doc, nodes: r.doc.nodes.map((nd) => (nd === sampling ? { ...nd, params: { klWeight } } : nd)) };
      const c = compile(doc, { kernelInitializer: 'zeros' });
      try {
        applyWeights(c.model, r.weights);
        if (klWeight === 1) {
          // The KL term of the encoder's heads on this batch, before the step changes them.
          const heads = tf.model({ inputs: c.model.inputs, outputs: [c.model.getLayer(meanId!).output as tf.SymbolicTensor, c.model.getLayer(logVarId!).output as tf.SymbolicTensor] });
          const x = tf.tensor(pixels.x[0]!.data, [n, 28, 28, 1]);
          const [mean, logVar] = heads.predict(x) as tf.Tensor[];
          kl = klDivergence(mean!, logVar!).dataSync()[0]!;
          tf.dispose([x, mean!, logVar!]);
        }
        const before = c.model.getLayer(logVarId!).getWeights()[0]!.dataSync().slice();
        const res = await train(c, data, cfg, { onBatch: (e) => void (e.batch === 0 && firstLoss.push(e.loss)) });
        expect(res.status).toBe('completed');
        expect(res.batches).toBe(1);
        // The step reaches the log-variance Dense (through the noise, and the KL term when weighted).
        const after = c.model.getLayer(logVarId!).getWeights()[0]!.dataSync();
        expect(after.some((v, i) => v !== before[i])).toBe(true);
      } finally {
        c.model.dispose();
      }
    }
    expect(firstLoss.length).toBe(2);
    expect(Number.isFinite(kl) && kl > 0).toBe(true);
    expect(firstLoss[1]).not.toBe(firstLoss[0]);
    // Same seed, same noise: the two losses differ by exactly the KL term.
    expect(Math.abs(firstLoss[1]! - firstLoss[0]! - kl)).toBeLessThanOrEqual(1e-4 * Math.max(1, kl));
  }, 60_000);
});
