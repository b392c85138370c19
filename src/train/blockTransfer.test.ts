// Starting a graph from weights trained for a different graph, block by block (experiment 8: the
// BERT-style pretraining's encoder into a classifier with a new 9-way head): which blocks carry
// their weights over byte for byte, which start afresh, and a carried block whose weights do not
// fit refused with the block named.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompiledModel } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { PRETRAINING } from '../../templates/experiments/pretraining';
import { blockTransfer, startFromBlocks, weightBytes } from './fineTune';
import { saveModel, WeightsError } from './weights';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** x → enc1 → enc2 → one Dense head per task (a pretraining head, or a classifier). */
function chain(head: GraphDoc['nodes'][number], enc2Units = 8): GraphDoc {
  const nodes: GraphDoc['nodes'] = [
    { id: 'x', type: 'Input', params: { shape: [4] } },
    { id: 'enc1', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: 'enc2', type: 'Dense', params: { units: enc2Units, activation: 'relu' } },
    { id: 'drop', type: 'Dropout', params: { rate: 0.1 } },
    head,
  ];
  return { format: 'neural-blocks.graph', version: 1, nodes, edges: nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id })) };
}
const pretrainGraph = (enc2Units = 8) => chain({ id: 'mlm', type: 'Dense', params: { units: 5, activation: 'softmax' } }, enc2Units);
const classifierGraph = () => chain({ id: 'classifier', type: 'Dense', params: { units: 3, activation: 'softmax' } });

/** One block's weights (a macro: every layer inside it) as raw bytes. */
const bytesOf = (c: CompiledModel, id: string) =>
  [...c.layersByNode].filter(([k]) => k === id || k.startsWith(`${id}/`)).flatMap(([, ls]) => ls.flatMap((l) => l.weights.map((w) => Array.from(new Uint8Array((w.read().dataSync() as Float32Array).slice().buffer)))));

describe('blockTransfer', () => {
  it('carries the blocks both graphs share and starts the new head afresh; the pretraining head stays behind', () => {
    expect(blockTransfer(pretrainGraph(), classifierGraph())).toEqual({ carried: ['enc1', 'enc2'], fresh: ['classifier'] });
    // a block of the same id with other params (a wider enc2) starts afresh, and so does the block it feeds
    const wide = { ...classifierGraph(), nodes: classifierGraph().nodes.map((n) => (n.id === 'enc2' ? { ...n, params: { ...n.params, units: 16 } } : n)) };
    expect(blockTransfer(pretrainGraph(), wide)).toEqual({ carried: ['enc1'], fresh: ['enc2', 'classifier'] });
  });

  it("experiment 8: the classifier takes the pretraining's embeddings and both encoders, and only its 9-way head is new", () => {
    const pre = PRETRAINING.variants.find((v) => v.pretrain)!;
    expect(blockTransfer(pre.pretrain!, pre.graph)).toEqual({ carried: ['token_embedding', 'position_embedding', 'encoder1', 'encoder2'], fresh: ['classifier'] });
  });
});

describe('startFromBlocks', () => {
  it('copies the carried blocks byte for byte and keeps the fresh head its own initial weights', async () => {
    const src = compile(pretrainGraph(), { seed: 7 });
    const trained = await saveModel(src.model, pretrainGraph());
    const c = compile(classifierGraph(), { seed: 1 });
    const ownHead = bytesOf(c, 'classifier');
    const ownEnc1 = bytesOf(c, 'enc1');
    // the graph it was trained for comes from the weights' own metadata
    expect(await startFromBlocks(c, classifierGraph(), trained)).toEqual({ carried: ['enc1', 'enc2'], fresh: ['classifier'] });
    for (const id of ['enc1', 'enc2']) expect(bytesOf(c, id)).toEqual(bytesOf(src, id));
    expect(bytesOf(c, 'enc1')).not.toEqual(ownEnc1);
    expect(bytesOf(c, 'classifier')).toEqual(ownHead);
    // and the saved bytes say the same, weight by weight
    const after = weightBytes(await saveModel(c.model));
    const before = weightBytes(trained);
    expect(Array.from(after.get('enc2/kernel')!)).toEqual(Array.from(before.get('enc2/kernel')!));
    expect(before.has('classifier/kernel')).toBe(false);
    src.model.dispose();
    c.model.dispose();
  });

  it('the BERT-style encoder goes from the pretraining graph into the classifier bit for bit', async () => {
    const pre = PRETRAINING.variants.find((v) => v.pretrain)!;
    const src = compile(pre.pretrain!, { seed: 3 });
    const trained = await saveModel(src.model, pre.pretrain!);
    const c = compile(pre.graph, { seed: 1 });
    const head = bytesOf(c, 'classifier');
    await startFromBlocks(c, pre.graph, trained);
    for (const id of ['token_embedding', 'position_embedding', 'encoder1', 'encoder2']) {
      expect(bytesOf(c, id).length).toBeGreaterThan(0);
      expect(bytesOf(c, id)).toEqual(bytesOf(src, id));
    }
    expect(bytesOf(c, 'classifier')).toEqual(head);
    src.model.dispose();
    c.model.dispose();
  });

  it('a carried block whose trained weights are shaped differently is refused, naming the block; the model keeps its own weights', async () => {
    // weights of a graph with a wider enc2, passed off as trained for the 8-unit one
    const wider = compile(pretrainGraph(16), { seed: 7 });
    const trained = await saveModel(wider.model, pretrainGraph(16));
    const c = compile(classifierGraph(), { seed: 1 });
    const own = bytesOf(c, 'enc1');
    await expect(startFromBlocks(c, classifierGraph(), trained, pretrainGraph(8))).rejects.toThrow(/block "enc2": weight "enc2\/kernel" is float32 \[8, 16\] there but float32 \[8, 8\] in the graph/);
    expect(bytesOf(c, 'enc1')).toEqual(own);
    // weights that do not say what they were trained for, and no graph given: refused, not guessed
    const bare = { ...trained, modelJson: { ...trained.modelJson, userDefinedMetadata: undefined } };
    await expect(startFromBlocks(c, classifierGraph(), bare)).rejects.toThrow(WeightsError);
    await expect(startFromBlocks(c, classifierGraph(), bare)).rejects.toThrow(/do not say which graph they were trained for/);
    wider.model.dispose();
    c.model.dispose();
  });
});
