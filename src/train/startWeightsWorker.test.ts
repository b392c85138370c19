// Experiment 8 through the training worker's messages, as the gallery starts it: a classifier
// started from a pretraining graph's weights block by block (blockTransfer picks the fresh
// blocks), with sendStartWeights — the worker reports the weights the run starts from before its
// first batch: the shared encoder byte for byte the pretraining's, the new head its own.
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphDoc } from '../core/graph';
import { makePoints } from '../data/synthetic';
import { DEFAULT_TRAINING, type TrainingConfig } from './config';
import { blockTransfer, weightBytes } from './fineTune';
import type { FromWorker, ToWorker } from './protocol';

const posted: FromWorker[] = [];
let receive: (m: ToWorker) => void;

beforeAll(async () => {
  const scope = { postMessage: (m: FromWorker) => posted.push(m), onmessage: null as null | ((ev: { data: unknown }) => void) };
  (globalThis as { self?: unknown }).self = scope;
  await import('./worker');
  receive = (m) => scope.onmessage!({ data: m });
});

/** Sends `m` and waits for the worker's 'done' (an error or misfit fails the test); the messages posted meanwhile. */
async function run(m: ToWorker, ms = 60_000): Promise<FromWorker[]> {
  const from = posted.length;
  receive(m);
  const t0 = Date.now();
  for (;;) {
    const got = posted.slice(from);
    if (got.some((e) => e.t === 'done')) return got;
    const err = got.find((e) => e.t === 'error' || e.t === 'fit');
    if (err) throw new Error(`worker: ${JSON.stringify(err)}`);
    if (Date.now() - t0 > ms) throw new Error(`no 'done' in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function graph(head: string): GraphDoc {
  const nodes: GraphDoc['nodes'] = [
    { id: 'x', type: 'Input', params: { shape: [2] } },
    { id: 'enc1', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: 'enc2', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: head, type: 'Dense', params: { units: 2, activation: 'softmax' } },
  ];
  return { format: 'neural-blocks.graph', version: 1, name: head, nodes, edges: nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id })) };
}

const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) => !!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]);

describe('starting a run from another graph\'s weights, block by block, through the worker', () => {
  it('reports the start weights before the first batch: encoder carried byte for byte, head fresh, then trained', async () => {
    receive({ t: 'backend', id: 1, choice: 'cpu' });
    for (let i = 0; i < 3000 && !posted.some((e) => e.t === 'reply' && e.id === 1); i++) await new Promise((r) => setTimeout(r, 10));
    expect(posted.find((e) => e.t === 'reply' && e.id === 1)).toMatchObject({ ok: true });
    const cfg: TrainingConfig = { ...DEFAULT_TRAINING, optimizer: 'adam', learningRate: 0.02, batchSize: 32, epochs: 2, validationSplit: 0, seed: 1 };
    const data = { kind: 'custom' as const, key: 'circles', dataset: makePoints('circles', { n: 200, seed: 1 }) };
    const pretrain = graph('mlm');
    const pre = await run({ t: 'start', req: { graph: pretrain, config: cfg, source: data } });
    // no start weights unless asked for
    expect(pre.some((e) => e.t === 'start-weights')).toBe(false);
    const trained = pre.find((e): e is Extract<FromWorker, { t: 'done' }> => e.t === 'done')!.weights!;

    const cls = graph('classifier');
    const t = blockTransfer(pretrain, cls);
    expect(t).toEqual({ carried: ['enc1', 'enc2'], fresh: ['classifier'] });
    const got = await run({ t: 'start', req: { graph: cls, config: cfg, source: data, weights: trained, fresh: t.fresh, sendStartWeights: true } });
    const at = got.findIndex((e) => e.t === 'start-weights');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(got.findIndex((e) => e.t === 'batch'));
    const start = weightBytes((got[at] as Extract<FromWorker, { t: 'start-weights' }>).weights);
    const before = weightBytes(trained);
    const after = weightBytes(got.find((e): e is Extract<FromWorker, { t: 'done' }> => e.t === 'done')!.weights!);
    for (const name of ['enc1/kernel', 'enc1/bias', 'enc2/kernel', 'enc2/bias']) expect(same(start.get(name), before.get(name)), name).toBe(true);
    expect(before.has('classifier/kernel')).toBe(false);
    expect(start.get('classifier/kernel')!.length).toBe(8 * 2 * 4);
    // it trains from there: the head and (not frozen) the encoder move
    expect(same(after.get('classifier/kernel'), start.get('classifier/kernel'))).toBe(false);
    expect(same(after.get('enc1/kernel'), start.get('enc1/kernel'))).toBe(false);
  }, 120_000);
});
