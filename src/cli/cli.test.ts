// The CLI as users run it: `node bin/neural-blocks.mjs …` in a real subprocess (tsx loader,
// stdout/stderr separation, exit codes), plus main() in-process for the help texts.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, main } from './main';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/neural-blocks.mjs');
const dir = mkdtempSync(join(tmpdir(), 'nb-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

let n = 0;
function file(content: unknown): string {
  const p = join(dir, `g${n++}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

const graph = (nodes: unknown[], edges: unknown[]) => ({ format: 'neural-blocks.graph', version: 1, name: 't', nodes, edges });

const LENET = graph(
  [
    { id: 'x', type: 'Input', params: { shape: [28, 28, 1] } },
    { id: 'c1', type: 'Conv2D', params: { filters: 6, kernelSize: 5, activation: 'relu' } },
    { id: 'c2', type: 'Conv2D', params: { filters: 16, kernelSize: 5, strides: 2 } },
    { id: 'fc', type: 'Dense', params: { units: 10, activation: 'softmax' } },
  ],
  [
    { source: 'x', target: 'c1' },
    { source: 'c1', target: 'c2' },
    { source: 'c2', target: 'fc' },
  ],
);

const BROKEN = graph(
  [
    { id: 'a', type: 'Input', params: { shape: [8, 8, 16] } },
    { id: 'b', type: 'Input', params: { shape: [8, 8, 32] } },
    { id: 'sum', type: 'Add' },
    { id: 'c', type: 'Conv2D', params: { filters: 'many' } },
  ],
  [
    { source: 'a', target: 'sum' },
    { source: 'b', target: 'sum' },
    { source: 'b', target: 'c' },
  ],
);

describe('neural-blocks check', () => {
  it('a valid graph: exit 0, parseable JSON with every shape', async () => {
    const r = await cli('check', file(LENET), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      shapes: {
        x: { out: [null, 28, 28, 1] },
        c1: { out: [null, 24, 24, 6] },
        c2: { out: [null, 10, 10, 16] },
        fc: { out: [null, 10, 10, 10] },
      },
      errors: [],
    });
    // No tfjs banner or other noise anywhere.
    expect(r.stderr).toBe('');
  });

  it('a valid graph, human format', async () => {
    const f = file(LENET);
    const r = await cli('check', f);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${f}: valid (4 nodes, 3 edges)`);
    expect(r.stdout).toMatch(/c2\s+Conv2D\s+\[null, 10, 10, 16\]/);
    expect(r.stdout).toMatch(/outputs: fc/);
  });

  it('graph errors: exit 1, node-level errors in JSON with the shapes inferred so far', async () => {
    const r = await cli('check', file(BROKEN), '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.shapes).toEqual({ a: { out: [null, 8, 8, 16] }, b: { out: [null, 8, 8, 32] } });
    expect(out.errors).toHaveLength(2);
    expect(out.errors[0]).toEqual({ node: 'c', param: 'filters', message: 'param "filters" must be an integer, got "many"' });
    expect(out.errors[1].node).toBe('sum');
    expect(Object.keys(out.errors[1]).sort()).toEqual(['message', 'node']);
    expect(out.errors[1].message).toMatch(/\[null, 8, 8, 16\] and \[null, 8, 8, 32\]/);
  });

  it('graph errors, human format: node "id" [port/param]: message', async () => {
    const r = await cli('check', file(BROKEN));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/: 2 errors\n/);
    expect(r.stdout).toContain('node "c" [filters]: param "filters" must be an integer, got "many"');
    expect(r.stdout).toMatch(/node "sum": Add "sum": .*same shape/);
  });

  it('a graph-level error has node null', async () => {
    const r = await cli('check', file(graph([{ id: 'd', type: 'Dense' }], [])), '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.errors).toContainEqual({ node: null, message: expect.stringMatching(/no Input block/) });
    expect(out.errors).toContainEqual({ node: 'd', port: 'in', message: expect.stringMatching(/not connected/) });
  });

  const malformed: [string, string, RegExp][] = [
    ['not JSON', '{"format": "neural-blocks.graph",', /is not valid JSON/],
    ['a wrong format', JSON.stringify({ format: 'onnx', version: 1, nodes: [], edges: [] }), /"format" must be "neural-blocks\.graph", got "onnx"/],
    ['an unknown version', JSON.stringify({ format: 'neural-blocks.graph', version: 7, nodes: [], edges: [] }), /version 7, but this build reads versions up to 1/],
    ['nodes not a list', JSON.stringify({ format: 'neural-blocks.graph', version: 1, nodes: 'x', edges: [] }), /"nodes" must be a list, got "x"/],
    [
      'a duplicate id',
      JSON.stringify(graph([{ id: 'x', type: 'Input', params: { shape: [2] } }, { id: 'x', type: 'Dense' }], [])),
      /duplicate node id "x"/,
    ],
  ];
  it.each(malformed)('%s: exit 2, one line on stderr, nothing on stdout', async (_what, text, re) => {
    const f = file(text);
    const runs = await Promise.all([cli('check', f), cli('check', f, '--json')]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(re);
      expect(r.stderr.startsWith(`neural-blocks: ${f}`)).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
    }
  });

  it('a missing file: exit 2, one line', async () => {
    const r = await cli('check', join(dir, 'nope.json'));
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toBe(`neural-blocks: cannot read ${join(dir, 'nope.json')}: no such file`);
  });

  it('bad usage: exit 2 naming the problem', async () => {
    const noFile = await cli('check');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/check: missing FILE/);
    const badOpt = await cli('check', file(LENET), '--jsn');
    expect(badOpt.code).toBe(2);
    expect(badOpt.stderr).toMatch(/unknown option "--jsn"/);
  });
});

describe('neural-blocks summary', () => {
  it('--json: per node shapes, params, MACs and totals', async () => {
    const r = await cli('summary', file(LENET), '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    // c1: 5·5·1·6 + 6 = 156 params; 24·24 positions × 25 × 1 × 6 = 86,400 MACs.
    // c2: 5·5·6·16 + 16 = 2,416; 10·10 × 25 × 6 × 16 = 240,000. fc: 16·10 + 10 = 170; 100 × 16 × 10 = 16,000.
    expect(s.nodes).toEqual([
      { id: 'x', type: 'Input', outputShapes: { out: [null, 28, 28, 1] }, trainableParams: 0, nonTrainableParams: 0, macs: 0 },
      { id: 'c1', type: 'Conv2D', outputShapes: { out: [null, 24, 24, 6] }, trainableParams: 156, nonTrainableParams: 0, macs: 86_400 },
      { id: 'c2', type: 'Conv2D', outputShapes: { out: [null, 10, 10, 16] }, trainableParams: 2_416, nonTrainableParams: 0, macs: 240_000 },
      { id: 'fc', type: 'Dense', outputShapes: { out: [null, 10, 10, 10] }, trainableParams: 170, nonTrainableParams: 0, macs: 16_000 },
    ]);
    expect(s.totals).toEqual({ trainableParams: 2_742, nonTrainableParams: 0, macs: 342_400 });
  });

  it('a table', async () => {
    const r = await cli('summary', file(LENET));
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^node\s+type\s+output shape\s+trainable\s+non-trainable\s+MACs$/);
    expect(lines).toContainEqual(expect.stringMatching(/^c2\s+Conv2D\s+\[null, 10, 10, 16\]\s+2,416\s+0\s+240\.0 k$/));
    expect(lines[lines.length - 1]).toMatch(/^total\s+2,742\s+0\s+342\.4 k$/);
  });

  it('graph errors: exit 1, the errors on stderr', async () => {
    const r = await cli('summary', file(BROKEN), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).totals).toEqual({ trainableParams: 0, nonTrainableParams: 0, macs: 0 });
    expect(r.stderr).toContain('node "c" [filters]: param "filters" must be an integer, got "many"');
  });

  it('an unparseable file: exit 2', async () => {
    const r = await cli('summary', file('not json'), '--json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('commands that run tfjs keep stdout clean', () => {
  // tfjs prints a "use tfjs-node" banner on its first tensor; the bin drops it and routes every
  // other console call to stderr, so JSON on stdout stays parseable.
  it('parity --json prints only JSON on stdout', async () => {
    const r = await cli('parity', file(LENET), '--json', '--seed', '3');
    expect(r.stderr).not.toMatch(/tfjs-node|TensorFlow\.js in Node/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.opset).toBe(17);
    expect(out.outputs).toEqual([{ name: 'fc', shape: [2, 10, 10, 10], maxAbsDiff: expect.any(Number) }]);
    expect(out.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });

  it('export of an unparseable file: exit 2, one line', async () => {
    const r = await cli('export', file('{"format": "neural-blocks.graph", "version": 1, "nodes": 3, "edges": []}'), '-o', join(dir, 'x.onnx'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/"nodes" must be a list, got 3/)]);
  });
});

describe('neural-blocks train', () => {
  const LENET5 = resolve(ROOT, 'templates/lenet5.json');
  it('trains a CNN on the WASM backend by default and saves it; --backend cpu trains on the reference backend', async () => {
    const out = join(dir, 'lenet-run');
    const args = [LENET5, '--limit', '400', '--epochs', '1', '--batch-size', '32', '--json'];
    const w = await cli('train', ...args, '--out', out);
    expect(w.code, w.stderr).toBe(0);
    const rw = JSON.parse(w.stdout);
    expect(rw).toMatchObject({ status: 'completed', dataset: 'mnist', backend: 'wasm', out: join(out, 'model.json') });
    expect(rw.history).toHaveLength(1);
    expect(rw.test.n).toBe(61); // 15% of the 406 digits a limit of 400 keeps (rounded up per class)
    // a conv net learns something in 340 examples (10 classes: chance is 10%)
    expect(rw.test.accuracy).toBeGreaterThan(0.3);
    const c = await cli('train', ...args, '--backend', 'cpu');
    expect(c.code, c.stderr).toBe(0);
    const rc = JSON.parse(c.stdout);
    expect(rc.backend).toBe('cpu');
    // (initial weights are random per run, so the numbers differ; one step's loss and gradients
    // on the two backends agree within 2e-4: src/train/wasmKernels.test.ts)
    expect(rc.test.accuracy).toBeGreaterThan(0.3);
  }, 300_000);

  it('--data mnist-full trains on the official split: a limit keeps 6 : 1 of train and test, and the test accuracy is printed', async () => {
    const r = await cli('train', LENET5, '--data', 'mnist-full', '--limit', '1000', '--epochs', '1', '--batch-size', '32');
    expect(r.code, r.stderr).toBe(0);
    // 148 test digits: 1/7 of 1,000, each class rounded up (src/data/mnistFull.test.ts has the counts)
    const m = /^test: loss [\d.]+ {2}accuracy ([\d.]+)% \(148 examples, [\d.]+ s\)$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(50); // chance is 10%; seeds 1–3 gave 69–78%
    expect(r.stderr).toMatch(/^epoch 1\/1 {2}loss [\d.]+ {2}acc [\d.]+ {2}val_loss/m);
  }, 120_000);

  it('a bad backend: exit 2 naming it', async () => {
    const r = await cli('train', resolve(ROOT, 'templates/xor.json'), '--backend', 'gpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/option --backend must be wasm or cpu, got "gpu"/);
  });
});

describe('the tool', () => {
  it('--help lists every command; exit 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name}\\s+${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it('an unknown command: exit 2 with the usage', async () => {
    const r = await cli('frobnicate', 'x.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
    expect(r.stderr).toMatch(/Usage: neural-blocks COMMAND/);
    expect(r.stdout).toBe('');
  });

  it('no command: exit 2 with the usage', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: neural-blocks COMMAND/);
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help and help %s print its help; exit 0', async (name) => {
    const cmd = COMMANDS.find((c) => c.name === name)!;
    for (const argv of [[name, '--help'], [name, '-h'], ['help', name]]) {
      const out: string[] = [];
      const code = await main(argv, { out: (t) => out.push(t), err: (t) => out.push(`ERR ${t}`) });
      expect(code).toBe(0);
      expect(out).toEqual([cmd.help]);
    }
    expect(cmd.help).toMatch(new RegExp(`^Usage: neural-blocks ${name} `));
  });

  it('the help of check and summary documents the JSON fields and exit codes', () => {
    const check = COMMANDS.find((c) => c.name === 'check')!;
    expect(check.help).toMatch(/"ok": bool, "shapes"/);
    expect(check.help).toMatch(/0 valid, 1 graph errors, 2 unreadable/);
    const summary = COMMANDS.find((c) => c.name === 'summary')!;
    expect(summary.help).toMatch(/"trainableParams"/);
  });
});
