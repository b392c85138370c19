// Property-based tests of the CLI on hostile files (fast-check, fixed seeds): every command
// exits 0, 1 or 2 — never an internal error (a throw out of main(), which bin/neural-blocks.mjs
// turns into exit 3). main() runs in-process, as src/cli/cli.test.ts does for the help texts.
// - graph files: random valid and hostile graphs, some as broken JSON text → check, summary,
//   export (ONNX), parity;
// - ONNX files: random bytes, and our own exports truncated or with bytes changed → import;
// - tfjs model.json: a real layers model.json + weights.bin with mutated topology, manifest and
//   weight files → import, and export --weights.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main';
import { compile } from '../core/compile';
import { rng } from '../core/randomInputs';
import { buildGraph } from './gen';
import { HOSTILE_VALUES } from './gen';

const dir = mkdtempSync(join(tmpdir(), 'nb-fuzz-cli-'));
const TIMEOUT = 600_000;

beforeAll(async () => {
  await tf.setBackend('cpu');
  ort.env.logLevel = 'error';
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in-process; a throw is what the binary reports as exit 3. */
async function cli(...argv: string[]): Promise<{ code: number | 'threw'; text: string }> {
  const lines: string[] = [];
  try {
    const code = await main(argv, { out: (t) => lines.push(t), err: (t) => lines.push(t) });
    return { code, text: lines.join('\n') };
  } catch (e) {
    return { code: 'threw', text: `${lines.join('\n')}\n${(e as Error).stack ?? String(e)}` };
  }
}

/** Every run that broke the property, listed at the end of each test (a run goes on past one). */
let failures: string[] = [];
const codes = new Map<string, number>();

async function expectExit012(...argv: string[]): Promise<number | 'threw'> {
  const r = await cli(...argv);
  const key = `${argv[0]} → ${r.code}`;
  codes.set(key, (codes.get(key) ?? 0) + 1);
  if (r.code !== 0 && r.code !== 1 && r.code !== 2) failures.push(`neural-blocks ${argv.join(' ')} → ${r.code}\n${r.text.split('\n').slice(0, 4).join('\n')}`);
  return r.code;
}

function expectNoFailures(): void {
  const list = failures;
  failures = [];
  expect(list, list.join('\n\n')).toEqual([]);
}
afterAll(() => console.log(`fuzz cli exit codes: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`));

let n = 0;
const file = (name: string, data: string | Uint8Array) => {
  const p = join(dir, `${n++}-${name}`);
  writeFileSync(p, data);
  return p;
};

/** Text damage: truncation, a stray byte, or a value swapped for a hostile one. */
function damageText(text: string, seed: number): string {
  const r = rng(seed);
  switch (Math.floor(r() * 4)) {
    case 0:
      return text.slice(0, Math.floor(r() * text.length));
    case 1: {
      const i = Math.floor(r() * text.length);
      return text.slice(0, i) + String.fromCharCode(Math.floor(r() * 128)) + text.slice(i + 1);
    }
    case 2:
      return text.replace(/\d+/, JSON.stringify(HOSTILE_VALUES[Math.floor(r() * HOSTILE_VALUES.length)]) ?? 'null');
    default:
      return text;
  }
}

/** Byte damage: truncation, or a few bytes changed. */
function damageBytes(bytes: Uint8Array, seed: number): Uint8Array {
  const r = rng(seed);
  const out = r() < 0.4 ? bytes.slice(0, Math.floor(r() * bytes.length)) : bytes.slice();
  const flips = Math.floor(r() * 4);
  for (let k = 0; k < flips && out.length; k++) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
  return out;
}

describe('CLI on random graph files', () => {
  it(
    '150 graph files (valid, hostile, damaged): check, summary, export and parity exit 0, 1 or 2',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.boolean(), async (seed, size, hostile, damage) => {
          const doc = buildGraph({ seed, size, mode: hostile ? 'hostile' : 'valid' });
          const text = JSON.stringify(doc);
          const f = file('g.json', damage ? damageText(text, seed) : text);
          const checked = await expectExit012('check', f, '--json');
          await expectExit012('summary', f);
          await expectExit012('summary', f, '--json');
          const exported = await expectExit012('export', f, '-o', join(dir, `${n}.onnx`));
          expect(exported === 0 || checked !== 0, 'a graph check calls valid exports').toBe(true);
          if (seed % 5 === 0) await expectExit012('parity', f, '--json', '--seed', String(seed % 100));
        }),
        { seed: 11, numRuns: 150 },
      );
      expectNoFailures();
    },
    TIMEOUT,
  );
});

describe('CLI import of hostile ONNX files', () => {
  it(
    '150 ONNX files (random bytes, truncated or changed exports): import exits 0, 1 or 2',
    async () => {
      const exports: Uint8Array[] = [];
      for (let seed = 1; exports.length < 8 && seed < 200; seed++) {
        const doc = buildGraph({ seed, size: 1 + (seed % 5), mode: 'valid' });
        const out = join(dir, `e${seed}.onnx`);
        if ((await cli('export', file('g.json', JSON.stringify(doc)), '-o', out)).code === 0) exports.push(new Uint8Array(readFileSync(out)));
      }
      expect(exports.length).toBe(8);
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 512 })), async (seed, random) => {
          const bytes = random ?? damageBytes(exports[seed % exports.length]!, seed);
          const f = file('m.onnx', bytes);
          await expectExit012('import', f, '-o', join(dir, `${n}.json`));
        }),
        { seed: 5, numRuns: 150 },
      );
      expectNoFailures();
    },
    TIMEOUT,
  );
});

/** A real tfjs layers model.json (+ weights.bin) of a small graph, and that graph's file. */
async function savedModel(): Promise<{ graphFile: string; weights: Uint8Array; base: Record<string, unknown> }> {
  const doc = buildGraph({ seed: 3, size: 3, mode: 'valid' });
  const graphFile = file('g.json', JSON.stringify(doc));
  const c = compile(doc);
  let saved: tf.io.ModelArtifacts | undefined;
  await c.model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  c.model.dispose();
  const weights = new Uint8Array(saved!.weightData as ArrayBuffer);
  return { graphFile, weights, base: { format: 'layers-model', modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs }] } };
}

type Manifest = { paths: unknown; weights: Record<string, unknown>[] }[];
/** Mutations of a model.json, by kind. */
const MUTATIONS: Record<string, (json: Record<string, unknown> & { weightsManifest: Manifest }, r: () => number, hostile: () => unknown) => void> = {
  dtype: (json, r, hostile) => {
    const specs = json.weightsManifest[0]!.weights;
    specs[Math.floor(r() * specs.length)]!.dtype = hostile();
  },
  path: (json, r) => {
    json.weightsManifest[0]!.paths = [pickPath(r)];
  },
  topology: (json, _r, hostile) => {
    json.modelTopology = hostile();
  },
  dropSpec: (json, r) => {
    const specs = json.weightsManifest[0]!.weights;
    specs.splice(Math.floor(r() * specs.length), 1);
  },
  specShape: (json, r, hostile) => {
    const specs = json.weightsManifest[0]!.weights;
    specs[Math.floor(r() * specs.length)]!.shape = hostile();
  },
  manifest: (json, r, hostile) => {
    json.weightsManifest = (r() < 0.5 ? hostile() : [hostile(), { paths: [hostile()], weights: hostile() }]) as never;
  },
};

async function modelJsonProperty(kinds: string[], seed: number, numRuns: number): Promise<void> {
  const { graphFile, weights, base } = await savedModel();
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.anything(), async (s, extra) => {
      const r = rng(s);
      const json = JSON.parse(JSON.stringify(base)) as Record<string, unknown> & { weightsManifest: Manifest };
      const hostile = () => (r() < 0.3 ? extra : HOSTILE_VALUES[Math.floor(r() * HOSTILE_VALUES.length)]);
      MUTATIONS[kinds[Math.floor(r() * kinds.length)]!]!(json, r, hostile);
      const sub = mkdtempSync(join(dir, 'mj-'));
      writeFileSync(join(sub, 'weights.bin'), r() < 0.5 ? weights : damageBytes(weights, s));
      const text = JSON.stringify(json);
      // Truncated text too (invalid JSON).
      writeFileSync(join(sub, 'model.json'), r() < 0.2 ? text.slice(0, Math.floor(r() * text.length)) : text);
      await expectExit012('import', join(sub, 'model.json'), '-o', join(sub, 'g.json'));
      await expectExit012('export', graphFile, '-o', join(sub, 'x.onnx'), '--weights', join(sub, 'model.json'));
    }),
    { seed, numRuns },
  );
  expectNoFailures();
}

describe('CLI on hostile tfjs model.json files', () => {
  it(
    '100 model.json files (dtypes, weight file names, topology, missing specs, damaged weights): import and export --weights exit 0, 1 or 2',
    () => modelJsonProperty(['dtype', 'path', 'topology', 'dropSpec'], 3, 100),
    TIMEOUT,
  );

  // Manifests that are not the documented shape (paths not a list of strings, spec shapes not
  // lists) were internal errors (exit 3) before the manifest checks of src/import/manifest.ts.
  it(
    '60 model.json files with a hostile manifest or spec shapes: import and export --weights exit 0, 1 or 2',
    () => modelJsonProperty(['specShape', 'manifest'], 4, 60),
    TIMEOUT,
  );
});

/** Weight file names a manifest may hold: present, missing, empty — never outside the folder. */
function pickPath(r: () => number): string {
  const paths = ['weights.bin', 'missing.bin', '', 'weights.bin.bin', './weights.bin'];
  return paths[Math.floor(r() * paths.length)]!;
}
