// Fine-tuning (issue 17): the head of a graph, "freeze all but head", replacing the head, and a
// fine-tune that starts from a trained model's weights — the frozen blocks bit-identical to the
// trained ones through training, the replaced head fresh and then trained.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import { bodyBlocks, changedBlocks, freezeAllButHead, FineTuneError, headBlocks, replaceHead } from '../core/fineTune';
import type { GraphDoc } from '../core/graph';
import { makePoints } from '../data/synthetic';
import type { Dataset, Split } from '../data/dataset';
import { DEFAULT_TRAINING } from './config';
import { evaluateTestAsync, train } from './loop';
import { loadFineTuneWeights, mergeWeights } from './fineTune';
import { saveModel, WeightsError, type SavedModel } from './weights';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function mlp(tail: GraphDoc['nodes'] = []): GraphDoc {
  const nodes: GraphDoc['nodes'] = [
    { id: 'x', type: 'Input', params: { shape: [2] } },
    { id: 'h1', type: 'Dense', params: { units: 16, activation: 'relu' } },
    { id: 'drop', type: 'Dropout', params: { rate: 0.1 } },
    { id: 'h2', type: 'Dense', params: { units: 16, activation: 'relu' } },
    { id: 'out', type: 'Dense', params: { units: 2, activation: tail.length ? 'linear' : 'softmax' } },
    ...tail,
  ];
  return { format: 'neural-blocks.graph', version: 1, name: 'base', nodes, edges: nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id })) };
}

/** Circles relabelled into three classes: the inner disc, the ring's upper half, its lower half. */
function threeClasses(d: Dataset): Dataset {
  const relabel = (s: Split): Split => {
    const x = s.x[0]!.data as Float32Array;
    const y = new Int32Array(s.n);
    (s.y[0]!.data as Int32Array).forEach((c, i) => (y[i] = c === 0 ? 0 : x[2 * i + 1]! > 0 ? 1 : 2));
    return { ...s, y: [{ ...s.y[0]!, data: y }] };
  };
  return { ...d, numClasses: 3, classNames: ['disc', 'upper ring', 'lower ring'], train: relabel(d.train), test: relabel(d.test) };
}

/** One block's weights as raw bytes (bit-identical means equal bytes). */
const bytesOf = (c: ReturnType<typeof compile>, id: string) => c.layersByNode.get(id)!.flatMap((l) => l.weights.map((w) => Array.from(new Uint8Array((w.read().dataSync() as Float32Array).slice().buffer))));

describe('the head and freezing all but it', () => {
  it('the head is the last block with trainable weights before each output, past weightless blocks', () => {
    expect(headBlocks(mlp())).toEqual(['out']);
    expect(headBlocks(mlp([{ id: 'act', type: 'Activation', params: { activation: 'softmax' } }]))).toEqual(['out']);
    expect(bodyBlocks(mlp())).toEqual(['h1', 'h2']);
  });

  it('Freeze all but head freezes every weighted block but the head, and unfreezes a frozen head', () => {
    const doc = mlp();
    doc.nodes.find((n) => n.id === 'out')!.trainable = false;
    const f = freezeAllButHead(doc);
    expect(Object.fromEntries(f.nodes.map((n) => [n.id, n.trainable]))).toEqual({ x: undefined, h1: false, drop: undefined, h2: false, out: undefined });
    expect(f.nodes.find((n) => n.id === 'out')!).not.toHaveProperty('trainable');
  });

  it('a graph with no weights has no head, and says so', () => {
    const doc: GraphDoc = { format: 'neural-blocks.graph', version: 1, nodes: [{ id: 'x', type: 'Input', params: { shape: [2] } }, { id: 'a', type: 'Activation', params: { activation: 'relu' } }], edges: [{ source: 'x', target: 'a' }] };
    expect(() => freezeAllButHead(doc)).toThrow(/no head/);
  });

  it('Replace head changes only the head\'s width; changedBlocks names it (and blocks fed a new shape)', () => {
    const base = mlp();
    const next = replaceHead(freezeAllButHead(base), 'out', 3);
    expect(next.nodes.find((n) => n.id === 'out')!.params).toEqual({ units: 3, activation: 'softmax' });
    expect(changedBlocks(base, next)).toEqual(['out']);
    // a wider hidden layer changes the next block's kernel too
    const wider = { ...base, nodes: base.nodes.map((n) => (n.id === 'h1' ? { ...n, params: { ...n.params, units: 32 } } : n)) };
    expect(changedBlocks(base, wider)).toEqual(['h1', 'h2']);
    expect(() => replaceHead(base, 'out', 0)).toThrow(FineTuneError);
    expect(() => replaceHead(base, 'out', 2.5)).toThrow(/got 2.5/);
    expect(() => replaceHead(base, 'drop', 3)).toThrow(/Dropout "drop" has no units or filters/);
  });
});

describe('mergeWeights', () => {
  const saved = (names: [string, number[]][]): SavedModel => {
    const data = new Float32Array(names.flatMap(([, v]) => v));
    return { modelJson: { weightsManifest: [{ paths: ['weights.bin'], weights: names.map(([name, v]) => ({ name, shape: [v.length], dtype: 'float32' as const })) }] }, weights: data.buffer };
  };
  it('takes carried weights byte for byte from the trained ones and keeps the fresh ones', () => {
    const m = mergeWeights(saved([['a/kernel', [0, 0]], ['b/kernel', [0, 0, 0]]]), saved([['b/kernel', [7, 8, 9]], ['a/kernel', [1, 2]]]), new Set(['b/kernel']));
    expect(Array.from(new Float32Array(m.weights))).toEqual([1, 2, 0, 0, 0]);
  });
  it('a carried weight that is missing or shaped differently is an error that names it', () => {
    expect(() => mergeWeights(saved([['a/kernel', [0, 0]]]), saved([['z/kernel', [1, 2]]]), new Set())).toThrow(/no weight "a\/kernel"/);
    expect(() => mergeWeights(saved([['a/kernel', [0, 0]]]), saved([['a/kernel', [1, 2, 3]]]), new Set())).toThrow(/"a\/kernel" is float32 \[3\] there but float32 \[2\] in the graph/);
    const short = saved([['a/kernel', [1, 2]]]);
    expect(() => mergeWeights(saved([['a/kernel', [0, 0]]]), { ...short, weights: short.weights.slice(0, 4) }, new Set())).toThrow(WeightsError);
  });
});

describe('a fine-tune from a trained model', () => {
  it('keeps the frozen blocks bit-identical to the trained ones, starts the replaced head afresh and trains it', async () => {
    const cfg = { ...DEFAULT_TRAINING, optimizer: 'adam' as const, learningRate: 0.02, batchSize: 32, validationSplit: 0 };
    const circles = makePoints('circles', { n: 600, seed: 4 });
    const base = mlp();
    const c0 = compile(base, { seed: 1 });
    await train(c0, circles, { ...cfg, epochs: 6 });
    const trained = await saveModel(c0.model, base);
    const baseBytes = Object.fromEntries(['h1', 'h2'].map((id) => [id, bytesOf(c0, id)]));
    c0.model.dispose();

    // Freeze all but head, replace the head with three classes, load, train on the new task.
    const doc = replaceHead(freezeAllButHead(base), 'out', 3);
    const c = compile(doc, { seed: 2 });
    const freshHead = bytesOf(c, 'out');
    await loadFineTuneWeights(c, trained, changedBlocks(base, doc));
    expect(bytesOf(c, 'h1')).toEqual(baseBytes.h1);
    expect(bytesOf(c, 'h2')).toEqual(baseBytes.h2);
    expect(bytesOf(c, 'out')).toEqual(freshHead);
    const data = threeClasses(circles);
    const before = await evaluateTestAsync(c, data, cfg);
    const res = await train(c, data, { ...cfg, epochs: 8 });
    const after = await evaluateTestAsync(c, data, cfg);
    expect(res.status).toBe('completed');
    expect(bytesOf(c, 'h1')).toEqual(baseBytes.h1);
    expect(bytesOf(c, 'h2')).toEqual(baseBytes.h2);
    expect(bytesOf(c, 'out')).not.toEqual(freshHead);
    expect(after.loss).toBeLessThan(before.loss);
    expect(after.accuracy!).toBeGreaterThan(0.6); // chance is 1/3
    c.model.dispose();
  });

  it('weights trained for another graph are refused with the weight named', async () => {
    const base = mlp();
    const c0 = compile(base, { seed: 1 });
    const trained = await saveModel(c0.model, base);
    c0.model.dispose();
    const wider = { ...base, nodes: base.nodes.map((n) => (n.id === 'h1' ? { ...n, params: { ...n.params, units: 32 } } : n)) };
    const c = compile(wider);
    // h1 and h2 would have to start afresh; claiming only h1 changed leaves h2's kernel mismatched
    await expect(loadFineTuneWeights(c, trained, ['h1'])).rejects.toThrow(/"h2\/kernel" is float32 \[16, 16\] there but float32 \[32, 16\]/);
    c.model.dispose();
  });
});
