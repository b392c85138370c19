// Hostile and broken files through the CLI (issue 12): weight manifests that point outside
// their folder, files that claim huge sizes, names that try to drive the terminal, a BOM.
// Each case runs main() in-process and checks the exit status and the one line it prints.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { saveModel } from '../train/weights';

const dir = mkdtempSync(join(tmpdir(), 'nb-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') });
  return { code, out, err };
}

const write = (name: string, data: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof data === 'string' || data instanceof Uint8Array ? data : JSON.stringify(data));
  return p;
};

const GRAPH: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [3] } },
    { id: 'd', type: 'Dense', params: { units: 2 } },
  ],
  edges: [{ source: 'x', target: 'd' }],
};
const graph = (nodes: GraphDoc['nodes'], edges: GraphDoc['edges'], extra: Partial<GraphDoc> = {}): GraphDoc => ({ format: 'neural-blocks.graph', version: 1, nodes, edges, ...extra });

describe('weight files stay inside the model.json folder', () => {
  let modelJson: Record<string, unknown> & { weightsManifest: { paths: string[] }[] };
  let bin: Uint8Array;
  const secret = join(dir, 'secret.bin');
  const graphFile = join(dir, 'g.json');
  /** A model folder whose manifest lists `paths`; returns its model.json path. */
  const folder = (name: string, paths: string[], files: Record<string, Uint8Array> = {}) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    for (const [f, b] of Object.entries(files)) writeFileSync(join(d, f), b);
    const mj = structuredClone(modelJson);
    mj.weightsManifest[0]!.paths = paths;
    writeFileSync(join(d, 'model.json'), JSON.stringify(mj));
    return join(d, 'model.json');
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const c = compile(GRAPH);
    const saved = await saveModel(c.model, GRAPH);
    c.model.dispose();
    modelJson = saved.modelJson;
    bin = new Uint8Array(saved.weights);
    // Same size as the real weights: before, an exact-size foreign file was read and exit was 0.
    writeFileSync(secret, bin.map((_, i) => (i * 7) & 0xff));
    writeFileSync(graphFile, JSON.stringify(GRAPH));
  });

  it('reads the weights beside the model.json (the legal case still works)', async () => {
    const mj = folder('ok', ['weights.bin'], { 'weights.bin': bin });
    const r = await cli('export', graphFile, '-o', join(dir, 'ok.onnx'), '--weights', mj);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  for (const cmd of ['import', 'export', 'parity'] as const) {
    const run = (mj: string) => (cmd === 'import' ? cli('import', mj, '-o', join(dir, 'out.json')) : cmd === 'export' ? cli('export', graphFile, '-o', join(dir, 'x.onnx'), '--weights', mj) : cli('parity', graphFile, '--weights', mj));
    it(`${cmd}: refuses "..", absolute paths, symlinks out and devices, naming the manifest entry`, async () => {
      for (const [name, paths, why] of [
        ['up', ['../secret.bin'], 'leaves the model.json\'s folder'],
        ['abs', [secret], 'absolute path'],
        ['dev', ['/dev/zero'], 'absolute path'],
      ] as const) {
        const r = await run(folder(`${cmd}-${name}`, [...paths]));
        expect(r.code, r.err).toBe(2);
        expect(r.err).toMatch(/weightsManifest\[0\]\.paths\[0\]/);
        expect(r.err).toContain(why);
        expect(r.err.trim().split('\n')).toHaveLength(1);
      }
      const link = folder(`${cmd}-link`, ['weights.bin']);
      symlinkSync(secret, join(dir, `${cmd}-link`, 'weights.bin'));
      const r = await run(link);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain('leads outside the model.json\'s folder');
    });
  }

  it('refuses a FIFO or a folder among the weight files without blocking, and checks sizes before reading', async () => {
    const fifo = folder('fifo', ['w.bin']);
    execFileSync('mkfifo', [join(dir, 'fifo', 'w.bin')]);
    let r = await cli('import', fifo);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain('is not a regular file');
    const sub = folder('sub', ['w.bin'], {});
    mkdirSync(join(dir, 'sub', 'w.bin'));
    r = await cli('import', sub);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not a regular file');
    const big = folder('big', ['weights.bin'], { 'weights.bin': new Uint8Array(bin.length + 4) });
    r = await cli('export', graphFile, '-o', join(dir, 'b.onnx'), '--weights', big);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`but the manifest's weights take ${bin.length}`);
    const mj = structuredClone(modelJson) as unknown as { weightsManifest: { weights: { shape: number[] }[] }[] };
    mj.weightsManifest[0]!.weights[0]!.shape = [1e6, 1e6];
    r = await cli('import', write('huge.json', mj));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/weightsManifest\[0\]\.weights\[0\].*more than \d+ bytes/);
  });
});

describe('exit 0, 1 or 2 with one clear line, never 3', () => {
  it('macros named after Object.prototype members are unknown macros, not crashes', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const f = write(`m-${name}.json`, graph([GRAPH.nodes[0]!, { id: 'm', type: 'Macro', params: { name } }], [{ source: 'x', target: 'm' }]));
      const r = await cli('check', f);
      expect(r.code, r.err).toBe(1);
      expect(r.out).toContain(`unknown macro "${name}"`);
    }
    // A real macro of that name works.
    const def = { inputs: ['in'], outputs: [{ name: 'out', node: 'd' }], nodes: [{ id: 'd', type: 'Dense', params: { units: 2 } }], edges: [{ source: '$in', target: 'd' }] };
    const text = JSON.stringify(graph([GRAPH.nodes[0]!, { id: 'm', type: 'Macro', params: { name: '__proto__' } }], [{ source: 'x', target: 'm' }])).replace('"edges":[{"source":"x"', `"macros":{"__proto__":${JSON.stringify(def)}},"edges":[{"source":"x"`);
    const r = await cli('check', write('proto-ok.json', text));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('outputs: m/d');
  });

  it('check prints a graph whose output block is a macro', async () => {
    const def = { inputs: ['in'], outputs: [{ name: 'out', node: 'd' }], nodes: [{ id: 'd', type: 'Dense', params: { units: 2 } }], edges: [{ source: '$in', target: 'd' }] };
    const r = await cli('check', write('mout.json', graph([GRAPH.nodes[0]!, { id: 'm', type: 'Macro', params: { name: 'blk' } }], [{ source: 'x', target: 'm' }], { macros: { blk: def } })));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/m\s+Macro\s+\[null, 2\]/);
    expect(r.out).toContain('outputs: m/d');
  });

  it('JSON nested 100,000 deep inside params or meta is a one-line error (exit 2)', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const where of ['params', 'meta']) {
      const text = where === 'meta' ? JSON.stringify(GRAPH).replace('{"format"', `{"meta":{"x":${deep}},"format"`) : JSON.stringify(GRAPH).replace('"units":2', `"units":2,"x":${deep}`);
      for (const cmd of ['check', 'summary', 'export']) {
        const r = await cli(cmd, write(`deep-${where}.json`, text), ...(cmd === 'export' ? ['-o', join(dir, 'deep.onnx')] : []));
        expect(r.code, r.err).toBe(2);
        expect(r.err).toContain('JSON nested more than 64 levels deep');
      }
    }
  });

  it('Dense with 1e21 units is invalid in check, and export says so instead of crashing', async () => {
    // Past 2^53 − 1 the number is not an exact integer: refused on the param itself.
    const f = write('units.json', graph([GRAPH.nodes[0]!, { id: 'd', type: 'Dense', params: { units: 1e21 } }], GRAPH.edges));
    const r = await cli('check', f, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).errors[0].message).toBe('param "units" holds 1e+21, past the largest exact integer 9007199254740991 (2^53 − 1)');
    const e = await cli('export', f, '-o', join(dir, 'u.onnx'));
    expect(e.code).toBe(1);
    // An exact integer that is still far too many: the per-example size limit.
    const t = await cli('check', write('units12.json', graph([GRAPH.nodes[0]!, { id: 'd', type: 'Dense', params: { units: 1e12 } }], GRAPH.edges)), '--json');
    expect(t.code).toBe(1);
    expect(JSON.parse(t.out).errors[0].message).toContain('values per example (at most 268435456)');
    const w = await cli('check', write('w.json', graph([{ id: 'x', type: 'Input', params: { shape: [100000] } }, { id: 'd', type: 'Dense', params: { units: 100000 } }], GRAPH.edges)));
    expect(w.code).toBe(1);
    expect(w.out).toContain('its weights would hold 1.0e+10 values');
  });

  it('a graph file with a UTF-8 BOM opens', async () => {
    const r = await cli('check', write('bom.json', '\ufeff' + JSON.stringify(GRAPH)));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('valid (2 nodes, 1 edges)');
  });

  it('a FIFO given as the graph file is refused without waiting for a writer', async () => {
    const p = join(dir, 'pipe.json');
    execFileSync('mkfifo', [p]);
    const r = await cli('check', p);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not a regular file');
  });
});

describe('text from the file cannot drive the terminal', () => {
  it('escapes ANSI sequences and newlines in ids, in every line check prints', async () => {
    const id = 'd\u001b[2K\u001b[1A\nforged line\u009b';
    const f = write('ansi.json', graph([GRAPH.nodes[0]!, { id, type: 'Dense', params: { units: 0 } }], [{ source: 'x', target: id }]));
    for (const argv of [['check', f], ['summary', f], ['export', f, '-o', join(dir, 'a.onnx')]]) {
      const r = await cli(...argv);
      expect(r.code).toBe(1);
      const all = r.out + r.err;
      expect(all).not.toContain('\u001b');
      expect(all).not.toContain('\u009b');
      expect(all).not.toMatch(/^forged line/m);
      expect(all).toMatch(/d\\u001b\[2K\\u001b\[1A\\(u000a|n)forged line\\u009b/);
    }
  });
});

describe('limits on what a file may ask for', () => {
  it('an edge to in20000000 of a merge block is refused at once', async () => {
    const f = write('port.json', graph([GRAPH.nodes[0]!, { id: 'a', type: 'Add' }], [{ source: 'x', target: 'a', targetHandle: 'in0' }, { source: 'x', target: 'a', targetHandle: 'in20000000' }]));
    const r = await cli('check', f);
    expect(r.code).toBe(1);
    expect(r.out).toContain('takes at most 1024 operands (in0 … in1023), not "in20000000"');
  });

  it('a few KB of macros nested 4^10 deep is refused before expansion, and so is a 40-deep chain', async () => {
    const macros: NonNullable<GraphDoc['macros']> = {};
    for (let k = 0; k < 10; k++) {
      const inner = (id: string) => (k ? { id, type: 'Macro', params: { name: `m${k - 1}` } } : { id, type: 'Dense', params: { units: 2 } });
      macros[`m${k}`] = {
        inputs: ['in'],
        outputs: [{ name: 'out', node: 's' }],
        nodes: [inner('a'), inner('b'), inner('c'), inner('d'), { id: 's', type: 'Add' }],
        edges: [...'abcd'].flatMap((v) => [{ source: '$in', target: v }, { source: v, target: 's' }]),
      };
    }
    const text = JSON.stringify(graph([GRAPH.nodes[0]!, { id: 'm', type: 'Macro', params: { name: 'm9' } }], [{ source: 'x', target: 'm' }], { macros }));
    expect(text.length).toBeLessThan(8000);
    const r = await cli('check', write('nested.json', text));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/macro block "m" \(macro "m9"\) is not expanded: the graph would expand to 1\.\de\+6 blocks \(at most 100000\)/);
    const chain: NonNullable<GraphDoc['macros']> = {};
    for (let k = 0; k < 40; k++)
      chain[`c${k}`] = { inputs: ['in'], outputs: [{ name: 'out', node: 'a' }], nodes: [k ? { id: 'a', type: 'Macro', params: { name: `c${k - 1}` } } : { id: 'a', type: 'Dense', params: { units: 2 } }], edges: [{ source: '$in', target: 'a' }] };
    const c = await cli('check', write('chain.json', graph([GRAPH.nodes[0]!, { id: 'm', type: 'Macro', params: { name: 'c39' } }], [{ source: 'x', target: 'm' }], { macros: chain })));
    expect(c.code).toBe(1);
    expect(c.out).toContain('macros nest 40 deep inside it (at most 32)');
  });

  it('more blocks than MAX_NODES is a one-line error', async () => {
    const nodes = Array.from({ length: 100_001 }, (_, i) => ({ id: `n${i}`, type: 'Dense' }));
    const r = await cli('check', write('many.json', graph(nodes, [])));
    expect(r.code).toBe(2);
    expect(r.err).toContain('has 100001 blocks (macro bodies included); a graph may have at most 100000');
  });
});

describe('deep graphs export (tfjs builds models recursively)', () => {
  it('the neural-blocks command exports a 12,000-block chain, which overflows a default stack', () => {
    const nodes: GraphDoc['nodes'] = [{ id: 'x', type: 'Input', params: { shape: [4] } }];
    const edges: GraphDoc['edges'] = [];
    for (let i = 0; i < 12_000; i++) {
      nodes.push({ id: `r${i}`, type: 'Activation', params: { activation: 'relu' } });
      edges.push({ source: i ? `r${i - 1}` : 'x', target: `r${i}` });
    }
    const f = write('deep-chain.json', graph(nodes, edges));
    const out = join(dir, 'deep-chain.onnx');
    const bin = new URL('../../bin/neural-blocks.mjs', import.meta.url).pathname;
    const stdout = execFileSync(process.execPath, [bin, 'export', f, '-o', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(stdout).toMatch(/^wrote .*deep-chain\.onnx \(\d+ bytes, opset 17, seeded weights, seed 1\)/);
    expect(readFileSync(out).byteLength).toBeGreaterThan(12_000 * 20);
  }, 600_000);
});
