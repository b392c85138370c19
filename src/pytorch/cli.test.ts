// exportPytorchCommand (what `neural-blocks export FILE --pytorch OUT_DIR` runs): the files it
// writes, weights taken from a tfjs model.json that PyTorch then reproduces, the dataset beside
// the model, and its exit codes for bad input.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportPytorchCommand } from '../cli/commands/pytorch';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { randomArray } from '../core/randomInputs';
import { saveModel } from '../train/weights';
import { CLUSTER_SECTION } from './readme';

const PYTHON = '/usr/bin/python3';
const HAVE_TORCH = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

const GRAPH: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'small cnn',
  nodes: [
    { id: 'img', type: 'Input', params: { shape: [6, 6, 2] } },
    { id: 'c/1', type: 'Conv2D', params: { filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' } },
    { id: 'bn', type: 'BatchNormalization', params: {} },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } },
  ],
  edges: [
    { source: 'img', target: 'c/1' },
    { source: 'c/1', target: 'bn' },
    { source: 'bn', target: 'flat' },
    { source: 'flat', target: 'out' },
  ],
  training: { dataset: 'xor', limit: 50, optimizer: 'sgd', momentum: 0.9, epochs: 3 },
};

let dir = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'nb-pytorch-cli-'));
});

describe('exportPytorchCommand', () => {
  it('writes model.py, weights, train.py, README.md and the dataset; PyTorch reproduces the saved tfjs weights', async () => {
    const graphFile = join(dir, 'g.json');
    writeFileSync(graphFile, JSON.stringify(GRAPH));
    // A "trained" model: random weights (BatchNorm statistics included) saved in tfjs format.
    const c = compile(GRAPH);
    const x = tf.tensor(randomArray([3, 6, 6, 2], 5), [3, 6, 6, 2]);
    let want: Float32Array;
    try {
      c.model.setWeights(c.model.weights.map((w, k) => {
        const d = randomArray(w.shape as number[], 40 + k) as Float32Array;
        if (/variance/.test(w.name)) d.forEach((v, i) => (d[i] = 1 + v / 2));
        return tf.tensor(d, w.shape as number[]);
      }));
      want = (c.model.predict(x) as tf.Tensor).dataSync() as Float32Array;
      const saved = await saveModel(c.model);
      writeFileSync(join(dir, 'model.json'), JSON.stringify(saved.modelJson));
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(saved.weights));
    } finally {
      c.model.dispose();
    }
    const out = join(dir, 'torch');
    const r = io();
    expect(await exportPytorchCommand(graphFile, out, join(dir, 'model.json'), 1, r.io)).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out[0]).toMatch(/wrote .*torch\/: model\.py, train\.py, README\.md, model\.pt, dataset\.json, dataset\.bin \(8 weight tensors, weights from .*model\.json; dataset xor \(40 training examples\)\)/);
    for (const f of ['model.py', 'train.py', 'README.md', 'model.pt', 'dataset.json', 'dataset.bin']) expect(existsSync(join(out, f)), f).toBe(true);
    const py = readFileSync(join(out, 'model.py'), 'utf8');
    expect(py).toMatch(/class SmallCnn\(nn\.Module\)/);
    expect(py).toMatch(/c_1 = self\.c_1\(img\) {2}# \(B, 3, 3, 3\)/);
    expect(py).toMatch(/flat = bn\.reshape\(bn\.shape\[0\], -1\) {2}# \(B, 27\)/);
    expect(readFileSync(join(out, 'train.py'), 'utf8')).toMatch(/"optimizer": "sgd",\s+"learning_rate": 0\.001,\s+"lr_schedule": "constant",\s+"momentum": 0\.9/);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/## Multi-GPU and multi-node training[\s\S]*--rdzv_backend=c10d/);
    const data = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8'));
    expect(data.train.n + data.test.n).toBe(50); // the limit caps the whole set; xor holds out a fifth
    expect(data.train.x[0]).toMatchObject({ shape: [2], dtype: 'float32' });
    expect(HAVE_TORCH, `${PYTHON} cannot import torch: apt-get install -y python3-torch (bash .ci/run installs it)`).toBe(true);
    writeFileSync(join(dir, 'x.bin'), new Uint8Array((x.dataSync() as Float32Array).buffer));
    const script = [
      'import sys, torch',
      `sys.path.insert(0, ${JSON.stringify(out)})`,
      'from model import Model, load_weights',
      'm = load_weights(Model()).eval()',
      `x = torch.frombuffer(bytearray(open(${JSON.stringify(join(dir, 'x.bin'))}, "rb").read()), dtype=torch.float32).reshape(3, 6, 6, 2)`,
      'print(" ".join(f"{v:.7f}" for v in m(x).detach().reshape(-1).tolist()))',
    ].join('\n');
    const p = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const got = p.stdout.trim().split(' ').map(Number);
    expect(got).toHaveLength(want.length);
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-5));
    x.dispose();
  });

  it('a graph with errors exits 1 and lists them; a missing file exits 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...GRAPH, nodes: GRAPH.nodes.map((n) => (n.id === 'out' ? { ...n, params: { units: -1 } } : n)) }));
    const r = io();
    expect(await exportPytorchCommand(bad, join(dir, 'x'), undefined, 1, r.io)).toBe(1);
    expect(r.err[0]).toMatch(/bad\.json: 1 error; nothing exported/);
    const m = io();
    expect(await exportPytorchCommand(join(dir, 'nope.json'), join(dir, 'x'), undefined, 1, m.io)).toBe(2);
    expect(m.err[0]).toMatch(/cannot read .*nope\.json: no such file/);
  });

  it('weights that do not fit the graph exit 2 naming the weight', async () => {
    const graphFile = join(dir, 'g2.json');
    writeFileSync(graphFile, JSON.stringify({ ...GRAPH, nodes: GRAPH.nodes.map((n) => (n.id === 'out' ? { ...n, params: { units: 3, activation: 'softmax' } } : n)) }));
    const r = io();
    expect(await exportPytorchCommand(graphFile, join(dir, 'y'), join(dir, 'model.json'), 1, r.io)).toBe(2);
    expect(r.err[0]).toMatch(/weight "out\/kernel" has shape \[27, 2\] in the file but \[27, 3\] in the graph/);
  });
});

describe('docs/pytorch.md', () => {
  it('carries the same cluster section as the generated README.md', () => {
    const md = readFileSync(join(__dirname, '../../docs/pytorch.md'), 'utf8');
    expect(md).toContain(CLUSTER_SECTION);
    expect(md).toMatch(/torch\.load\("model\.pt", weights_only=True\)/);
  });
});
