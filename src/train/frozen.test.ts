// Frozen blocks ("trainable": false): training leaves their weights bit-identical (BatchNorm's
// moving statistics included), the summary counts them as frozen, the PyTorch export sets
// requires_grad to False (and real torch agrees), and ONNX export/import keeps the flag.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import { frozenNodeIds, setTrainable } from '../core/frozen';
import { parseGraph, type GraphDoc } from '../core/graph';
import { analyze } from '../core/infer';
import { formatSummaryTable, summarize } from '../core/summary';
import { makePoints } from '../data/synthetic';
import { exportOnnx } from '../onnx/export';
import { onnxReader } from '../onnx/read';
import { importOnnx } from '../import/index';
import { generatePytorch } from '../pytorch/index';
import { summaryCommand } from '../cli/commands/summary';
import { DEFAULT_TRAINING } from './config';
import { DataFitError, train } from './loop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
const dir = mkdtempSync(join(tmpdir(), 'nb-frozen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function net(frozen: string[]): GraphDoc {
  const nodes: GraphDoc['nodes'] = [
    { id: 'x', type: 'Input', params: { shape: [2] } },
    { id: 'h', type: 'Dense', params: { units: 8, activation: 'tanh' } },
    { id: 'bn', type: 'BatchNormalization', params: {} },
    { id: 'h2', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: 'y', type: 'Dense', params: { units: 2, activation: 'softmax' } },
  ];
  return {
    format: 'neural-blocks.graph',
    version: 1,
    name: 'frozen',
    nodes: nodes.map((n) => (frozen.includes(n.id) ? { ...n, trainable: false } : n)),
    edges: ['x', 'h', 'bn', 'h2', 'y'].slice(1).map((t, i) => ({ source: ['x', 'h', 'bn', 'h2'][i]!, target: t })),
  };
}

const weightsOf = (c: ReturnType<typeof compile>, id: string) => c.layersByNode.get(id)!.flatMap((l) => l.weights.map((w) => Array.from(w.read().dataSync())));

describe('frozen blocks', () => {
  it('keep their weights bit-identical through training (BatchNorm statistics too); the others learn', async () => {
    const doc = net(['h', 'bn']);
    const c = compile(doc, { seed: 3 });
    expect(c.model.trainableWeights.map((w) => w.originalName)).toEqual(['h2/kernel', 'h2/bias', 'y/kernel', 'y/bias']);
    const before = Object.fromEntries(['h', 'bn', 'h2', 'y'].map((id) => [id, weightsOf(c, id)]));
    const res = await train(c, makePoints('xor', { n: 200, seed: 1 }), { ...DEFAULT_TRAINING, epochs: 2, batchSize: 16, learningRate: 0.05 });
    expect(res.status).toBe('completed');
    expect(weightsOf(c, 'h')).toEqual(before.h);
    expect(weightsOf(c, 'bn')).toEqual(before.bn); // gamma, beta, moving mean and variance
    expect(weightsOf(c, 'h2')).not.toEqual(before.h2);
    expect(weightsOf(c, 'y')).not.toEqual(before.y);
    c.model.dispose();
  });

  it('an unfrozen BatchNorm still updates its moving statistics (so the test above can fail)', async () => {
    const c = compile(net([]), { seed: 3 });
    const before = weightsOf(c, 'bn');
    await train(c, makePoints('xor', { n: 64, seed: 1 }), { ...DEFAULT_TRAINING, epochs: 1, batchSize: 16 });
    expect(weightsOf(c, 'bn')[2]).not.toEqual(before[2]); // moving mean
    c.model.dispose();
  });

  it('a graph with every weighted block frozen says there is nothing to train', async () => {
    const c = compile(net(['h', 'bn', 'h2', 'y']));
    await expect(train(c, makePoints('xor', { n: 32 }), DEFAULT_TRAINING)).rejects.toThrow(DataFitError);
    await expect(train(c, makePoints('xor', { n: 32 }), DEFAULT_TRAINING)).rejects.toThrow(/every block with weights is frozen/);
    c.model.dispose();
  });

  it('the file format reads the flag and rejects a non-boolean', () => {
    expect(parseGraph(net(['h'])).nodes[1]!.trainable).toBe(false);
    // toggling back removes the field: an unfrozen block writes the file as before
    expect(setTrainable(net(['h']), 'h', true)).toEqual(net([]));
    expect(setTrainable(net([]), 'h', false)).toEqual(net(['h']));
    const bad = { ...net([]), nodes: [{ id: 'x', type: 'Input', trainable: 'no' }] };
    expect(() => parseGraph(bad, 'g.json')).toThrow('g.json: nodes[0] ("x"): "trainable" must be true or false, got "no"');
  });

  it('a frozen Macro node freezes every block inside it', () => {
    const doc: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [4] } },
        { id: 'm', type: 'Macro', params: { name: 'two' }, trainable: false },
        { id: 'y', type: 'Dense', params: { units: 2 } },
      ],
      edges: [
        { source: 'x', target: 'm' },
        { source: 'm', target: 'y' },
      ],
      macros: {
        two: {
          inputs: ['in'],
          outputs: [{ name: 'out', node: 'b' }],
          nodes: [
            { id: 'a', type: 'Dense', params: { units: 3 } },
            { id: 'b', type: 'Dense', params: { units: 3 } },
          ],
          edges: [
            { source: '$in', target: 'a' },
            { source: 'a', target: 'b' },
          ],
        },
      },
    };
    expect([...frozenNodeIds(doc)].sort()).toEqual(['m', 'm/a', 'm/b']);
    const c = compile(doc);
    expect(c.model.trainableWeights.map((w) => w.originalName)).toEqual(['y/kernel', 'y/bias']);
    c.model.dispose();
  });

  it('the summary counts frozen params as non-trainable and totals them', () => {
    const doc = net(['h']);
    const s = summarize(analyze(doc), doc.nodes.map((n) => n.id), frozenNodeIds(doc));
    const h = s.nodes.find((r) => r.id === 'h')!;
    expect(h).toMatchObject({ frozen: true, trainableParams: 0, nonTrainableParams: 2 * 8 + 8 });
    // 24 frozen + BatchNorm's 16 moving statistics
    expect(s.totals).toEqual({ trainableParams: 16 + 72 + 18, nonTrainableParams: 24 + 16, frozenParams: 24, macs: expect.any(Number) });
    const table = formatSummaryTable(s);
    expect(table).toContain('h (frozen)');
    expect(table).toContain('24 params frozen');
    // without frozen blocks the totals keep their old shape
    expect(summarize(analyze(net([]))).totals.frozenParams).toBeUndefined();
  });

  it('neural-blocks summary marks the frozen block and totals the frozen params (table and --json)', async () => {
    const f = join(dir, 'frozen.json');
    writeFileSync(f, JSON.stringify(net(['h'])));
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: () => undefined };
    expect(await summaryCommand.run([f], io as never)).toBe(0);
    expect(out.join('\n')).toMatch(/^h \(frozen\)\s+Dense\s+\[null, 8\]\s+0\s+24\s/m);
    expect(out.join('\n')).toContain('24 params frozen (counted as non-trainable)');
    out.length = 0;
    expect(await summaryCommand.run([f, '--json'], io as never)).toBe(0);
    expect(JSON.parse(out.join('\n')).totals).toMatchObject({ frozenParams: 24, nonTrainableParams: 40 });
  });

  it('ONNX export and import keep the flag (in the stored graph)', () => {
    const doc = net(['h']);
    const c = compile(doc);
    const reader = onnxReader(readFileSync(new URL('../onnx/onnx.proto', import.meta.url), 'utf8'));
    const r = importOnnx(exportOnnx(c, { graph: doc }), reader, { source: 'f.onnx' });
    expect(r.doc.nodes.find((n) => n.id === 'h')!.trainable).toBe(false);
    expect(r.doc.nodes.find((n) => n.id === 'y')!.trainable).toBeUndefined();
    c.model.dispose();
  });

  it('PyTorch: frozen modules get requires_grad_(False) and stay put through a torch training step', () => {
    const doc = net(['h', 'bn']);
    const c = compile(doc);
    const gen = generatePytorch(c, doc);
    expect(gen.files['model.py']).toContain('self.h.requires_grad_(False)');
    expect(gen.files['model.py']).toContain('self.bn.requires_grad_(False)');
    expect(gen.files['model.py']).not.toContain('self.y.requires_grad_(False)');
    writeFileSync(join(dir, 'model.py'), gen.files['model.py']);
    const script = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(dir)})
import model as M
torch.manual_seed(0)
m = M.Model().train()
before = {k: v.clone() for k, v in m.state_dict().items()}
opt = torch.optim.SGD([p for p in m.parameters() if p.requires_grad], lr=0.1)
x = torch.randn(16, 2)
loss = m(x)[:, 0].sum()
loss.backward()
opt.step()
after = m.state_dict()
print(json.dumps({
  "requires_grad": {n: p.requires_grad for n, p in m.named_parameters()},
  "unchanged": {k: bool(torch.equal(before[k], after[k])) for k in before if not k.endswith("num_batches_tracked")},
}))
`;
    const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { requires_grad: Record<string, boolean>; unchanged: Record<string, boolean> };
    for (const [k, v] of Object.entries(out.requires_grad)) expect([k, v]).toEqual([k, !(k.startsWith('h.') || k.startsWith('bn.'))]);
    for (const [k, v] of Object.entries(out.unchanged)) expect([k, v]).toEqual([k, k.startsWith('h.') || k.startsWith('bn.')]);
    c.model.dispose();
  });
});
