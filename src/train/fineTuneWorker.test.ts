// A fine-tune through the training worker's messages, as the page starts one: a 'start' with the
// trained weights and the blocks that start afresh. The frozen blocks come back byte for byte as
// they went in; the replaced head (a new number of classes) starts from its own initial weights.
import { beforeAll, describe, expect, it } from 'vitest';
import { changedBlocks, freezeAllButHead, replaceHead } from '../core/fineTune';
import type { GraphDoc } from '../core/graph';
import { makePoints } from '../data/synthetic';
import type { Dataset, Split } from '../data/dataset';
import { DEFAULT_TRAINING, type TrainingConfig } from './config';
import { blockTransfer, weightBytes } from './fineTune';
import type { FromWorker, ToWorker } from './protocol';
import type { SavedModel } from './weights';

const posted: FromWorker[] = [];
let receive: (m: ToWorker) => void;

beforeAll(async () => {
  const scope = { postMessage: (m: FromWorker) => posted.push(m), onmessage: null as null | ((ev: { data: unknown }) => void) };
  (globalThis as { self?: unknown }).self = scope;
  await import('./worker');
  receive = (m) => scope.onmessage!({ data: m });
});

/** Sends `m` and waits for the first posted message that `until` accepts. */
async function until<T extends FromWorker>(m: ToWorker, pick: (e: FromWorker) => e is T, ms = 60_000): Promise<T> {
  const from = posted.length;
  receive(m);
  const t0 = Date.now();
  for (;;) {
    const hit = posted.slice(from).find(pick);
    if (hit) return hit;
    const err = posted.slice(from).find((e) => e.t === 'error' || e.t === 'fit');
    if (err) throw new Error(`worker: ${JSON.stringify(err)}`);
    if (Date.now() - t0 > ms) throw new Error(`no answer to ${m.t} in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const isDone = (e: FromWorker): e is Extract<FromWorker, { t: 'done' }> => e.t === 'done';

/** Bytes per block (the weight name's first part) of a saved model. */
function blocks(m: SavedModel): Record<string, number[]> {
  const bytes = new Uint8Array(m.weights);
  const out: Record<string, number[]> = {};
  let off = 0;
  for (const s of m.modelJson.weightsManifest[0]!.weights) {
    const n = 4 * s.shape.reduce((a, b) => a * b, 1);
    (out[s.name.split('/')[0]!] ??= []).push(...bytes.slice(off, off + n));
    off += n;
  }
  return out;
}

/** XOR points labelled into three classes by quadrant (one class for two opposite quadrants). */
function threeClasses(n: number): Dataset {
  const d = makePoints('xor', { n, seed: 2 });
  const relabel = (s: Split): Split => {
    const x = s.x[0]!.data as Float32Array;
    const y = Int32Array.from({ length: s.n }, (_, i) => (x[2 * i]! * x[2 * i + 1]! > 0 ? 0 : x[2 * i]! > 0 ? 1 : 2));
    return { ...s, y: [{ ...s.y[0]!, data: y }] };
  };
  return { ...d, numClasses: 3, classNames: ['0', '1', '2'], train: relabel(d.train), test: relabel(d.test) };
}

const base: GraphDoc = {
  format: 'neural-blocks.graph',
  version: 1,
  name: 'w',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [2] } },
    { id: 'h1', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: 'h2', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } },
  ],
  edges: [
    { source: 'x', target: 'h1' },
    { source: 'h1', target: 'h2' },
    { source: 'h2', target: 'out' },
  ],
};

describe('a Stop while a run loads its data', () => {
  it('ends the run before its first update (it used to be forgotten when the epochs began)', async () => {
    await until({ t: 'backend', id: 11, choice: 'cpu' }, (e): e is FromWorker => e.t === 'reply' && e.id === 11);
    const cfg: TrainingConfig = { ...DEFAULT_TRAINING, optimizer: 'adam', learningRate: 0.02, batchSize: 16, epochs: 3, validationSplit: 0 };
    const from = posted.length;
    receive({ t: 'start', req: { graph: base, config: cfg, source: { kind: 'custom', key: 'stop-early', dataset: makePoints('circles', { n: 200, seed: 3 }) } } });
    receive({ t: 'stop' });
    const t0 = Date.now();
    let done: Extract<FromWorker, { t: 'done' }> | undefined;
    while (!(done = posted.slice(from).find(isDone)) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 10));
    expect(done?.result.status).toBe('stopped');
    expect(done?.result.batches).toBe(0);
    expect(done?.result.message).toBe('stopped by the user at epoch 1, before batch 1');
    expect(posted.slice(from).some((e) => e.t === 'batch' || e.t === 'epoch')).toBe(false);
  }, 120_000);
});

describe('a fine-tune started through the worker', () => {
  it('keeps the frozen blocks bit-identical and starts the replaced head afresh', async () => {
    await until({ t: 'backend', id: 1, choice: 'cpu' }, (e): e is FromWorker => e.t === 'reply' && e.id === 1);
    const cfg: TrainingConfig = { ...DEFAULT_TRAINING, optimizer: 'adam', learningRate: 0.02, batchSize: 32, epochs: 2, validationSplit: 0 };
    const circles = { kind: 'custom' as const, key: 'circles', dataset: makePoints('circles', { n: 200, seed: 1 }) };
    const first = await until({ t: 'start', req: { graph: base, config: cfg, source: circles } }, isDone);
    const trained = first.weights!;

    // A three-class head: its kernel [8, 3] cannot come from the trained [8, 2] one, so the start
    // succeeds only if the worker leaves the fresh head at its initial weights.
    const doc = replaceHead(freezeAllButHead(base), 'out', 3);
    const fresh = changedBlocks(base, doc);
    expect(fresh).toEqual(['out']);
    const tuned = await until({ t: 'start', req: { graph: doc, config: cfg, source: { kind: 'custom', key: 'three', dataset: threeClasses(200) }, weights: trained, fresh } }, isDone);
    const [a, b] = [blocks(trained), blocks(tuned.weights!)];
    expect(b.h1).toEqual(a.h1);
    expect(b.h2).toEqual(a.h2);
    expect(b.out!.length).toBe((8 * 3 + 3) * 4);
    expect(tuned.evaluation!.accuracy).toBeGreaterThan(0);
  }, 120_000);

  it('weights trained for another graph stop the start with the weight named', async () => {
    const cfg: TrainingConfig = { ...DEFAULT_TRAINING, epochs: 1 };
    const wide: GraphDoc = { ...base, nodes: base.nodes.map((n) => (n.id === 'h1' ? { ...n, params: { units: 4, activation: 'relu' } } : n)) };
    const trained = (posted.filter(isDone)[0]!).weights!;
    const from = posted.length;
    receive({ t: 'start', req: { graph: wide, config: cfg, source: { kind: 'custom', key: 'c', dataset: makePoints('circles', { n: 64 }) }, weights: trained, fresh: [] } });
    for (let i = 0; i < 500 && !posted.slice(from).some((e) => e.t === 'error'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(posted.slice(from).find((e) => e.t === 'error')).toMatchObject({ message: expect.stringMatching(/weight "h1\/kernel" is float32 \[2, 8\] there but float32 \[2, 4\] in the graph/) });
  }, 30_000);
});

/** x → enc1 → enc2 → a 2-way Dense named `head`: a pretraining graph and a classifier sharing their encoder. */
function encoderWith(head: string): GraphDoc {
  const nodes: GraphDoc['nodes'] = [...base.nodes.slice(0, 3).map((n) => ({ ...n, id: n.id.replace('h', 'enc') })), { id: head, type: 'Dense', params: { units: 2, activation: 'softmax' } }];
  return { ...base, name: head, nodes, edges: nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id })) };
}
const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) => !!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]);

// Experiment 8, as the gallery starts it: a classifier from a pretraining graph's weights, block by
// block (blockTransfer picks the fresh blocks), asking for the weights the run starts from.
describe("a run started from another graph's weights, block by block", () => {
  it('reports its start weights before the first batch: the encoder carried byte for byte, the head fresh; then both train', async () => {
    await until({ t: 'backend', id: 3, choice: 'cpu' }, (e): e is FromWorker => e.t === 'reply' && e.id === 3);
    const cfg: TrainingConfig = { ...DEFAULT_TRAINING, optimizer: 'adam', learningRate: 0.02, batchSize: 32, epochs: 2, validationSplit: 0, seed: 1 };
    const data = { kind: 'custom' as const, key: 'circles', dataset: makePoints('circles', { n: 200, seed: 1 }) };
    const pretrain = encoderWith('mlm');
    let from = posted.length;
    const trained = (await until({ t: 'start', req: { graph: pretrain, config: cfg, source: data } }, isDone)).weights!;
    expect(posted.slice(from).some((e) => e.t === 'start-weights')).toBe(false); // only when asked for

    const cls = encoderWith('classifier');
    const t = blockTransfer(pretrain, cls);
    expect(t).toEqual({ carried: ['enc1', 'enc2'], fresh: ['classifier'] });
    from = posted.length;
    const done = await until({ t: 'start', req: { graph: cls, config: cfg, source: data, weights: trained, fresh: t.fresh, sendStartWeights: true } }, isDone);
    const got = posted.slice(from);
    const at = got.findIndex((e) => e.t === 'start-weights');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(got.findIndex((e) => e.t === 'batch'));
    const start = weightBytes((got[at] as Extract<FromWorker, { t: 'start-weights' }>).weights);
    const [before, after] = [weightBytes(trained), weightBytes(done.weights!)];
    for (const name of ['enc1/kernel', 'enc1/bias', 'enc2/kernel', 'enc2/bias']) expect(same(start.get(name), before.get(name)), name).toBe(true);
    expect(before.has('classifier/kernel')).toBe(false);
    expect(start.get('classifier/kernel')!.length).toBe(8 * 2 * 4);
    expect(same(after.get('classifier/kernel'), start.get('classifier/kernel'))).toBe(false);
    expect(same(after.get('enc1/kernel'), start.get('enc1/kernel'))).toBe(false);
  }, 120_000);
});
