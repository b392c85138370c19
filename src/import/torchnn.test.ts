// Import of everyday hand-written torch.nn models (issue #15): a Conv1d + GRU time-series
// classifier, a ConvTranspose2d autoencoder, an LSTM encoder–decoder with dot-product attention
// whose decoder starts from the encoder's (h, c), and LSTM / GRU variants (bidirectional,
// batch_first or time-major, two layers, initial states from another recurrent layer). Each is
// exported by Debian's python3-torch at opsets 13 and 17 (src/import/torch_nn_models.py),
// imported, validated, compiled to tfjs with the imported weights and compared with onnxruntime
// on the original file (src/import/nnCheck.ts): max |diff| ≤ 1e-4, and the trainable parameter
// count equals torch's (less the second LSTM / RNN bias, which the import sums into the first).
//
// Needs /usr/bin/python3 with torch (apt: python3-torch); without it these tests fail, they are
// never skipped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { exportOnnx } from '../onnx/export';
import { onnxReader } from '../onnx/read';
import { ImportError, applyWeights, importOnnx } from './index';
import { checkNn, exportTorchFixtures, type Made } from './nnCheck';

const dir = mkdtempSync(join(tmpdir(), 'nb-torchnn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const made: Record<string, Made> = {};

beforeAll(() => {
  for (const opset of ['13', '17']) {
    for (const j of exportTorchFixtures<Made & { name: string }>('./torch_nn_models.py', dir, opset)) {
      made[`${j.name}_o${opset}`] = j;
    }
  }
}, 300_000);

/** Imports and compares `name`; checks the tolerance, a non-trivial output and the parameter count. */
async function imported(name: string, opset: number): Promise<GraphDoc> {
  const m = made[`${name}_o${opset}`]!;
  const c = await checkNn(m.path, m.inputs, m.batchAxis, m.outputBatchAxis, opset);
  expect(c.refMax).toBeGreaterThan(0.01);
  expect(c.diff).toBeLessThanOrEqual(1e-4);
  expect(c.params).toBe(m.params - m.mergedBiases);
  return c.doc;
}

const count = (doc: GraphDoc, type: string) => doc.nodes.filter((n) => n.type === type).length;
const byType = (doc: GraphDoc, type: string) => doc.nodes.filter((n) => n.type === type);
/** "source.port → target.port" of the edges into `id`. */
const into = (doc: GraphDoc, id: string) => doc.edges.filter((e) => e.target === id).map((e) => `${e.source}.${e.sourceHandle ?? 'out'} → ${e.targetHandle ?? 'in'}`);

describe.each([13, 17])('ONNX import of hand-written torch.nn models (opset %i, onnxruntime reference)', (opset) => {
  it('Conv1d on [N, C, L] → Conv1D (same pads, stride-2 pads as explicit zero padding, dilated groups), then a batch_first GRU', async () => {
    const doc = await imported('conv_gru', opset);
    expect(byType(doc, 'Conv1D').map((n) => [n.params?.padding, n.params?.strides, n.params?.groups ?? 1])).toEqual([
      ['same', [1], 1],
      ['valid', [2], 1],
      ['valid', [1], 3],
    ]);
    expect(byType(doc, 'ZeroPadding2D')[0]!.params).toEqual({ padding: [[2, 2], [0, 0]] });
    expect(byType(doc, 'GRU')[0]!.params).toMatchObject({ units: 16, resetAfter: true, returnSequences: false });
    // The input is permuted once to channels-last; the conv output needs no Permute before the GRU.
    expect(count(doc, 'Permute')).toBe(1);
  }, 120_000);

  it('[N, L, C] transposed for a Conv1d and back costs no Permute; h_n[-1] is the GRU output', async () => {
    const doc = await imported('seq_conv', opset);
    expect(doc.nodes.map((n) => n.type)).toEqual(['Input', 'Conv1D', 'GRU', 'Dense']);
  }, 120_000);

  it('a 1-D CNN: BatchNorm1d on [N, C, L], a residual Add, a channel concat, MaxPool1d / AvgPool1d → the 1-D pools, mean over the steps → GlobalAveragePooling1D', async () => {
    const doc = await imported('conv1d_pool', opset);
    expect(doc.nodes.map((n) => n.type)).toEqual(['Input', 'Permute', 'Conv1D', 'BatchNormalization', 'MaxPooling1D', 'Conv1D', 'Add', 'Conv1D', 'Conv1D', 'Concatenate', 'AveragePooling1D', 'GlobalAveragePooling1D', 'Dense']);
    // Channels are our last axis: the residual Add and the channel concat need no Permute.
    expect(byType(doc, 'Concatenate')[0]!.params).toEqual({ axis: 2 });
    expect(byType(doc, 'BatchNormalization')[0]!.params).toMatchObject({ axis: -1 });
  }, 120_000);

  it('ConvTranspose2d decoder → Conv2DTranspose ("same" for kernel 4 / padding 1, "valid" + Cropping2D for output_padding 1)', async () => {
    const doc = await imported('autoencoder', opset);
    expect(byType(doc, 'Conv2DTranspose').map((n) => [n.params?.padding, n.params?.activation])).toEqual([
      ['valid', undefined],
      ['same', 'sigmoid'],
    ]);
    expect(byType(doc, 'Cropping2D')[0]!.params).toEqual({ cropping: [[1, 0], [1, 0]] });
  }, 120_000);

  it('ConvTranspose2d variants: kernel = stride, non-square strides with output_padding, kernel < stride without bias', async () => {
    const doc = await imported('deconvs', opset);
    expect(byType(doc, 'Conv2DTranspose').map((n) => [n.params?.kernelSize, n.params?.strides, n.params?.useBias])).toEqual([
      [[2, 2], [2, 2], true],
      [[3, 5], [2, 3], true],
      [[1, 1], [2, 2], false],
      [[5, 5], [1, 1], true],
    ]);
  }, 120_000);

  it('output_padding past the kernel (rows holding only the bias) is refused in plain words', async () => {
    const m = made[`deconv_extra_row_o${opset}`]!;
    const err = await checkNn(m.path, m.inputs, 0, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    const u = (err as ImportError).unsupported;
    expect(u).toHaveLength(1);
    expect(u[0]!.reason).toMatch(/output_padding 1 with padding 0 at the bottom adds 1 row\(s\) beyond the kernel's reach that hold only the bias/);
  });

  it("LSTM encoder–decoder: the decoder starts from the encoder's (h, c); bmm attention → the Attention block", async () => {
    const doc = await imported('seq2seq_attention', opset);
    const [enc, dec] = byType(doc, 'LSTM');
    expect(enc!.params).toMatchObject({ units: 16, returnSequences: true, returnState: true });
    expect(into(doc, dec!.id).sort()).toEqual([`${enc!.id}.c → c0`, `${enc!.id}.h → h0`, 'input1.out → in']);
    const att = byType(doc, 'Attention')[0]!;
    expect(att.params).toMatchObject({ returnAttentionScores: false });
    expect(into(doc, att.id).sort()).toEqual([`${dec!.id}.out → query`, `${enc!.id}.out → value`].sort());
    expect(count(doc, 'Concatenate')).toBe(1);
  }, 120_000);

  it.each([
    ['lstm_bf', ['LSTM']],
    ['gru_tm', ['GRU']],
    ['lstm_bi_tm', ['Bidirectional']],
    ['gru_bi_bf', ['Bidirectional']],
    ['lstm_2layer', ['LSTM', 'LSTM']],
    ['gru_bi_2layer', ['Bidirectional', 'Bidirectional']],
    ['gru_tm_seq', ['GRU']],
  ])('%s: output sequence (mean over time) and final state of the last layer', async (name, layers) => {
    const doc = await imported(name, opset);
    expect(doc.nodes.filter((n) => ['LSTM', 'GRU', 'Bidirectional'].includes(n.type)).map((n) => n.type)).toEqual(layers);
  }, 120_000);

  it("nn.RNN (ReLU) → SimpleRNN, its h0 a Linear of the mean input unsqueezed to [1, N, H]", async () => {
    const doc = await imported('rnn_h0_linear', opset);
    const rnn = byType(doc, 'SimpleRNN')[0]!;
    expect(rnn.params).toMatchObject({ units: 8, activation: 'relu' });
    const init = byType(doc, 'Dense').find((n) => n.params?.activation === 'tanh')!;
    expect(into(doc, rnn.id)).toContain(`${init.id}.out → h0`);
  }, 120_000);

  it.each([
    ['gru_encdec', 'GRU', 1, 1],
    ['lstm_encdec_tm', 'LSTM', 1, 1],
    ['lstm_encdec_2layer', 'LSTM', 2, 1],
    ['gru_encdec_bi', 'Bidirectional', 1, 2],
    ['lstm_encdec_bi_2layer', 'Bidirectional', 2, 2],
  ])("%s: each decoder layer's initial state is the same encoder layer's final state", async (name, type, layers, dirs) => {
    const doc = await imported(name, opset);
    const rnns = byType(doc, type);
    expect(rnns).toHaveLength(2 * layers);
    const lstm = name.startsWith('lstm');
    for (let l = 0; l < layers; l++) {
      const [enc, dec] = [rnns[l]!, rnns[layers + l]!];
      const states = into(doc, dec.id).filter((e) => !e.endsWith('→ in'));
      const names = (lstm ? ['h', 'c'] : ['h']).flatMap((s) => (dirs === 2 ? [s, `${s}Back`] : [s]));
      // The forward h is the "out" port when the encoder returns no sequence (returnState: out, h, c).
      const port = (s: string) => (s === 'h' && enc.params?.returnSequences === false && !enc.type.startsWith('Bi') ? 'out' : s);
      expect(states.sort()).toEqual(names.map((s) => `${enc.id}.${port(s)} → ${s.replace(/Back$/, '')}0${s.endsWith('Back') ? 'Back' : ''}`).sort());
    }
  }, 120_000);
});

describe("the recurrent templates through our ONNX exporter, re-imported op by op (stored graph ignored)", () => {
  const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
  it.each([
    ['seq2seq-attention', ['Input', 'Input', 'Embedding', 'Embedding', 'LSTM', 'LSTM', 'Attention', 'Concatenate', 'Dense', 'Dense', 'Softmax']],
    ['char-rnn', ['Input', 'Embedding', 'SimpleRNN', 'Dense', 'Softmax']],
  ])('%s: same blocks (the softmax Dense split in two), outputs within 1e-5', (name, types) => {
    const g = JSON.parse(readFileSync(new URL(`../../templates/${name}.json`, import.meta.url), 'utf8')) as GraphDoc;
    const c = compile(g, { seed: 5 });
    const r = importOnnx(exportOnnx(c, { graph: g }), reader, { ignoreMetadata: true });
    expect(r.doc.nodes.map((n) => n.type)).toEqual(types);
    if (name === 'seq2seq-attention') {
      const dec = r.doc.nodes.filter((n) => n.type === 'LSTM')[1]!;
      expect(r.doc.edges.filter((e) => e.target === dec.id).map((e) => e.targetHandle ?? 'in').sort()).toEqual(['c0', 'h0', 'in']);
    }
    const c2 = compile(r.doc);
    applyWeights(c2.model, r.weights);
    const xs = c.model.inputs.map((inp, k) => {
      const shape = [2, ...(inp.shape.slice(1) as number[])];
      return tf.tensor(Array.from({ length: shape[0]! * shape[1]! }, (_, i) => (i * 5 + k) % 11), shape, 'int32');
    });
    const [y, y2] = [c.model, c2.model].map((m) => (m.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor).dataSync());
    let diff = 0;
    for (let i = 0; i < y!.length; i++) diff = Math.max(diff, Math.abs(y![i]! - y2![i]!));
    expect(y2!.length).toBe(y!.length);
    expect(diff).toBeLessThanOrEqual(1e-5);
    c.model.dispose();
    c2.model.dispose();
  }, 120_000);
});
