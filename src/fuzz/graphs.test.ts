// Property-based tests (fast-check, fixed seeds, so every run checks the same graphs and a
// failure prints the plan that rebuilds it): random graphs drawn from the block registry and
// mutated templates keep analyze()'s promise (src/fuzz/check.ts): analyze never throws and
// finishes in bounded time; a graph it calls valid compiles, runs, exports, and onnxruntime
// agrees within 1e-4 with the shapes analyze predicted (or onnxUnsupportedNodes says why not).
// 1,300 valid-biased + 500 hostile random graphs + 200 mutated templates = 2,000 graphs.
// Longer runs: `npm run fuzz -- --count N --seed S` (scripts/fuzz.ts).
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../core/infer';
import { parseGraphText, type GraphDoc } from '../core/graph';
import { buildGraph } from './gen';
import { checkGraph, type CaseResult, type Outcome } from './check';
import { mutateGraph } from './mutate';

const VALID_RUNS = 1300;
const HOSTILE_RUNS = 500;
const TEMPLATE_RUNS = 200;
const TIMEOUT = 600_000;

beforeAll(async () => {
  await tf.setBackend('cpu');
  ort.env.logLevel = 'error';
});

const tally: Record<string, Record<Outcome, number>> = {};
function count(name: string, r: CaseResult): void {
  const t = (tally[name] ??= { unparsable: 0, invalid: 0, unsupported: 0, ok: 0, 'unknown-dims': 0, overflow: 0, 'too-big': 0 });
  t[r.outcome]++;
}
afterAll(() => {
  for (const [name, t] of Object.entries(tally)) console.log(`fuzz ${name}: ${JSON.stringify(t)}`);
});

describe('random graphs from the block registry', () => {
  it(
    `${VALID_RUNS} valid-biased graphs (1–8 blocks): valid ones compile, run, export and match onnxruntime`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.record({ seed: fc.nat(), size: fc.integer({ min: 1, max: 8 }) }), async ({ seed, size }) => {
          const r = await checkGraph(buildGraph({ seed, size, mode: 'valid' }), ort, seed);
          count('valid', r);
          expect(r.failure).toBeUndefined();
        }),
        { seed: 20261201, numRuns: VALID_RUNS, endOnFailure: true },
      );
      // Not vacuous: most graphs are valid and run end to end.
      expect(tally.valid!.ok).toBeGreaterThan(VALID_RUNS * 0.6);
    },
    TIMEOUT,
  );

  it(
    `${HOSTILE_RUNS} hostile graphs (bad params, cycles, dangling ends, duplicate ids, wrong handles): analyze never throws`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({ seed: fc.nat(), size: fc.integer({ min: 1, max: 8 }), extras: fc.array(fc.anything(), { maxLength: 3 }) }),
          async ({ seed, size, extras }) => {
            const r = await checkGraph(buildGraph({ seed, size, mode: 'hostile', extras }), ort, seed);
            count('hostile', r);
            expect(r.failure).toBeUndefined();
          },
        ),
        { seed: 7, numRuns: HOSTILE_RUNS, endOnFailure: true },
      );
      // Most of them are refused, each with a diagnostic.
      expect(tally.hostile!.invalid + tally.hostile!.unparsable).toBeGreaterThan(HOSTILE_RUNS * 0.5);
    },
    TIMEOUT,
  );
});

const TEMPLATES = resolve(__dirname, '../../templates');
const templates: { name: string; doc: GraphDoc; small: boolean }[] = readdirSync(TEMPLATES)
  .filter((f) => f.endsWith('.json') && f !== 'index.json')
  .map((f) => {
    const doc = parseGraphText(readFileSync(join(TEMPLATES, f), 'utf8'), f);
    const a = analyze(doc);
    let params = 0;
    for (const info of a.nodes.values()) params += info.paramCount?.trainable ?? 0;
    const inputElements = a.inputs.map((id) => (a.nodes.get(id)!.outputShapes?.out ?? []).slice(1).reduce<number>((n, d) => n * (d ?? 8), 1));
    // Full-size image models take seconds each to build: only analyze runs on their mutants.
    return { name: f, doc, small: params < 300_000 && Math.max(...inputElements) <= 4096 };
  });

describe('mutated templates', () => {
  it('every template is read', () => {
    expect(templates.length).toBeGreaterThan(20);
    expect(templates.filter((t) => t.small).length).toBeGreaterThan(5);
  });

  it(
    `${TEMPLATE_RUNS} mutated templates: analyze never throws; small valid mutants run end to end`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: templates.length - 1 }), fc.nat(), fc.array(fc.anything(), { maxLength: 2 }), async (k, seed, extras) => {
          const t = templates[k]!;
          const doc = mutateGraph(t.doc, seed, extras);
          if (t.small) {
            const r = await checkGraph(doc, ort, seed);
            count('templates', r);
            expect(r.failure, t.name).toBeUndefined();
          } else {
            const text = JSON.stringify(doc);
            let parsed: GraphDoc | undefined;
            try {
              parsed = parseGraphText(text, t.name);
            } catch (e) {
              expect((e as Error).name).toBe('GraphFormatError');
            }
            if (parsed) expect(() => analyze(parsed)).not.toThrow();
          }
        }),
        { seed: 99, numRuns: TEMPLATE_RUNS, endOnFailure: true },
      );
    },
    TIMEOUT,
  );
});
