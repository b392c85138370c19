// Hostile model files (issue 12): tiny ONNX files whose tensors claim huge sizes, raw data that
// does not match its dims, manifests that point outside their folder, a BOM. Each must give a
// one-line ImportError (malformed) without allocating what the file claims.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { onnxReader } from '../onnx/read';
import { ImportError, importFile, importOnnx, importTfjs } from './index';
import { analyze } from '../core/infer';
import { ManifestError, badWeightPath, pickWeightFiles, planWeightFiles } from './manifest';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));

/** An ONNX model: input x [1, 4] → the given nodes → output y; initializers as given. */
function onnx(nodes: object[], initializer: object[] = []): Uint8Array {
  const vi = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 4 }] } } } });
  const msg = reader.ModelProto.fromObject({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: { name: 'g', node: nodes, initializer, input: [vi('x')], output: [vi('y')] },
  });
  return reader.ModelProto.encode(msg).finish();
}

function importError(bytes: Uint8Array): ImportError {
  try {
    importOnnx(bytes, reader, { source: 'hostile.onnx' });
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  throw new Error('the import succeeded');
}

describe('ONNX tensors are checked before anything of their size is allocated', () => {
  it('ConstantOfShape of 5e8 and 1e12 elements', () => {
    for (const n of [5e8, 1e12]) {
      const shape = { name: 's', dims: [1], data_type: 7, int64_data: [n] };
      const bytes = onnx([{ op_type: 'ConstantOfShape', input: ['s'], output: ['c'], name: 'cos' }, { op_type: 'Add', input: ['x', 'c'], output: ['y'] }], [shape]);
      expect(bytes.byteLength).toBeLessThan(200);
      const e = importError(bytes);
      expect(e.malformed).toBe(true);
      expect(e.message).toMatch(/ConstantOfShape "cos" would have \d\.\de\+\d+ elements .*at most 268435456/);
    }
  });

  it('int64 raw tensors whose dims claim 1e12 or 4e9 elements', () => {
    for (const dims of [[1e12], [4e9], [65536, 65536]]) {
      const t = { name: 'w', dims, data_type: 7, raw_data: new Uint8Array(16) };
      const e = importError(onnx([{ op_type: 'Reshape', input: ['x', 'w'], output: ['y'] }], [t]));
      expect(e.malformed).toBe(true);
      expect(e.message).toContain('tensor "w" would have');
    }
  });

  it('Expand and Tile to 1e12 elements allocate nothing: they are ops with no block', () => {
    for (const op of ['Expand', 'Tile']) {
      const shape = { name: 's', dims: [2], data_type: 7, int64_data: [1e6, 1e6] };
      const e = importError(onnx([{ op_type: op, input: ['x', 's'], output: ['y'], name: 'big' }], [shape]));
      expect(e.malformed).toBe(false);
      expect(e.unsupported.map((u) => u.op)).toEqual([op]);
    }
  });

  it('raw data shorter or longer than its dims, and negative dims', () => {
    for (const [dt, bytes] of [[7, 12], [6, 20], [11, 8], [1, 4]] as const) {
      const t = { name: 'w', dims: [2], data_type: dt, raw_data: new Uint8Array(bytes) };
      const e = importError(onnx([{ op_type: 'Reshape', input: ['x', 'w'], output: ['y'] }], [t]));
      expect(e.message).toMatch(/tensor "w" has \d+ bytes of \w+ data, but dims \[2\] need \d+/);
    }
    const neg = { name: 'w', dims: [-3], data_type: 1, float_data: [1, 2, 3] };
    expect(importError(onnx([{ op_type: 'Reshape', input: ['x', 'w'], output: ['y'] }], [neg])).message).toContain('dims must be non-negative integers');
  });
});

describe('tfjs manifests', () => {
  const manifest = (paths: unknown[], shape: number[] = [2, 3]) => ({ weightsManifest: [{ paths, weights: [{ name: 'd/kernel', shape, dtype: 'float32' }] }] });

  it('accepts plain names and sub-folders; refuses "..", absolute, drive, URL and backslash paths', () => {
    for (const p of ['weights.bin', 'group1-shard1of2.bin', 'sub/w.bin']) expect(badWeightPath(p)).toBeUndefined();
    for (const p of ['../secret.bin', 'a/../../b', '/etc/passwd', '/dev/zero', 'C:/x.bin', 'file:///etc/passwd', 'a\\b.bin', '', 'a//b', 'a\u0000b'])
      expect(badWeightPath(p), p).toBeDefined();
    expect(() => planWeightFiles(manifest(['ok.bin', '../x.bin']), 'm.json')).toThrow(/^m\.json: weightsManifest\[0\]\.paths\[1\] "\.\.\/x\.bin" leaves the model\.json's folder/);
    expect(planWeightFiles(manifest(['w.bin']), 'm.json').bytes).toBe(24);
    expect(() => planWeightFiles(manifest(['w.bin'], [1e6, 1e6]), 'm.json')).toThrow(ManifestError);
  });

  it('the browser takes only the picked files the manifest names, with their sizes checked first', () => {
    const plan = planWeightFiles(manifest(['sub/w.bin']), 'm.json');
    const ok = { name: 'w.bin', size: 24 };
    expect(pickWeightFiles(plan, [{ name: 'other.bin', size: 24 }, ok], 'm.json')).toEqual([ok]);
    expect(() => pickWeightFiles(plan, [{ name: 'other.bin', size: 24 }], 'm.json')).toThrow(/"sub\/w\.bin" was not among the files picked \(other\.bin\)/);
    expect(() => pickWeightFiles(plan, [{ name: 'w.bin', size: 1e10 }], 'm.json')).toThrow(/hold 10000000000 bytes, but the manifest's weights take 24/);
  });

  it('a model.json with a UTF-8 BOM imports; one nested 100,000 deep is refused', async () => {
    const graph = { format: 'neural-blocks.graph', version: 1, nodes: [{ id: 'x', type: 'Input', params: { shape: [3] } }, { id: 'd', type: 'Dense', params: { units: 2 } }], edges: [{ source: 'x', target: 'd' }] };
    const mj = JSON.stringify({ format: 'layers-model', userDefinedMetadata: { 'neural-blocks.graph': graph }, weightsManifest: [] });
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(mj)]);
    const r = await importFile('model.json', bom);
    expect(r.doc.nodes.map((n) => n.id)).toEqual(['x', 'd']);
    const deep = mj.replace('"weightsManifest":[]', `"weightsManifest":[],"x":${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    await expect(importFile('model.json', new TextEncoder().encode(deep))).rejects.toThrow(/JSON nested more than 64 levels deep/);
  });

  it('layers that are not objects, odd names and shapes are malformed, not crashes', () => {
    const topo = (layers: unknown[]) => ({ modelTopology: { class_name: 'Sequential', config: { name: 's', layers } } });
    for (const layers of [[null], [5], [{ class_name: 7 }], [{ class_name: 'Dense', config: [] }], [{ class_name: 'Dense', config: {}, inbound_nodes: 'x' }]])
      expect(() => importTfjs(topo(layers), undefined), JSON.stringify(layers)).toThrow(/modelTopology layer 0 is not/);
    const odd = topo([{ class_name: 'Dense', config: { name: 12, units: 2, batch_input_shape: 'x' } }]);
    expect(() => importTfjs(odd, undefined)).toThrow(/batch_input_shape/);
    const weights = { ...topo([{ class_name: 'InputLayer', config: { name: 'i', batch_input_shape: [null, 3] } }]), weightsManifest: [null, { weights: [{ name: 'w', shape: 'x' }] }] };
    expect(() => importTfjs(weights, new Uint8Array(0))).toThrow(/weightsManifest entry .* is not/);
    // "constructor" is not a config key the Dense block inherits from Object.prototype.
    const proto = topo([{ class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 3], constructor: 1 } }]);
    expect(() => importTfjs(proto, undefined)).toThrow(/cannot be imported/);
  });
});

describe('params named after Object.prototype members', () => {
  it('are unknown params', () => {
    const a = analyze({ format: 'neural-blocks.graph', version: 1, nodes: [{ id: 'x', type: 'Input', params: { shape: [3] } }, { id: 'd', type: 'Dense', params: { units: 2, toString: 1, constructor: 2 } }], edges: [{ source: 'x', target: 'd' }] });
    expect(a.errors.map((e) => e.param).sort()).toEqual(['constructor', 'toString']);
  });
});
