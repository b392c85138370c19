import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { makePoints } from '../data/synthetic';
import { DEFAULT_TRAINING, learningRateAt, parseTrainingConfig } from './config';
import { DataFitError, evaluateGreedy, evaluateTest, exactMatchCount, train } from './loop';
import type { Dataset } from '../data/dataset';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function mlp(hidden = 16, outUnits = 2, inShape = [2]): GraphDoc {
  return {
    format: 'neural-blocks.graph',
    version: 1,
    name: 'mlp',
    nodes: [
      { id: 'x', type: 'Input', params: { shape: inShape } },
      { id: 'h', type: 'Dense', params: { units: hidden, activation: 'tanh' } },
      { id: 'y', type: 'Dense', params: { units: outUnits, activation: 'softmax' } },
    ],
    edges: [
      { source: 'x', target: 'h' },
      { source: 'h', target: 'y' },
    ],
  };
}

describe('training loop', () => {
  it('learns XOR (which no linear model can) to a low loss', async () => {
    const data = makePoints('xor', { n: 600, seed: 3 });
    const c = compile(mlp(), { seed: 1 });
    const cfg = { ...DEFAULT_TRAINING, learningRate: 0.03, epochs: 40, batchSize: 32, validationSplit: 0.1 };
    const batches: number[] = [];
    const res = await train(c, data, cfg, { onBatch: (e) => void batches.push(e.loss) });
    expect(res.status).toBe('completed');
    expect(res.history.length).toBe(40);
    const last = res.history[res.history.length - 1]!;
    expect(last.loss).toBeLessThan(0.15);
    expect(last.valAccuracy!).toBeGreaterThan(0.95);
    const test = evaluateTest(c, data, cfg);
    expect(test.accuracy!).toBeGreaterThan(0.95);
    // confusion matrix rows sum to the class counts of the test set
    expect(test.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(data.test.n);
    expect(batches.length).toBe(res.batches);
    c.model.dispose();
  });

  it('leaves no tensors behind over 20 train/stop cycles', async () => {
    const data = makePoints('circles', { n: 200 });
    const c = compile(mlp(8), { seed: 1 });
    const cfg = { ...DEFAULT_TRAINING, epochs: 3, batchSize: 16 };
    // one warm-up run creates lazily-built state (e.g. the model's own cached tensors)
    await train(c, data, cfg, {}, { shouldStop: () => false });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      let k = 0;
      const res = await train(c, data, cfg, {}, { shouldStop: () => ++k > 3 });
      expect(res.status).toBe('stopped');
      expect(res.batches).toBe(3);
    }
    expect(tf.memory().numTensors).toBe(before);
    c.model.dispose();
  });

  it('stops within one batch on a NaN loss and keeps the last good weights', async () => {
    const data = makePoints('xor', { n: 100 });
    // poison one example of the (shuffled) training data
    (data.train.x[0]!.data as Float32Array)[10] = Number.NaN;
    const c = compile(mlp(4), { seed: 1 });
    const before = c.model.getWeights().map((w) => Array.from(w.dataSync()));
    const res = await train(c, data, { ...DEFAULT_TRAINING, batchSize: 1000, epochs: 2, validationSplit: 0 });
    expect(res.status).toBe('nan');
    expect(res.batches).toBe(0);
    expect(res.message).toMatch(/loss became NaN at epoch 1, batch 1.*last good ones/);
    const after = c.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(after).toEqual(before);
    c.model.dispose();
  });

  it('counts only the labelled positions when the dataset has an ignore label (BERT-style masks)', async () => {
    // 4 sequences of 3 tokens; the model outputs the same distribution everywhere: it is right on
    // class 1 only. Labels: 0 (ignored) except where a "mask" was.
    const x = new Float32Array(4 * 3).fill(1);
    const y = Int32Array.from([0, 1, 0, 2, 0, 0, 0, 1, 1, 0, 0, 2]);
    const data: Dataset = {
      name: 'masks',
      title: 'masks',
      description: '',
      task: 'seq2seq',
      numClasses: 3,
      defaultLoss: 'sparseCategoricalCrossentropy',
      ignoreLabel: 0,
      train: { x: [{ shape: [3, 1], dtype: 'float32', data: x }], y: [{ shape: [3], dtype: 'int32', data: y }], n: 4 },
      test: { x: [{ shape: [3, 1], dtype: 'float32', data: x }], y: [{ shape: [3], dtype: 'int32', data: y }], n: 4 },
    };
    const doc: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      name: 'const',
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [3, 1] } },
        { id: 'y', type: 'Dense', params: { units: 3, activation: 'softmax', useBias: true } },
      ],
      edges: [{ source: 'x', target: 'y' }],
    };
    const c = compile(doc, { seed: 1 });
    // kernel 0, bias = log of [0.2, 0.5, 0.3]: every position predicts those probabilities
    c.model.layers.find((l) => l.name === 'y')!.setWeights([tf.zeros([1, 3]), tf.tensor1d([0.2, 0.5, 0.3].map(Math.log))]);
    const r = evaluateTest(c, data, { ...DEFAULT_TRAINING, validationSplit: 0 });
    // labelled: 1, 2, 1, 1, 2 → argmax (class 1) right 3 of 5; loss −(3 ln 0.5 + 2 ln 0.3) / 5
    expect(r.accuracy).toBeCloseTo(3 / 5, 6);
    expect(r.loss).toBeCloseTo(-(3 * Math.log(0.5) + 2 * Math.log(0.3)) / 5, 5);
    // the training loop reports the same accuracy over the labelled positions
    const res = await train(c, data, { ...DEFAULT_TRAINING, validationSplit: 0, epochs: 1, batchSize: 4, learningRate: 1e-9 });
    expect(res.history[0]!.accuracy).toBeCloseTo(3 / 5, 6);
    expect(res.history[0]!.loss).toBeCloseTo(-(3 * Math.log(0.5) + 2 * Math.log(0.3)) / 5, 4);
    c.model.dispose();
  });

  it('follows a cosine learning-rate schedule, epoch by epoch', async () => {
    const cfg = { ...DEFAULT_TRAINING, learningRate: 0.08, lrSchedule: 'cosine' as const, epochs: 4, batchSize: 50, validationSplit: 0 };
    expect([0, 1, 2, 3].map((e) => learningRateAt(cfg, e))).toEqual([0.08, 0.08 * 0.5 * (1 + Math.SQRT1_2), 0.04, 0.08 * 0.5 * (1 - Math.SQRT1_2)].map((v) => expect.closeTo(v, 12)));
    expect(learningRateAt({ ...cfg, lrSchedule: 'constant' }, 3)).toBe(0.08);
    expect(parseTrainingConfig({ lrSchedule: 'step' }).issues).toEqual([{ field: 'lrSchedule', message: 'training.lrSchedule must be one of constant, cosine, got "step"' }]);
    // SGD (the rate lives in a tensor there): each epoch's step size follows the schedule. One
    // batch per epoch on a model whose gradient is the same every step: weight change ∝ the rate.
    const doc: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      name: 'lin',
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [2] } },
        { id: 'y', type: 'Dense', params: { units: 2, activation: 'softmax' } },
      ],
      edges: [{ source: 'x', target: 'y' }],
    };
    const data = makePoints('xor', { n: 60 });
    const sgd = { ...cfg, optimizer: 'sgd' as const, learningRate: 1e-3 };
    const c = compile(doc, { seed: 1 });
    const w = () => Array.from(c.model.getWeights()[1]!.dataSync());
    const steps: number[] = [];
    let prev = w();
    const res = await train(c, data, sgd, {
      onEpoch: () => {
        const now = w();
        steps.push(Math.hypot(...now.map((v, i) => v - prev[i]!)));
        prev = now;
      },
    });
    expect(res.history.map((h) => h.learningRate)).toEqual([0, 1, 2, 3].map((e) => learningRateAt(sgd, e)));
    // the bias gradient barely changes at such small rates: step ratios equal the rate ratios
    for (let e = 1; e < 4; e++) expect(steps[e]! / steps[0]!).toBeCloseTo(learningRateAt(sgd, e) / sgd.learningRate, 2);
    c.model.dispose();
  });

  it('says which block to change when the data does not fit', async () => {
    const data = makePoints('xor', { n: 50 });
    const c = compile(mlp(4, 3, [3]), { seed: 1 });
    const err = await train(c, data, DEFAULT_TRAINING).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataFitError);
    const issues = (err as DataFitError).issues;
    expect(issues.find((i) => i.node === 'x')!.message).toMatch(/Input "x" has shape \[3\] but the XOR data gives \[2\] — set the Input's shape to \[2\]/);
    expect(issues.find((i) => i.node === 'y')!.message).toMatch(/set its units to 2/);
    c.model.dispose();
  });

  it('resumes mid-run with the batches an uninterrupted run would see (SGD: same weights)', async () => {
    const data = makePoints('circles', { n: 120 });
    const cfg = { ...DEFAULT_TRAINING, optimizer: 'sgd' as const, learningRate: 0.1, epochs: 3, batchSize: 16, validationSplit: 0 };
    const a = compile(mlp(6), { seed: 1 });
    const b = compile(mlp(6), { seed: 1 });
    b.model.setWeights(a.model.getWeights());
    await train(a, data, cfg);
    // 96 training examples / 16 = 6 batches an epoch. b: stop after 10 batches (as if the
    // device were lost: epoch index 1, batch 4 is next), then resume there.
    let k = 0;
    const first = await train(b, data, cfg, {}, { shouldStop: () => ++k > 10 });
    expect(first.status).toBe('stopped');
    expect(first.batches).toBe(10);
    const rest = await train(b, data, cfg, {}, {}, { resume: { epoch: 1, batch: 4 } });
    expect(rest.status).toBe('completed');
    expect(rest.batches).toBe(3 * 6 - 10);
    const wa = a.model.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.model.getWeights().map((w) => Array.from(w.dataSync()));
    wa.forEach((w, i) => w.forEach((v, j) => expect(wb[i]![j]!).toBeCloseTo(v, 5)));
    a.model.dispose();
    b.model.dispose();
  });

  it('reports bad config fields with the value quoted', () => {
    const { issues } = parseTrainingConfig({ learningRate: -1, optimizer: 'adamw', batchSize: 2.5 });
    expect(issues.map((i) => i.field).sort()).toEqual(['batchSize', 'learningRate', 'optimizer']);
    expect(issues.find((i) => i.field === 'optimizer')!.message).toMatch(/must be one of sgd, adam, adagrad, rmsprop, got "adamw"/);
  });
});

describe('sequence exact match', () => {
  it('counts a sequence only when every non-padding token is right', () => {
    // 3 sequences of 4 tokens; 0 is padding
    const truth = [5, 6, 0, 0, 5, 6, 7, 8, 3, 3, 3, 3];
    const pred = [5, 6, 9, 9, 5, 6, 7, 4, 3, 3, 3, 3];
    // row 1: wrong only on padding → counts; row 2: last token wrong → does not; row 3: exact
    expect(exactMatchCount(pred, truth, 3)).toBe(2);
    // with an end token (2), what follows it in the target is not compared
    expect(exactMatchCount([4, 2, 7, 7], [4, 2, 5, 5], 1, { end: 2 })).toBe(1);
    expect(exactMatchCount([4, 3, 7, 7], [4, 2, 5, 5], 1, { end: 2 })).toBe(0);
    expect(() => exactMatchCount([1, 2, 3], [1, 2, 3, 4], 1)).toThrow(/3 predicted tokens for 4 target tokens/);
  });

  // A "seq2seq" model that ignores its source and predicts (previous decoder token + 1): with the
  // true previous tokens (teacher forcing) it is right after every mistake-free prefix, while
  // greedy decoding feeds it its own outputs, so one wrong step carries on.
  const V = 12;
  function countingModel() {
    const doc: GraphDoc = {
      format: 'neural-blocks.graph',
      version: 1,
      name: 'count',
      nodes: [
        { id: 'source', type: 'Input', params: { shape: [4], dtype: 'int32' } },
        { id: 'target_in', type: 'Input', params: { shape: [4], dtype: 'int32' } },
        { id: 'src_emb', type: 'Embedding', params: { inputDim: V, outputDim: V } },
        { id: 'dec_emb', type: 'Embedding', params: { inputDim: V, outputDim: V } },
        { id: 'sum', type: 'Add', params: {} },
        { id: 'out', type: 'Dense', params: { units: V, activation: 'softmax' } },
      ],
      edges: [
        { source: 'source', target: 'src_emb' },
        { source: 'target_in', target: 'dec_emb' },
        { source: 'src_emb', target: 'sum', targetHandle: 'in0' },
        { source: 'dec_emb', target: 'sum', targetHandle: 'in1' },
        { source: 'sum', target: 'out' },
      ],
    };
    const c = compile(doc, { seed: 1 });
    const eye = tf.eye(V);
    c.layersByNode.get('src_emb')![0]!.setWeights([tf.zeros([V, V])]);
    c.layersByNode.get('dec_emb')![0]!.setWeights([eye]);
    const shift = new Float32Array(V * V);
    for (let i = 0; i < V; i++) shift[i * V + ((i + 1) % V)] = 20;
    c.layersByNode.get('out')![0]!.setWeights([tf.tensor2d(shift, [V, V]), tf.zeros([V])]);
    return c;
  }
  function seqData(targets: number[][]): Dataset {
    const n = targets.length;
    const tgt = Int32Array.from(targets.flat());
    const dec = new Int32Array(n * 4);
    targets.forEach((t, i) => {
      dec[i * 4] = 1; // <s>
      dec.set(t.slice(0, 3), i * 4 + 1);
    });
    const split = {
      x: [
        { shape: [4], dtype: 'int32' as const, data: new Int32Array(n * 4).fill(3) },
        { shape: [4], dtype: 'int32' as const, data: dec },
      ],
      y: [{ shape: [4], dtype: 'int32' as const, data: tgt }],
      n,
    };
    return { name: 't', title: 'T', description: '', task: 'seq2seq', numClasses: V, defaultLoss: 'sparseCategoricalCrossentropy', train: split, test: split };
  }

  it('greedy decoding feeds back its own outputs; teacher-forced evaluation does not', async () => {
    const c = countingModel();
    // counting up from <s> = 1: [2,3,4,5] is what the model writes; [2,3,9,10] breaks the count
    // once (teacher forcing recovers at 10, greedy does not); [2,3,0,0] is padded after 2 tokens.
    const data = seqData([
      [2, 3, 4, 5],
      [2, 3, 9, 10],
      [2, 3, 0, 0],
    ]);
    const cfg = { ...DEFAULT_TRAINING, batchSize: 2 };
    const tf1 = evaluateTest(c, data, cfg);
    expect(tf1.exactMatch).toBeCloseTo(2 / 3, 6);
    // teacher-forced token accuracy counts every position, padding too: [2,3,9,10] misses its 9,
    // and [2,3,0,0] gets its two padding positions "wrong" (4 and 1) — which exact match ignores
    expect(tf1.accuracy).toBeCloseTo(9 / 12, 6);
    const g = await evaluateGreedy(c, data, cfg);
    expect(Array.from(g.tokens)).toEqual([2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5]);
    expect(g.exactMatch).toBeCloseTo(2 / 3, 6);
    expect(g.tokenAccuracy).toBeCloseTo(8 / 10, 6);
    // with an end token the decoder stops there: 4 ends rows early, so [2,3,4,5] still matches
    // up to and including 4, and nothing after 4 is decoded
    const e = await evaluateGreedy(c, data, cfg, { end: 4 });
    expect(Array.from(e.tokens.subarray(0, 4))).toEqual([2, 3, 4, 0]);
    expect(e.exactMatch).toBeCloseTo(2 / 3, 6);
    c.model.dispose();
  });
});
