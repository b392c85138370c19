// The export and parity CLI commands (src/cli/commands/export.ts, parity.ts): exit codes,
// output, seeded reproducibility, and that the written file is our ONNX model.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../cli/commands/export';
import { parityCommand } from '../cli/commands/parity';
import { decodeModel, onnxReader } from './read';

const dir = mkdtempSync(join(tmpdir(), 'nb-onnx-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const reader = onnxReader(readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8'));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const good = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'cli',
  nodes: [
    { id: 'tok', type: 'Input', params: { shape: [5], dtype: 'int32' } },
    { id: 'emb', type: 'Embedding', params: { inputDim: 9, outputDim: 4 } },
    { id: 'rnn', type: 'LSTM', params: { units: 3, returnState: true } },
  ],
  edges: [
    { source: 'tok', target: 'emb' },
    { source: 'emb', target: 'rnn', targetHandle: 'in' },
  ],
};
const goodFile = join(dir, 'good.json');
writeFileSync(goodFile, JSON.stringify(good));
const badGraph = join(dir, 'bad.json');
writeFileSync(badGraph, JSON.stringify({ ...good, edges: [] }));
const notJson = join(dir, 'not.json');
writeFileSync(notJson, '{ nope');

describe('neural-blocks export', () => {
  it('writes an ONNX model with the graph, port-suffixed output names and int32 input', async () => {
    const out = join(dir, 'm.onnx');
    const t = io();
    expect(await exportCommand.run([goodFile, '-o', out, '--seed', '4'], t.io)).toBe(0);
    expect(t.out.join('\n')).toMatch(/wrote .*m\.onnx \(\d+ bytes, opset 17, seeded weights, seed 4\)/);
    const m = decodeModel(reader, readFileSync(out)) as { graph: { input: { name: string; type: { tensor_type: { elem_type: number } } }[]; output: { name: string }[] }; metadata_props: { key: string; value: string }[] };
    expect(m.graph.input.map((i) => [i.name, i.type.tensor_type.elem_type])).toEqual([['tok', 6]]);
    expect(m.graph.output.map((o) => o.name)).toEqual(['rnn.out', 'rnn.h', 'rnn.c']);
    expect(JSON.parse(m.metadata_props[0]!.value)).toEqual(good);
  });

  it('is reproducible for a seed and differs across seeds', async () => {
    const files = ['a', 'b', 'c'].map((n) => join(dir, `${n}.onnx`));
    await exportCommand.run([goodFile, '-o', files[0]!, '--seed', '7'], io().io);
    await exportCommand.run([goodFile, '-o', files[1]!, '--seed', '7'], io().io);
    await exportCommand.run([goodFile, '-o', files[2]!, '--seed', '8'], io().io);
    const [a, b, c] = files.map((f) => readFileSync(f));
    expect(Buffer.compare(a!, b!)).toBe(0);
    expect(Buffer.compare(a!, c!)).not.toBe(0);
  });

  it('exit 1 on graph errors, 2 on unreadable files and bad usage, with one line', async () => {
    let t = io();
    expect(await exportCommand.run([badGraph, '-o', join(dir, 'x.onnx')], t.io)).toBe(1);
    expect(t.err.join('\n')).toMatch(/not connected/);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
    t = io();
    expect(await exportCommand.run([notJson, '-o', join(dir, 'x.onnx')], t.io)).toBe(2);
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toMatch(/not valid JSON/);
    t = io();
    expect(await exportCommand.run([goodFile], t.io)).toBe(2);
    expect(t.err[0]).toMatch(/missing -o/);
    t = io();
    expect(await exportCommand.run([goodFile, '-o', join(dir, 'y.onnx'), '--seed', 'x'], t.io)).toBe(2);
    expect(t.err[0]).toMatch(/--seed must be a non-negative integer, got "x"/);
    t = io();
    expect(await exportCommand.run([join(dir, 'missing.json'), '-o', join(dir, 'y.onnx')], t.io)).toBe(2);
    expect(t.err[0]).toMatch(/cannot read .*missing\.json: no such file/);
  });
});

describe('neural-blocks parity', () => {
  it('--json reports every output within 1e-4 and opset 17', async () => {
    const t = io();
    expect(await parityCommand.run([goodFile, '--json', '--seed', '2'], t.io)).toBe(0);
    const r = JSON.parse(t.out.join('\n')) as { maxAbsDiff: number; outputs: { name: string; shape: number[]; maxAbsDiff: number }[]; opset: number };
    expect(r.opset).toBe(17);
    expect(r.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['rnn.out', [2, 3]],
      ['rnn.h', [2, 3]],
      ['rnn.c', [2, 3]],
    ]);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(r.maxAbsDiff).toBe(Math.max(...r.outputs.map((o) => o.maxAbsDiff)));
  });

  it('prints a readable report, and exits 1 / 2 like check', async () => {
    let t = io();
    expect(await parityCommand.run([goodFile], t.io)).toBe(0);
    expect(t.out[0]).toMatch(/max \|tfjs − onnxruntime\| = .* \(ok, tolerance 0\.0001, opset 17\)/);
    t = io();
    expect(await parityCommand.run([badGraph], t.io)).toBe(1);
    t = io();
    expect(await parityCommand.run([notJson], t.io)).toBe(2);
    expect(t.err).toHaveLength(1);
  });
});
