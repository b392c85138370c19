// Multi-block graphs through the whole path: compile → seeded weights (every weight random,
// biases and BatchNorm statistics included) → export → onnxruntime-node, compared with tfjs
// within 1e-4; then the official ONNX checker over every exported model.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import { parseGraphText, type GraphDoc, type GraphEdge, type GraphNode } from '../core/graph';
import { compiledParity } from './parity';
import { seedWeights } from './seedWeights';
import { checkModelsWithPython } from './checker';

const TOL = 1e-4;
const dir = mkdtempSync(join(tmpdir(), 'nb-onnx-graphs-'));
const saved: string[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function graph(name: string, nodes: [string, string, Record<string, unknown>?][], edges: (string | [string, string, string?, string?])[]): GraphDoc {
  const ns: GraphNode[] = nodes.map(([id, type, params]) => ({ id, type, params: params ?? {} }));
  // "a>b" is an edge out→in; [source, target, targetHandle, sourceHandle] names ports.
  const es: GraphEdge[] = edges.map((e) => {
    if (typeof e === 'string') {
      const [source, target] = e.split('>') as [string, string];
      return { source, target };
    }
    const [source, target, targetHandle, sourceHandle] = e;
    return { source, target, ...(targetHandle ? { targetHandle } : {}), ...(sourceHandle ? { sourceHandle } : {}) };
  });
  return { format: 'neural-blocks.graph', version: 1, name, nodes: ns, edges: es };
}

const GRAPHS: GraphDoc[] = [
  // GroupNormalization with random scale and shift (seedWeights 'parity'): 4 groups of 2 after a
  // conv, then one group over a sequence's features (the block's ONNX is Reshape/ReduceMean/…).
  graph(
    'group normalization random scale shift',
    [
      ['img', 'Input', { shape: [6, 5, 3] }],
      ['c', 'Conv2D', { filters: 8, kernelSize: 3, padding: 'same' }],
      ['gn', 'GroupNormalization', { groups: 4 }],
      ['r', 'Reshape', { targetShape: [30, 8] }],
      ['gn1', 'GroupNormalization', { groups: 1, epsilon: 0.001 }],
    ],
    ['img>c', 'c>gn', 'gn>r', 'r>gn1'],
  ),
  // A small CNN with an inception-style branch (concat) and a residual add.
  graph(
    'cnn branches concat residual',
    [
      ['img', 'Input', { shape: [16, 16, 3] }],
      ['stem', 'Conv2D', { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['bn', 'BatchNormalization'],
      ['b1', 'Conv2D', { filters: 4, kernelSize: 1 }],
      ['b3', 'Conv2D', { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['cat', 'Concatenate'],
      ['res', 'Add'],
      ['pool', 'MaxPooling2D', { poolSize: 2 }],
      ['down', 'Conv2D', { filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'swish' }],
      ['gap', 'GlobalAveragePooling2D'],
      ['flat', 'Flatten'],
      ['pool2', 'AveragePooling2D', { poolSize: 2 }],
      ['fc', 'Dense', { units: 10, activation: 'softmax' }],
    ],
    ['img>stem', 'stem>bn', 'bn>b1', 'bn>b3', ['b1', 'cat', 'in0'], ['b3', 'cat', 'in1'], ['cat', 'res', 'in0'], ['bn', 'res', 'in1'], 'res>pool', 'pool>down', 'down>gap', 'gap>fc', 'down>pool2', 'pool2>flat'],
  ),
  // Seq2seq: an LSTM encoder whose states start the LSTM decoder, Luong attention over the
  // encoder outputs, and a softmax over the vocabulary at every step.
  graph(
    'seq2seq lstm states attention',
    [
      ['src', 'Input', { shape: [7], dtype: 'int32' }],
      ['tgt', 'Input', { shape: [5], dtype: 'int32' }],
      ['srcEmb', 'Embedding', { inputDim: 20, outputDim: 8 }],
      ['tgtEmb', 'Embedding', { inputDim: 15, outputDim: 8 }],
      ['enc', 'LSTM', { units: 12, returnSequences: true, returnState: true }],
      ['dec', 'LSTM', { units: 12, returnSequences: true }],
      ['att', 'Attention'],
      ['ctx', 'Concatenate'],
      ['out', 'Dense', { units: 15, activation: 'softmax' }],
    ],
    [
      'src>srcEmb',
      'tgt>tgtEmb',
      ['srcEmb', 'enc', 'in'],
      ['tgtEmb', 'dec', 'in'],
      ['enc', 'dec', 'h0', 'h'],
      ['enc', 'dec', 'c0', 'c'],
      ['dec', 'att', 'query'],
      ['enc', 'att', 'value', 'out'],
      ['dec', 'ctx', 'in0'],
      ['att', 'ctx', 'in1'],
      'ctx>out',
    ],
  ),
  // A transformer encoder block: token + learned position embeddings, multi-head
  // self-attention with residual and LayerNorm, a GELU feed-forward with residual and LayerNorm.
  graph(
    'transformer block',
    [
      ['tok', 'Input', { shape: [6], dtype: 'int32' }],
      ['emb', 'Embedding', { inputDim: 30, outputDim: 16 }],
      ['pos', 'PositionalEmbedding', { maxLength: 6 }],
      ['mha', 'MultiHeadAttention', { numHeads: 2, keyDim: 8 }],
      ['add1', 'Add'],
      ['ln1', 'LayerNormalization'],
      ['ff1', 'Dense', { units: 32, activation: 'gelu' }],
      ['ff2', 'Dense', { units: 16 }],
      ['add2', 'Add'],
      ['ln2', 'LayerNormalization'],
      ['gap', 'GlobalAveragePooling1D'],
      ['cls', 'Dense', { units: 3, activation: 'softmax' }],
    ],
    ['tok>emb', 'emb>pos', ['pos', 'mha', 'query'], ['pos', 'mha', 'value'], ['pos', 'add1', 'in0'], ['mha', 'add1', 'in1'], 'add1>ln1', 'ln1>ff1', 'ff1>ff2', ['ln1', 'add2', 'in0'], ['ff2', 'add2', 'in1'], 'add2>ln2', 'ln2>gap', 'gap>cls'],
  ),
  // A bidirectional GRU text classifier.
  graph(
    'bidirectional gru classifier',
    [
      ['tok', 'Input', { shape: [9], dtype: 'int32' }],
      ['emb', 'Embedding', { inputDim: 50, outputDim: 8 }],
      ['bi', 'Bidirectional', { layer: 'GRU', units: 6, returnSequences: true }],
      ['bi2', 'Bidirectional', { layer: 'GRU', units: 4, mergeMode: 'ave' }],
      ['drop', 'Dropout', { rate: 0.3 }],
      ['cls', 'Dense', { units: 4, activation: 'softmax' }],
    ],
    ['tok>emb', ['emb', 'bi', 'in'], ['bi', 'bi2', 'in'], 'bi2>drop', 'drop>cls'],
  ),
  // A convolutional autoencoder: Conv2D + pooling down, Conv2DTranspose + UpSampling2D up.
  graph(
    'conv autoencoder',
    [
      ['img', 'Input', { shape: [16, 16, 1] }],
      ['e1', 'Conv2D', { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['p1', 'MaxPooling2D', { poolSize: 2 }],
      ['e2', 'Conv2D', { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['p2', 'MaxPooling2D', { poolSize: 2 }],
      ['d1', 'Conv2DTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }],
      ['u1', 'UpSampling2D', { size: 2 }],
      ['d2', 'Conv2DTranspose', { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['recon', 'Conv2D', { filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid' }],
    ],
    ['img>e1', 'e1>p1', 'p1>e2', 'e2>p2', 'p2>d1', 'd1>u1', 'u1>d2', 'd2>recon'],
  ),
  // The VAE template: Sampling exports as an Identity of the mean that names the log-variance
  // branch in its doc_string; that branch stays in the file as nodes no output reads.
  parseGraphText(readFileSync(new URL('../../templates/vae.json', import.meta.url), 'utf8'), 'vae.json'),
];

describe('multi-block graphs export and match tfjs in onnxruntime', () => {
  for (const doc of GRAPHS) {
    it(doc.name!, async () => {
      const c = compile(doc);
      expect(c.analysis.errors).toEqual([]);
      try {
        seedWeights(c, 3, 'parity');
        const r = await compiledParity(c, {
          ort,
          seed: 5,
          exportOptions: { graph: doc },
          onModel: (bytes) => {
            const file = join(dir, `${doc.name!.replace(/\W+/g, '_')}.onnx`);
            writeFileSync(file, bytes);
            saved.push(file);
          },
        });
        expect(r.outputs.length).toBe(c.analysis.outputs.length);
        for (const o of r.outputs) {
          expect(o.tfjsShape, `${o.name}: onnxruntime shape ${JSON.stringify(o.shape)}`).toBeUndefined();
          expect(o.maxAbsDiff, `${o.name}: max |tfjs − onnxruntime|`).toBeLessThanOrEqual(TOL);
        }
      } finally {
        c.model.dispose();
      }
    });
  }

  it('a macro block at the end: its output is named after the instance', async () => {
    const doc = {
      ...graph('macro tail', [['x', 'Input', { shape: [4] }], ['head', 'Macro', { name: 'TwoHeads' }]], [['x', 'head', 'in']]),
      macros: {
        TwoHeads: {
          inputs: ['in'],
          outputs: [
            { name: 'logits', node: 'a' },
            { name: 'probs', node: 'b' },
          ],
          nodes: [
            { id: 'a', type: 'Dense', params: { units: 3 } },
            { id: 'b', type: 'Dense', params: { units: 2, activation: 'softmax' } },
          ],
          edges: [
            { source: '$in', target: 'a' },
            { source: '$in', target: 'b' },
          ],
        },
      },
    } as GraphDoc;
    const c = compile(doc);
    try {
      const r = await compiledParity(c, { ort, seed: 2, exportOptions: { graph: doc } });
      expect(r.outputs.map((o) => o.name).sort()).toEqual(['head.logits', 'head.probs']);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(TOL);
    } finally {
      c.model.dispose();
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('the ONNX checker (full_check) accepts every exported graph', () => {
    const r = checkModelsWithPython(saved, { spawnSync });
    if (r.status === 'no-python-onnx') {
      expect.unreachable(`${r.message} — python3-onnx is missing: apt-get install -y python3-onnx (bash .ci/run installs it)`);
      return;
    }
    expect(r.failures, r.failures.map((f) => `${f.file}: ${f.error}`).join('\n')).toEqual([]);
    expect(r.checked).toBe(GRAPHS.length);
  });
});
