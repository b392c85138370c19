// analyze() keeps its promise: a graph it calls valid compiles, runs a forward pass, exports to
// ONNX and onnxruntime agrees within 1e-4, with the shapes analyze predicted. One test per class
// of graph that once broke that promise (issue 12), each failing before its fix; then the
// official ONNX checker over every model exported here.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../core/infer';
import { compile } from '../core/compile';
import { concreteShape } from '../core/fixtureGraph';
import type { GraphDoc } from '../core/graph';
import { buildOnnxModel, exportOnnx, onnxOutputNames, onnxUnsupportedNodes } from './export';
import { compiledParity } from './parity';
import { seedWeights } from './seedWeights';
import { checkModelsWithPython } from './checker';

const TOL = 1e-4;
const dir = mkdtempSync(join(tmpdir(), 'nb-promise-'));
const saved: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type N = [string, string, Record<string, unknown>?];
type E = [string, string, string?, string?];
/** Nodes [id, type, params]; edges [source, target, targetHandle?, sourceHandle?]. */
function graph(name: string, nodes: N[], edges: E[]): GraphDoc {
  return {
    format: 'neural-blocks.graph',
    version: 1,
    name,
    nodes: nodes.map(([id, type, params]) => ({ id, type, params: params ?? {} })),
    edges: edges.map(([source, target, targetHandle, sourceHandle]) => ({ source, target, ...(targetHandle ? { targetHandle } : {}), ...(sourceHandle ? { sourceHandle } : {}) })),
  };
}

/** analyze → compile → predict (twice) → ONNX → onnxruntime; asserts every step. */
async function keepsPromise(doc: GraphDoc): Promise<string[]> {
  const a = analyze(doc);
  expect(a.errors.map((e) => e.message)).toEqual([]);
  expect(onnxUnsupportedNodes(a)).toEqual([]);
  const c = compile(doc);
  try {
    seedWeights(c, 7, 'parity');
    const names: string[] = [];
    for (const seed of [1, 2]) {
      const r = await compiledParity(c, {
        ort,
        seed,
        exportOptions: { graph: doc },
        onModel: (bytes) => {
          const file = join(dir, `${saved.length}.onnx`);
          writeFileSync(file, bytes);
          saved.push(file);
        },
      });
      expect(r.outputs).toHaveLength(a.outputs.length);
      r.outputs.forEach((o, k) => {
        const { node, port } = a.outputs[k]!;
        // Known dims equal the inferred ones (unknown ones depend on the filled-in input).
        const want = concreteShape(a.nodes.get(node)!.outputShapes![port]!, 2, -1);
        expect(o.tfjsShape, `${o.name}: tfjs and onnxruntime shapes differ`).toBeUndefined();
        expect(o.shape.map((d, j) => (want[j] === -1 ? -1 : d)), `${o.name} shape`).toEqual(want);
        expect(o.maxAbsDiff, `${o.name}: max |tfjs − onnxruntime|`).toBeLessThanOrEqual(TOL);
      });
      names.push(...r.outputs.map((o) => o.name));
    }
    return names;
  } finally {
    c.model.dispose();
  }
}

function exportOnnxBytes(c: ReturnType<typeof compile>, doc: GraphDoc): Uint8Array {
  const bytes = exportOnnx(c, { graph: doc });
  const file = join(dir, `${saved.length}.onnx`);
  writeFileSync(file, bytes);
  saved.push(file);
  return bytes;
}

/** The op types of the exported ONNX graph (export from a fresh compile). */
function onnxOps(doc: GraphDoc): { opType: string; attrs: Record<string, unknown>; outputs: string[] }[] {
  const c = compile(doc);
  try {
    return buildOnnxModel(c, { graph: doc }).graph.nodes;
  } finally {
    c.model.dispose();
  }
}

describe('analyze() keeps its promise', () => {
  it('a Concatenate fed one tensor twice while a later block also reads it runs (no "Tensor is disposed")', async () => {
    const doc = graph(
      'concat twice',
      [['x', 'Input', { shape: [4] }], ['d', 'Dense', { units: 3 }], ['c', 'Concatenate'], ['f', 'Dense', { units: 2 }], ['e', 'Dense', { units: 2 }]],
      [['x', 'd'], ['d', 'c', 'in0'], ['d', 'c', 'in1'], ['c', 'f'], ['d', 'e']],
    );
    await keepsPromise(doc);
    // An LSTM started from one tensor on both h0 and c0 beside another reader of it.
    await keepsPromise(
      graph(
        'one state twice',
        [['x', 'Input', { shape: [5, 3] }], ['s', 'Input', { shape: [4] }], ['d', 'Dense', { units: 4 }], ['l', 'LSTM', { units: 4 }], ['e', 'Dense', { units: 2 }]],
        [['x', 'l', 'in'], ['s', 'd'], ['d', 'l', 'h0'], ['d', 'l', 'c0'], ['d', 'e']],
      ),
    );
  });

  it('a recurrent block whose "out" and "h" are one tensor in tfjs (returnState, no sequences) feeds both ports on', async () => {
    for (const type of ['SimpleRNN', 'GRU', 'LSTM'])
      await keepsPromise(
        graph(
          `${type} out and h`,
          [['x', 'Input', { shape: [4, 3] }], ['r', type, { units: 2, returnState: true }], ['a', 'Activation', { activation: 'relu' }], ['m', 'Multiply'], ['b', 'Dense', { units: 2 }]],
          [['x', 'r', 'in'], ['r', 'a'], ['a', 'm', 'in0'], ['r', 'm', 'in1', 'h'], ['r', 'b', undefined, 'h']],
        ),
      );
  });

  it('Sampling promises no size for an unknown mean that only its logVar knows (found by the fuzzer)', async () => {
    const doc = graph(
      'sampling',
      [['x', 'Input', { shape: [null, 2] }], ['p', 'Permute', { dims: [2, 1] }], ['s', 'Sampling'], ['a', 'Activation', { activation: 'softplus' }]],
      [['x', 'p'], ['p', 's', 'mean'], ['x', 's', 'logVar'], ['s', 'a']],
    );
    expect(analyze(doc).nodes.get('s')!.outputShapes!.out).toEqual([null, null, null]);
    await keepsPromise(doc);
  });

  it('LSTM, GRU, SimpleRNN and Bidirectional with other activations export for an unknown sequence length', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['LSTM', { units: 4, activation: 'relu', returnState: true }],
      ['LSTM', { units: 3, activation: 'elu', recurrentActivation: 'hardSigmoid', returnSequences: true, goBackwards: true }],
      ['GRU', { units: 4, recurrentActivation: 'hardSigmoid', returnSequences: true }],
      ['GRU', { units: 3, activation: 'linear', resetAfter: true, goBackwards: true }],
      ['SimpleRNN', { units: 4, activation: 'softsign', returnSequences: true }],
      ['Bidirectional', { layer: 'LSTM', units: 3, activation: 'softsign', recurrentActivation: 'hardSigmoid', returnSequences: true }],
    ];
    for (const [type, params] of cases) await keepsPromise(graph(`${type} activations`, [['x', 'Input', { shape: [null, 3] }], ['r', type, params]], [['x', 'r']]));
    const ops = onnxOps(graph('lstm relu', [['x', 'Input', { shape: [null, 3] }], ['r', 'LSTM', { units: 2, activation: 'relu' }]], [['x', 'r']]));
    expect(ops.find((n) => n.opType === 'LSTM')!.attrs.activations).toEqual({ strings: ['Sigmoid', 'Relu', 'Relu'] });
    // Unrolled over one known step from a zero state: no recurrent kernel that nothing reads.
    for (const type of ['LSTM', 'GRU', 'SimpleRNN']) {
      const doc = graph(`${type} one step`, [['x', 'Input', { shape: [1, 3] }], ['r', type, { units: 2, activation: 'relu' }]], [['x', 'r']]);
      const c = compile(doc);
      try {
        const m = buildOnnxModel(c, { graph: doc }).graph;
        const read = new Set(m.nodes.flatMap((n) => n.inputs));
        expect(m.initializers.map((t) => t.name).filter((name) => !read.has(name)), type).toEqual([]);
      } finally {
        c.model.dispose();
      }
    }
  });

  it('Cropping2D on an unknown size keeps it unknown in tfjs and refuses an input too small to crop', async () => {
    const doc = graph(
      'crop unknown',
      [['x', 'Input', { shape: [null, 6, 2] }], ['c', 'Cropping2D', { cropping: [[1, 2], [1, 1]] }], ['k', 'Conv2D', { filters: 2, kernelSize: 2 }]],
      [['x', 'c'], ['c', 'k']],
    );
    await keepsPromise(doc);
    const c = compile(doc);
    try {
      // tfjs 4.22 alone says null − 1 − 2 = −3 rows.
      expect(c.model.getLayer('c').outputShape).toEqual([null, null, 4, 2]);
      const x = tf.zeros([1, 3, 6, 2]);
      expect(() => c.model.predict(x)).toThrow(/Cropping2D "c": cropping \[\[1,2\],\[1,1\]\] leaves nothing of an input of 3×6/);
      x.dispose();
    } finally {
      c.model.dispose();
    }
  });

  it('inputs of rank ≥ 7 are refused on the Input (and any wider tensor on its block); rank 6 runs', async () => {
    const a = analyze(graph('rank 7', [['x', 'Input', { shape: [2, 2, 2, 2, 2, 2] }], ['r', 'Activation', { activation: 'relu' }]], [['x', 'r']]));
    expect(a.errors.map((e) => [e.node, e.param])).toEqual([['x', 'shape']]);
    expect(a.errors[0]!.message).toMatch(/rank 6 at most/);
    const b = analyze(graph('reshape 7', [['x', 'Input', { shape: [24] }], ['r', 'Reshape', { targetShape: [2, 3, 2, 2, 1, 1] }]], [['x', 'r']]));
    expect(b.errors.map((e) => e.node)).toEqual(['r']);
    await keepsPromise(graph('rank 6', [['x', 'Input', { shape: [2, 3, 2, 2, 2] }], ['r', 'Permute', { dims: [2, 1, 3, 5, 4] }]], [['x', 'r']]));
  });

  it('an LSTM "l" with state outputs beside a node named "l.h" gets unique ONNX output names', async () => {
    const doc = graph(
      'names',
      [['x', 'Input', { shape: [5, 3] }], ['l', 'LSTM', { units: 4, returnState: true }], ['l.h', 'Dense', { units: 2 }]],
      [['x', 'l'], ['x', 'l.h']],
    );
    const names = onnxOutputNames(analyze(doc), doc);
    expect(names).toEqual(['l.out', 'l.h_1', 'l.c', 'l.h']);
    expect(await keepsPromise(doc)).toEqual([...names, ...names]);
    // An Input named like a derived output name keeps its name too.
    const doc2 = graph('names 2', [['l.h', 'Input', { shape: [5, 3] }], ['l', 'LSTM', { units: 4, returnState: true }]], [['l.h', 'l']]);
    expect(onnxOutputNames(analyze(doc2), doc2)).toEqual(['l.out', 'l.h_1', 'l.c']);
    await keepsPromise(doc2);
  });

  it('dilated "same" convolutions on an unknown size export explicit pads that onnxruntime runs', async () => {
    const docs = [
      graph('conv1d', [['x', 'Input', { shape: [null, 3] }], ['c', 'Conv1D', { filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' }]], [['x', 'c']]),
      graph('conv2d', [['x', 'Input', { shape: [null, null, 3] }], ['c', 'Conv2D', { filters: 2, kernelSize: [3, 2], dilationRate: [2, 3], padding: 'same' }]], [['x', 'c']]),
      graph('sep', [['x', 'Input', { shape: [null, 6, 2] }], ['c', 'SeparableConv2D', { filters: 2, kernelSize: 2, dilationRate: 2, padding: 'same' }]], [['x', 'c']]),
      graph('pool', [['x', 'Input', { shape: [7, null, 2] }], ['c', 'MaxPooling2D', { poolSize: 3, strides: 1, padding: 'same' }]], [['x', 'c']]),
    ];
    for (const doc of docs) {
      await keepsPromise(doc);
      for (const n of onnxOps(doc)) expect(n.attrs.auto_pad, `${doc.name}: ${n.opType}`).toBeUndefined();
    }
    const conv = onnxOps(docs[1]!).find((n) => n.opType === 'Conv')!;
    // total = dilation·(k − 1): 4 rows, 3 columns; the odd pixel at the end.
    expect(conv.attrs.pads).toEqual({ ints: [2, 1, 2, 2] });
  });

  it('"same" windows with a stride above their span on an unknown size pad at run time (never negative pads)', async () => {
    const docs = [
      graph('avg1d', [['x', 'Input', { shape: [null, 3] }], ['c', 'AveragePooling1D', { poolSize: 1, strides: 3, padding: 'same' }]], [['x', 'c']]),
      graph('avg2d', [['x', 'Input', { shape: [null, null, 2] }], ['c', 'AveragePooling2D', { poolSize: [2, 1], strides: 3, padding: 'same' }]], [['x', 'c']]),
      graph('max2d', [['x', 'Input', { shape: [null, 7, 2] }], ['c', 'MaxPooling2D', { poolSize: [1, 2], strides: [3, 2], padding: 'same' }]], [['x', 'c']]),
      graph('conv2d', [['x', 'Input', { shape: [null, null, 2] }], ['c', 'Conv2D', { filters: 3, kernelSize: 1, strides: 3, padding: 'same' }]], [['x', 'c']]),
      graph('sep', [['x', 'Input', { shape: [null, null, 2] }], ['c', 'SeparableConv2D', { filters: 3, kernelSize: 1, strides: 3, padding: 'same' }]], [['x', 'c']]),
      // The unknown axis is safe (span 3 ≥ stride 2); the known one (2 wide, span 1) is not.
      graph('known axis', [['x', 'Input', { shape: [null, 2, 2] }], ['c', 'AveragePooling2D', { poolSize: [3, 1], strides: 2, padding: 'same' }]], [['x', 'c']]),
    ];
    for (const doc of docs) {
      await keepsPromise(doc);
      // Every size from 1 to 9 (the total pad is negative, zero or positive among them).
      const c = compile(doc);
      try {
        const session = await ort.InferenceSession.create(exportOnnxBytes(c, doc));
        for (let size = 1; size <= 9; size++) {
          const shape = concreteShape(c.analysis.nodes.get('x')!.outputShapes!.out!, 1, size);
          const x = tf.randomNormal(shape, 0, 1, 'float32', size);
          const want = c.model.predict(x) as tf.Tensor;
          const got = (await session.run({ x: new ort.Tensor('float32', x.dataSync() as Float32Array, shape) })).c!;
          expect([...got.dims], `${doc.name} at size ${size}`).toEqual(want.shape);
          const w = want.dataSync();
          const g = got.data as Float32Array;
          expect(Math.max(0, ...Array.from(w, (v, i) => Math.abs(v - g[i]!))), `${doc.name} at size ${size}`).toBeLessThanOrEqual(TOL);
          tf.dispose([x, want]);
        }
        await session.release();
      } finally {
        c.model.dispose();
      }
    }
  });

  it('ZeroPadding2D before MaxPooling2D keeps its zeros in onnxruntime, and a zero padding emits no Pad', async () => {
    // After the Conv the layout Transposes cancel and PadFusion would merge the Pad into MaxPool.
    const doc = graph(
      'pad pool',
      [['x', 'Input', { shape: [7, 7, 2] }], ['c', 'Conv2D', { filters: 3, kernelSize: 3, padding: 'same' }], ['p', 'ZeroPadding2D', { padding: 1 }], ['m', 'MaxPooling2D', { poolSize: 3, strides: 2 }]],
      [['x', 'c'], ['c', 'p'], ['p', 'm']],
    );
    await keepsPromise(doc);
    const none = graph('no pad', [['x', 'Input', { shape: [6, 6, 2] }], ['p', 'ZeroPadding2D', { padding: 0 }], ['m', 'MaxPooling2D', { poolSize: 2 }]], [['x', 'p'], ['p', 'm']]);
    await keepsPromise(none);
    expect(onnxOps(none).map((n) => n.opType)).not.toContain('Pad');
  });
});

describe('ONNX checker', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('onnx.checker.check_model(full_check=True) accepts every model exported above', () => {
    const r = checkModelsWithPython(saved, { spawnSync });
    if (r.status === 'no-python-onnx') {
      expect.unreachable(`${r.message} — python3-onnx is missing: apt-get install -y python3-onnx (bash .ci/run installs it)`);
      return;
    }
    expect(r.failures, r.failures.map((f) => `${f.file}: ${f.error}`).join('\n')).toEqual([]);
    expect(r.checked).toBe(saved.length);
    expect(saved.length).toBeGreaterThan(20);
  });
});
