// Long fuzz runs: `npm run fuzz -- --count N --seed S [--mode valid|hostile|both] [--out FILE]`.
// Graph i is buildGraph({ seed: S + i, size: 1 + (S + i) % 8, mode }) (src/fuzz/gen.ts), checked
// with the same properties as the unit suite (src/fuzz/check.ts). Prints one summary line, then
// every failure with the seed that rebuilds its graph and the graph itself (also written to
// --out as JSON lines when given). Exit 0 when nothing failed, 1 otherwise.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { writeFileSync } from 'node:fs';
import { buildGraph, type GraphPlan, type Mode } from '../src/fuzz/gen';
import { checkGraph, type Outcome } from '../src/fuzz/check';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** The plan of graph i of a run (also what the unit suite uses). */
export function planFor(seed: number, mode: Mode): GraphPlan {
  return { seed, size: 1 + (seed % 8), mode };
}

async function run(): Promise<number> {
  const count = Number(arg('count', '1000'));
  const seed = Number(arg('seed', '1'));
  const modeArg = arg('mode', 'both');
  const out = process.argv.includes('--out') ? arg('out', '') : '';
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed) || seed < 0 || !['valid', 'hostile', 'both'].includes(modeArg)) {
    process.stderr.write('usage: npm run fuzz -- --count N --seed S [--mode valid|hostile|both] [--out FILE]\n');
    return 2;
  }
  await tf.setBackend('cpu');
  ort.env.logLevel = 'error';
  const tally: Record<Outcome, number> = { unparsable: 0, invalid: 0, unsupported: 0, ok: 0, 'unknown-dims': 0, overflow: 0, 'too-big': 0 };
  const limits: { seed: number; note: string }[] = [];
  const failures: { seed: number; mode: Mode; failure: string; graph: unknown }[] = [];
  const t0 = Date.now();
  for (let i = 0; i < count; i++) {
    const mode: Mode = modeArg === 'both' ? (i % 3 === 2 ? 'hostile' : 'valid') : (modeArg as Mode);
    const plan = planFor(seed + i, mode);
    let graph: unknown;
    try {
      graph = buildGraph(plan);
      const r = await checkGraph(graph as never, ort, plan.seed);
      tally[r.outcome]++;
      if (r.failure) failures.push({ seed: plan.seed, mode, failure: r.failure, graph });
      if (r.outcome === 'unknown-dims' || r.outcome === 'overflow' || r.outcome === 'too-big') limits.push({ seed: plan.seed, note: `${r.outcome}: ${r.note ?? ''}` });
    } catch (e) {
      failures.push({ seed: plan.seed, mode, failure: `the fuzzer itself threw: ${(e as Error).stack ?? String(e)}`, graph });
    }
    if ((i + 1) % 500 === 0) process.stderr.write(`… ${i + 1}/${count} graphs, ${failures.length} failing, ${Math.round((Date.now() - t0) / 1000)} s\n`);
  }
  const s = Math.round((Date.now() - t0) / 100) / 10;
  process.stdout.write(
    `fuzz: ${count} graphs (seed ${seed}, mode ${modeArg}) in ${s} s: ${tally.ok} ran end to end, ${tally.unsupported} unsupported for ONNX, ${tally.invalid} invalid, ${tally.unparsable} unparsable, ${tally['unknown-dims']} stopped on unknown sizes that differ at run time, ${tally.overflow} blew up past 1e6, ${tally['too-big']} valid but too big to build (known limits); ${failures.length} failing\n`,
  );
  for (const l of limits) process.stdout.write(`known limit, seed ${l.seed}: ${l.note}\n`);
  for (const f of failures) process.stdout.write(`FAIL seed ${f.seed} (${f.mode}): ${f.failure}\n  graph: ${JSON.stringify(f.graph)}\n`);
  if (out) writeFileSync(out, failures.map((f) => JSON.stringify(f)).join('\n') + (failures.length ? '\n' : ''));
  return failures.length ? 1 : 0;
}

run().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`fuzz: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);
