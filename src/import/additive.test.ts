// Additive (Bahdanau) attention as PyTorch writes it — score = v(tanh(Wq·q.unsqueeze(2) +
// Wk·k.unsqueeze(1))).squeeze(-1), softmax over the keys, bmm with the keys — built here node for
// node as torch.onnx.export writes it (opset 13: axes as inputs; opset 11: as attributes), imported
// and compared with onnxruntime. Our own exporter's spelling (a [D] scale and ReduceSum) is
// covered by roundtrip.test.ts.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import { rng } from '../core/randomInputs';
import { onnxReader } from '../onnx/read';
import { applyWeights, importOnnx } from './index';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const D = 8;
const r = rng(11);
const rand = (n: number) => Array.from({ length: n }, () => r() * 2 - 1);
const floats = (name: string, dims: number[], data = rand(dims.reduce((a, b) => a * b, 1))) => ({ name, dims, data_type: 1, float_data: data });
const int64 = (name: string, v: number[]) => ({ name, dims: [v.length], data_type: 7, int64_data: v });

/** torch's Bahdanau attention over q [N, 5, D] and k [N, 6, D] at `opset`. */
function bahdanau(opset: number): Uint8Array {
  const axes = (name: string, input: string, out: string, v: number) =>
    opset >= 13 ? { op_type: name, input: [input, `ax${v}`], output: [out] } : { op_type: name, input: [input], output: [out], attribute: [{ name: 'axes', type: 7, ints: [v] }] };
  const nodes = [
    { op_type: 'MatMul', input: ['q', 'wq'], output: ['qp'] },
    { op_type: 'MatMul', input: ['k', 'wk'], output: ['kp0'] },
    { op_type: 'Add', input: ['wk_bias', 'kp0'], output: ['kp'] },
    axes('Unsqueeze', 'qp', 'qe', 2),
    axes('Unsqueeze', 'kp', 'ke', 1),
    { op_type: 'Add', input: ['qe', 'ke'], output: ['sum'] },
    { op_type: 'Tanh', input: ['sum'], output: ['t'] },
    { op_type: 'MatMul', input: ['t', 'v'], output: ['e0'] },
    { op_type: 'Add', input: ['v_bias', 'e0'], output: ['e1'] },
    axes('Squeeze', 'e1', 'e', -1),
    { op_type: 'Softmax', name: '/attn/Softmax', input: ['e'], output: ['w'], attribute: [{ name: 'axis', type: 2, i: -1 }] },
    { op_type: 'MatMul', input: ['w', 'k'], output: ['y'] },
  ];
  const vi = (name: string, t: number, d = D) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, { dim_value: t }, { dim_value: d }] } } } });
  const msg = reader.ModelProto.fromObject({
    ir_version: 7,
    producer_name: 'pytorch',
    opset_import: [{ domain: '', version: opset }],
    graph: {
      name: 'bahdanau',
      node: nodes,
      initializer: [floats('wq', [D, D]), floats('wk', [D, D]), floats('wk_bias', [D]), floats('v', [D, 1]), floats('v_bias', [1]), int64('ax2', [2]), int64('ax1', [1]), int64('ax-1', [-1])],
      input: [vi('q', 5), vi('k', 6)],
      output: [vi('y', 5)],
    },
  });
  return reader.ModelProto.encode(msg).finish();
}

describe.each([11, 13])('additive attention as torch writes it (opset %i)', (opset) => {
  it('→ Dense projections and one AdditiveAttention with the Linear(D, 1) weight as its scale; matches onnxruntime', async () => {
    const bytes = bahdanau(opset);
    const res = importOnnx(bytes, reader, { source: 'bahdanau.onnx' });
    const att = res.doc.nodes.filter((n) => n.type === 'AdditiveAttention');
    expect(att.map((n) => n.params)).toEqual([{}]);
    expect(res.doc.nodes.map((n) => n.type).sort()).toEqual(['AdditiveAttention', 'Dense', 'Dense', 'Input', 'Input']);
    // The score's bias is the same for every key: the softmax ignores it, and the report says so.
    expect(res.report.notes.join('\n')).toMatch(/score bias "v_bias".*left out/);
    const c = compile(res.doc, { kernelInitializer: 'zeros' });
    try {
      applyWeights(c.model, res.weights);
      const q = Float32Array.from(rand(2 * 5 * D).map((x) => x * 2));
      const k = Float32Array.from(rand(2 * 6 * D).map((x) => x * 2));
      const byName: Record<string, tf.Tensor> = { q: tf.tensor(q, [2, 5, D]), k: tf.tensor(k, [2, 6, D]) };
      const got = (c.model.predict(c.analysis.inputs.map((id) => byName[id]!)) as tf.Tensor).dataSync();
      Object.values(byName).forEach((t) => t.dispose());
      const s = await ort.InferenceSession.create(bytes);
      const want = (await s.run({ q: new ort.Tensor('float32', q, [2, 5, D]), k: new ort.Tensor('float32', k, [2, 6, D]) })).y!.data as Float32Array;
      expect(got.length).toBe(want.length);
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(want[i]! - got[i]!));
      expect(diff).toBeLessThanOrEqual(1e-5);
    } finally {
      c.model.dispose();
    }
  });
});
