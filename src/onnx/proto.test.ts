// Round trip: our hand-written encoder → protobufjs with the official onnx.proto.
import * as tf from '@tensorflow/tfjs';
import { readFileSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { exportOnnx, GRAPH_METADATA_KEY, liveWeights, OnnxExportError, onnxUnsupportedNodes } from './export';
import { encodeModel } from './proto';
import { decodeModel, onnxReader } from './read';
import { transposeData } from './ops';
import { analyze } from '../core/infer';

const reader = onnxReader(readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const doc: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'round trip',
  nodes: [
    { id: 'img', type: 'Input', params: { shape: [8, 8, 3] } },
    { id: 'c1', type: 'Conv2D', params: { filters: 4, kernelSize: 3 } },
    { id: 'head', type: 'Dense', params: { units: 5, activation: 'softmax' } },
  ],
  edges: [
    { source: 'img', target: 'c1' },
    { source: 'c1', target: 'head' },
  ],
};

type Obj = Record<string, unknown>;

describe('ONNX encoder round trip (protobufjs + official onnx.proto)', () => {
  it('writes opset 17, IR 8, the graph JSON, named inputs/outputs with a symbolic batch, and the initializers', () => {
    const c = compile(doc);
    try {
      const bytes = exportOnnx(c, { graph: doc });
      const m = decodeModel(reader, bytes);
      expect(m.ir_version).toBe(8);
      expect(m.opset_import).toEqual([{ version: 17 }]);
      const meta = m.metadata_props as { key: string; value: string }[];
      expect(meta.map((p) => p.key)).toEqual([GRAPH_METADATA_KEY]);
      expect(JSON.parse(meta[0]!.value)).toEqual(doc);
      const g = m.graph as Obj;
      const dims = (v: Obj) => ((v.type as Obj).tensor_type as { shape: { dim: Obj[] } }).shape.dim;
      const [inp] = g.input as Obj[];
      expect(inp!.name).toBe('img');
      expect(dims(inp!)).toEqual([{ dim_param: 'N' }, { dim_value: 8 }, { dim_value: 8 }, { dim_value: 3 }]);
      const [out] = g.output as Obj[];
      expect(out!.name).toBe('head');
      expect(dims(out!)).toEqual([{ dim_param: 'N' }, { dim_value: 6 }, { dim_value: 6 }, { dim_value: 5 }]);
      // Initializers: every weight, dims as ONNX wants them, bytes equal to tfjs' values.
      const inits = g.initializer as { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }[];
      const dense = liveWeights(c, 'head');
      const kernel = inits.find((t) => t.dims.join() === '4,5')!;
      expect(kernel.data_type).toBe(1);
      expect(Array.from(new Float32Array(Uint8Array.from(kernel.raw_data).buffer))).toEqual(Array.from(dense[0]!.data));
      const convKernel = inits.find((t) => t.dims.join() === '4,3,3,3');
      expect(convKernel, `conv kernel [out, in, kh, kw] among ${JSON.stringify(inits.map((t) => t.dims))}`).toBeDefined();
      const total = inits.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
      expect(total).toBeGreaterThanOrEqual(c.model.countParams());
    } finally {
      c.model.dispose();
    }
  });

  it('encodes every attribute kind and negative int64s', () => {
    const bytes = encodeModel({
      irVersion: 8,
      opsetImports: [{ domain: '', version: 17 }],
      producerName: 'test',
      producerVersion: '1',
      metadata: [{ key: 'k', value: 'ünïcödé ✓ 😀' }],
      graph: {
        name: 'g',
        inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 3] }],
        outputs: [{ name: 'y', dtype: 'float32' }],
        initializers: [
          { name: 'i64', dtype: 'int64', dims: [3], data: BigInt64Array.from([-1n, 0n, 1n << 40n]) },
          { name: 'i32', dtype: 'int32', dims: [2], data: Int32Array.from([-7, 7]) },
        ],
        nodes: [
          {
            opType: 'Foo',
            name: 'n',
            docString: 'a node that says what it is: ✓',
            domain: 'test.domain',
            inputs: ['x', ''],
            outputs: ['y'],
            attrs: {
              f: { f: 0.25 },
              i: { i: -3 },
              s: { s: 'SAME_UPPER' },
              fl: { floats: [1.5, -2] },
              is: { ints: [-1, 0, 300] },
              st: { strings: ['Sigmoid', 'Tanh'] },
              t: { t: { dtype: 'float32', dims: [2], data: Float32Array.from([1, 2]) } },
            },
          },
        ],
      },
    });
    const m = decodeModel(reader, bytes);
    expect(m.metadata_props).toEqual([{ key: 'k', value: 'ünïcödé ✓ 😀' }]);
    const g = m.graph as Obj;
    const inits = g.initializer as { raw_data: Uint8Array }[];
    expect(Array.from(new BigInt64Array(Uint8Array.from(inits[0]!.raw_data).buffer))).toEqual([-1n, 0n, 1n << 40n]);
    expect(Array.from(new Int32Array(Uint8Array.from(inits[1]!.raw_data).buffer))).toEqual([-7, 7]);
    const attrs = Object.fromEntries(((g.node as Obj[])[0]!.attribute as Obj[]).map((a) => [a.name, a]));
    expect(attrs.f).toMatchObject({ type: 1, f: 0.25 });
    expect(attrs.i).toMatchObject({ type: 2, i: -3 });
    expect(new TextDecoder().decode(attrs.s!.s as Uint8Array)).toBe('SAME_UPPER');
    expect(attrs.fl).toMatchObject({ type: 6, floats: [1.5, -2] });
    expect(attrs.is).toMatchObject({ type: 7, ints: [-1, 0, 300] });
    expect((attrs.st!.strings as Uint8Array[]).map((b) => new TextDecoder().decode(b))).toEqual(['Sigmoid', 'Tanh']);
    expect(attrs.t).toMatchObject({ type: 4, t: { dims: [2], data_type: 1 } });
    expect((g.node as Obj[])[0]!.input).toEqual(['x', '']);
    expect((g.node as Obj[])[0]).toMatchObject({ doc_string: 'a node that says what it is: ✓', domain: 'test.domain', name: 'n', op_type: 'Foo' });
  });

  it('transposes weight layouts', () => {
    // [2, 3] → [3, 2]
    expect(Array.from(transposeData(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0]).data)).toEqual([1, 4, 2, 5, 3, 6]);
    // A rank-4 transpose checked against tfjs.
    const shape = [2, 3, 4, 5];
    const data = Float32Array.from({ length: 120 }, (_, i) => i);
    const perm = [3, 2, 0, 1];
    const want = tf.tidy(() => tf.transpose(tf.tensor(data, shape), perm).dataSync());
    const got = transposeData(data, shape, perm);
    expect(got.dims).toEqual([5, 4, 2, 3]);
    expect(Array.from(got.data)).toEqual(Array.from(want));
  });

  it('refuses a node that cannot export, naming it and the reason', () => {
    const spec = { ...analyze(doc).nodes.get('c1')!.spec!, toOnnx: undefined };
    const lookup = (t: string) => (t === 'Conv2D' ? spec : analyze(doc).nodes.get(t === 'Input' ? 'img' : 'head')!.spec);
    const a = analyze(doc, lookup);
    expect(onnxUnsupportedNodes(a)).toEqual([{ node: 'c1', type: 'Conv2D', reason: expect.stringMatching(/no ONNX exporter/) }]);
    const c = compile(doc, { lookup });
    try {
      expect(() => exportOnnx(c)).toThrow(OnnxExportError);
      expect(() => exportOnnx(c)).toThrow(/node "c1" \(Conv2D\).*no ONNX exporter/);
    } finally {
      c.model.dispose();
    }
    const spec2 = { ...spec, onnxUnsupported: () => 'dilated transposed convolutions are not in opset 17' };
    const a2 = analyze(doc, (t) => (t === 'Conv2D' ? spec2 : lookup(t)));
    expect(onnxUnsupportedNodes(a2)[0]!.reason).toBe('dilated transposed convolutions are not in opset 17');
  });
});

describe('browser safety', () => {
  it('the exporter modules import nothing Node-only', () => {
    const dir = new URL('./', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files).toEqual(expect.arrayContaining(['export.ts', 'proto.ts', 'ops.ts', 'parity.ts', 'seedWeights.ts', 'read.ts', 'checker.ts']));
    for (const f of files) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      expect(src, f).not.toMatch(/from ['"](node:|fs|path|os|child_process|onnxruntime-node)/);
      expect(src, f).not.toMatch(/\bprocess\.(env|argv|cwd|exit|memoryUsage)|\bBuffer\.from/);
    }
  });
});
