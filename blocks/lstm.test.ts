// LSTM's unitForgetBias (Keras' unit_forget_bias): it changes only the initial bias (ones in the
// forget gate's slice of tfjs' i, f, c, o bias), and the PyTorch code's from-scratch init does the same.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { generatePytorch } from '../src/pytorch/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const U = 5;
function lstm(params: Record<string, unknown>): GraphDoc {
  return {
    format: 'neural-blocks.graph',
    version: 1,
    name: 'lstm-forget-bias',
    nodes: [
      { id: 'x', type: 'Input', params: { shape: [6, 3] } },
      { id: 'lstm', type: 'LSTM', params: { units: U, ...params } },
    ],
    edges: [{ source: 'x', target: 'lstm', targetHandle: 'in' }],
  };
}

function initialBias(params: Record<string, unknown>): number[] {
  const c = compile(lstm(params), { seed: 3 });
  const [layer] = c.layersByNode.get('lstm')!;
  const bias = layer!.getWeights()[2]!;
  const out = Array.from(bias.dataSync());
  c.model.dispose();
  return out;
}

describe('LSTM unitForgetBias', () => {
  it('starts the forget gate (the second of i, f, c, o) at 1 and the other gates at 0; off by default', () => {
    const on = initialBias({ unitForgetBias: true });
    expect(on).toEqual([...Array(U).fill(0), ...Array(U).fill(1), ...Array(2 * U).fill(0)]);
    expect(initialBias({})).toEqual(Array(4 * U).fill(0));
  });

  it('leaves the kernels as they would be without it (same seed, same weights)', () => {
    const a = compile(lstm({ unitForgetBias: true }), { seed: 3 });
    const b = compile(lstm({}), { seed: 3 });
    const [wa, wb] = [a, b].map((c) => c.layersByNode.get('lstm')![0]!.getWeights().slice(0, 2).map((w) => Array.from(w.dataSync())));
    expect(wa).toEqual(wb);
    a.model.dispose();
    b.model.dispose();
  });

  it('PyTorch: model.py asks the Recurrent cell for the forget bias only when the option is on and there is a bias', () => {
    const code = (params: Record<string, unknown>) => {
      const d = lstm(params);
      const c = compile(d);
      const py = generatePytorch(c, d).files['model.py']!;
      c.model.dispose();
      return py;
    };
    expect(code({ unitForgetBias: true })).toMatch(/Recurrent\(kind="LSTM".*, unit_forget_bias=True\)/);
    expect(code({})).not.toMatch(/self\.\w+ = Recurrent\(.*unit_forget_bias/);
    expect(code({ unitForgetBias: true, useBias: false })).not.toMatch(/self\.\w+ = Recurrent\(.*unit_forget_bias/);
  });

  // Debian's python3-torch, as src/pytorch/pytorch.test.ts uses (the CI set-up installs it).
  it('PyTorch: a fresh model (train.py --from-scratch) has ones in the forget slice of its bias', () => {
    const d = lstm({ unitForgetBias: true });
    const c = compile(d);
    const files = generatePytorch(c, d).files;
    c.model.dispose();
    const dir = mkdtempSync(join(tmpdir(), 'nb-lstm-'));
    writeFileSync(join(dir, 'model.py'), files['model.py']!);
    const script = 'import sys; sys.path.insert(0, sys.argv[1]); from model import Model; m = Model(); print([p.tolist() for n, p in m.named_parameters() if n.endswith("bias")])';
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8', timeout: 120_000 }).trim()) as number[][];
    expect(out).toEqual([[...Array(U).fill(0), ...Array(U).fill(1), ...Array(2 * U).fill(0)]]);
  });
});
