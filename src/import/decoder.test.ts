// Import of torch's Transformer decoders (issue #15): nn.TransformerDecoder language models over
// an Embedding attending to an encoder memory (a second input), with torch's causal tgt_mask as a
// folded 0/-inf constant, as a bool triu mask and as computed in forward() (Trilu, opset 17), and
// a whole nn.Transformer encoder–decoder and a time-major decoder (batch_first=False); built by src/import/torch_decoder_models.py with
// Debian's python3-torch at opsets 13 and 17, imported, compiled with the imported weights and
// compared with onnxruntime on the original file by compareImported (what `neural-blocks import
// FILE --compare` runs): max |diff| ≤ 1e-4, trainable parameters equal torch's. A mask that is not
// causal (a sliding window, a key_padding_mask) is refused, naming it, at every layer.
//
// Needs /usr/bin/python3 with torch (apt: python3-torch); without it these tests fail, they are
// never skipped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph';
import { onnxReader } from '../onnx/read';
import { compareImported } from './compare';
import { ImportError, formatBlockers, importOnnx } from './index';
import { readOnnx } from './onnx/index';
import { exportTorchFixtures } from './nnCheck';

const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'nb-decoder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const params: Record<string, number> = {};

beforeAll(() => {
  for (const opset of ['13', '17']) {
    for (const j of exportTorchFixtures<{ name: string; params: number }>('./torch_decoder_models.py', dir, opset)) {
      params[`${j.name}_o${opset}`] = j.params;
    }
  }
}, 300_000);

/** Imports `name` at `opset` and compares it with onnxruntime (batch 2, seeded random tokens / memory). */
async function check(name: string, opset: number): Promise<GraphDoc> {
  const file = `${name}_o${opset}.onnx`;
  const bytes = new Uint8Array(readFileSync(join(dir, file)));
  const r = importOnnx(bytes, reader, { source: file });
  const c = await compareImported(bytes, readOnnx(bytes, reader), r, { ort: ort as never, seed: 5 });
  expect(c.outputs[0]!.refMaxAbs).toBeGreaterThan(0.5);
  expect(c.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  expect(c.trainableParams).toBe(params[`${name}_o${opset}`]);
  return r.doc;
}

const byType = (doc: GraphDoc, type: string) => doc.nodes.filter((n) => n.type === type);
/** The node feeding `id`'s port `port`. */
const from = (doc: GraphDoc, id: string, port: string) => doc.edges.find((e) => e.target === id && e.targetHandle === port)?.source;
const typeOf = (doc: GraphDoc, id: string | undefined) => doc.nodes.find((n) => n.id === id)?.type;

/** Self-attention (causal, attends to itself) then cross-attention (query from the decoder, keys = values from `memory`), per layer. */
function expectDecoderAttention(doc: GraphDoc, layers: number, memory: (id: string) => boolean) {
  const mha = byType(doc, 'MultiHeadAttention');
  expect(mha).toHaveLength(layers * 2);
  for (let l = 0; l < layers; l++) {
    const [self, cross] = [mha[2 * l]!, mha[2 * l + 1]!];
    expect(self.params).toMatchObject({ numHeads: 2, keyDim: 8, useBias: true, useCausalMask: true });
    expect(from(doc, self.id, 'query')).toBe(from(doc, self.id, 'value'));
    expect(cross.params).toMatchObject({ numHeads: 2, keyDim: 8, useBias: true });
    expect(cross.params?.useCausalMask).toBeUndefined();
    expect(memory(from(doc, cross.id, 'value')!)).toBe(true);
    expect(from(doc, cross.id, 'key')).toBeUndefined();
    expect(memory(from(doc, cross.id, 'query')!)).toBe(false);
  }
}

describe.each([13, 17])('ONNX import of torch Transformer decoders (opset %i, onnxruntime reference)', (opset) => {
  it.each([
    ['decoder', 'post-norm, generate_square_subsequent_mask kept as a buffer (a 0/-inf constant)'],
    ['decoder_pre_bool', 'pre-norm, a bool triu mask'],
  ])('%s (%s): masked self-attention → MultiHeadAttention with useCausalMask, cross-attention to the memory input', async (name) => {
    const doc = await check(name, opset);
    expectDecoderAttention(doc, 2, (id) => id === 'memory');
    expect(byType(doc, 'LayerNormalization')).toHaveLength(6);
    expect(doc.nodes.map((n) => n.type).slice(0, 4)).toEqual(['Input', 'Input', 'Embedding', 'PositionalEmbedding']);
    expect(doc.nodes.at(-1)!.type).toBe('Dense');
    // Nothing of the spelt-out attention is left.
    expect(doc.nodes.filter((n) => ['Permute', 'Reshape', 'Softmax'].includes(n.type))).toEqual([]);
  }, 120_000);

  it('nn.Transformer (2 encoder + 2 decoder layers): the decoder attends to the encoder\'s final LayerNorm', async () => {
    const doc = await check('transformer', opset);
    const mha = byType(doc, 'MultiHeadAttention');
    expect(mha).toHaveLength(6);
    // The encoder's self-attention sees the whole source (no mask).
    for (const n of mha.slice(0, 2)) expect(n.params?.useCausalMask).toBeUndefined();
    const encoderNorm = byType(doc, 'LayerNormalization')[4]!.id;
    expect(byType(doc, 'LayerNormalization')).toHaveLength(12);
    expectDecoderAttention({ ...doc, nodes: doc.nodes.filter((n) => n.type !== 'MultiHeadAttention' || !mha.slice(0, 2).includes(n)) }, 2, (id) => id === encoderNorm);
    expect(typeOf(doc, encoderNorm)).toBe('LayerNormalization');
  }, 120_000);

  it.each([
    ['decoder_window', 'a sliding-window mask (not causal)', 'a constant [1,6,6] mask or bias that is not causal'],
    ['decoder_padded', 'a tgt_key_padding_mask (token 0 is padding)', 'a mask or bias computed in the graph (e.g. from a key_padding_mask'],
  ])('%s: %s is refused at both layers, naming the mask', (name, _what, words) => {
    const bytes = new Uint8Array(readFileSync(join(dir, `${name}_o${opset}.onnx`)));
    let err: unknown;
    try {
      importOnnx(bytes, reader, { source: `${name}.onnx` });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImportError);
    const u = (err as ImportError).unsupported;
    expect(u.map((x) => x.node)).toEqual(['/decoder/layers.0/self_attn', '/decoder/layers.1/self_attn']);
    for (const x of u) expect(x.reason).toContain(words);
    expect(u[0]!.reason).toContain('useCausalMask');
    // The CLI / canvas report: one group for both layers, with what would cover it.
    const lines = formatBlockers(`${name}.onnx`, u, (err as ImportError).unchecked);
    expect(lines[0]).toBe(`${name}.onnx cannot be imported: 2 nodes (1 kind of op) have no block. Nothing was written.`);
    expect(lines.join('\n')).toMatch(/would cover it: the MultiHeadAttention block: .*a causal one \(generate_square_subsequent_mask → useCausalMask\); export without other masks/);
    // The group is named in words, not by the importer's internal op name.
    expect(lines[1]).toMatch(/^ {2}MultiHeadAttention \(recognised from several ONNX ops\) ×2: /);
    expect(lines.join('\n')).not.toContain('nb.');
  });
});

describe('ONNX import of a time-major decoder (torch\'s default batch_first=False)', () => {
  it.each([13, 17])('opset %i: the [T, N, D] inputs and output are taken batch-major; attention reads them as they are', async (opset) => {
    const doc = await check('decoder_time_major', opset);
    expectDecoderAttention(doc, 2, (id) => id === 'memory');
    expect(doc.nodes.filter((n) => n.type === 'Input').map((n) => n.params?.shape)).toEqual([[6, 16], [5, 16]]);
    expect(doc.nodes.filter((n) => n.type === 'Permute')).toEqual([]);
  }, 120_000);
});

describe('ONNX import of a causal mask computed in forward() (opset 17: Trilu of ConstantOfShape(-inf))', () => {
  it('nn.Transformer.generate_square_subsequent_mask(tgt.size(1)) → useCausalMask', async () => {
    const doc = await check('decoder_forward_mask', 17);
    expectDecoderAttention(doc, 2, (id) => id === 'memory');
  }, 120_000);
});
