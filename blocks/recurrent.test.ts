// Recurrent blocks and Embedding beyond the generic contract: their shape errors, parameter and
// MAC counts, the tfjs quirks the ONNX export relies on, and ONNX parity with every weight
// (biases included) randomised — tfjs initialises biases to zero, so the contract leg alone would
// not notice a bias put in the wrong gate.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/core/infer';
import { compile, type CompiledModel } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { randomArray } from '../src/core/randomInputs';
import { compiledParity } from '../src/onnx/parity';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type N = GraphDoc['nodes'][number];
type E = GraphDoc['edges'][number];
function doc(nodes: N[], edges: E[]): GraphDoc {
  return { format: 'neural-blocks.graph', version: 1, name: 'rnn-test', nodes, edges };
}
/** Input → block, with optional extra inputs on named ports. */
function single(type: string, params: Record<string, unknown>, shape: (number | null)[], extra: Record<string, (number | null)[]> = {}): GraphDoc {
  const nodes: N[] = [{ id: 'x', type: 'Input', params: { shape } }];
  const edges: E[] = [{ source: 'x', target: 'b', targetHandle: 'in' }];
  for (const [port, s] of Object.entries(extra)) {
    nodes.push({ id: port, type: 'Input', params: { shape: s } });
    edges.push({ source: port, target: 'b', targetHandle: port });
  }
  nodes.push({ id: 'b', type, params });
  return doc(nodes, edges);
}

/** Replaces every weight of the compiled model with seeded values in [-1, 1). */
function randomiseWeights(c: CompiledModel, seed: number): void {
  let k = 0;
  for (const layers of c.layersByNode.values())
    for (const layer of layers) {
      const ws = layer.getWeights();
      if (!ws.length) continue;
      // getWeights() hands out the variables' own tensors: not ours to dispose.
      const fresh = ws.map((w) => tf.tensor(randomArray(w.shape, seed + 101 * k++), w.shape));
      layer.setWeights(fresh);
      fresh.forEach((w) => w.dispose());
    }
}

async function randomParity(d: GraphDoc, seed = 3): Promise<number> {
  const c = compile(d);
  try {
    randomiseWeights(c, seed);
    const r = await compiledParity(c, { ort, seed });
    for (const o of r.outputs) expect(o.tfjsShape, `${o.name} shape`).toBeUndefined();
    return r.maxAbsDiff;
  } finally {
    c.model.dispose();
  }
}

describe('recurrent shape errors', () => {
  it('LSTM on an image says it needs a sequence and how to get one', () => {
    const a = analyze(single('LSTM', { units: 8 }, [28, 28, 1]));
    const e = a.errors.find((x) => x.node === 'b');
    expect(e?.kind).toBe('shape');
    expect(e?.port).toBe('in');
    expect(e?.message).toMatch(/LSTM "b": LSTM needs a 2-D \(3 with batch\) input \[time, features\] on "in", got \[null, 28, 28, 1\] — add a Reshape to \[time, features\] before it \(e\.g\. \[28, 28\]/);
  });
  it('GRU on a vector suggests one feature per step', () => {
    const a = analyze(single('GRU', { units: 4 }, [20]));
    expect(a.errors.find((x) => x.node === 'b')?.message).toMatch(/got \[null, 20\] — add a Reshape to \[20, 1\]/);
  });
  it('an unknown feature size is refused', () => {
    const a = analyze(single('SimpleRNN', {}, [5, null]));
    expect(a.errors.find((x) => x.node === 'b')?.message).toMatch(/needs a known feature size/);
  });
  it('LSTM needs both initial states or neither', () => {
    const a = analyze(single('LSTM', { units: 4 }, [6, 3], { h0: [4] }));
    const e = a.errors.find((x) => x.node === 'b');
    expect(e?.port).toBe('c0');
    expect(e?.message).toMatch(/initial state on "h0" but not on "c0" — feed every initial state or none/);
  });
  it('an initial state of the wrong size names the expected one', () => {
    const a = analyze(single('GRU', { units: 8 }, [6, 3], { h0: [5] }));
    const e = a.errors.find((x) => x.node === 'b');
    expect(e?.port).toBe('h0');
    expect(e?.message).toMatch(/initial state "h0" must be \[null, 8\].*got \[null, 5\]/);
  });
  it('Bidirectional states come per direction', () => {
    const a = analyze(single('Bidirectional', { layer: 'GRU', units: 4 }, [6, 3], { h0: [4] }));
    expect(a.errors.find((x) => x.node === 'b')?.message).toMatch(/not on "h0Back"/);
  });
  it("Embedding's inputLength must agree with the input", () => {
    const a = analyze(doc([{ id: 'x', type: 'Input', params: { shape: [7], dtype: 'int32' } }, { id: 'b', type: 'Embedding', params: { inputDim: 5, outputDim: 2, inputLength: 6 } }], [{ source: 'x', target: 'b' }]));
    const e = a.errors.find((x) => x.node === 'b');
    expect(e?.param).toBe('inputLength');
    expect(e?.message).toMatch(/inputLength is 6 but the input has length 7/);
  });
});

describe('recurrent counts', () => {
  const info = (d: GraphDoc) => analyze(d).nodes.get('b')!;
  it('GRU (no resetAfter in tfjs: one bias per gate)', () => {
    const i = info(single('GRU', { units: 4 }, [10, 3]));
    expect(i.paramCount).toEqual({ trainable: 3 * (3 * 4 + 4 * 4 + 4), nonTrainable: 0 });
    expect(i.macs).toBe(10 * 3 * (3 * 4 + 4 * 4));
  });
  it('LSTM and its Bidirectional twin', () => {
    expect(info(single('LSTM', { units: 8, useBias: false }, [10, 5])).paramCount!.trainable).toBe(4 * (5 * 8 + 8 * 8));
    const b = info(single('Bidirectional', { layer: 'LSTM', units: 8 }, [10, 5]));
    expect(b.paramCount!.trainable).toBe(2 * 4 * (5 * 8 + 8 * 8 + 8));
    expect(b.macs).toBe(2 * 10 * 4 * (5 * 8 + 8 * 8));
    expect(b.outputShapes!.out).toEqual([null, 16]);
  });
  it('Bidirectional returnState outputs both directions', () => {
    const b = info(single('Bidirectional', { layer: 'LSTM', units: 3, returnState: true, returnSequences: true, mergeMode: 'sum' }, [null, 5]));
    expect(b.outputPorts).toEqual(['out', 'h', 'c', 'hBack', 'cBack']);
    expect(b.outputShapes!.out).toEqual([null, null, 3]);
    expect(b.outputShapes!.cBack).toEqual([null, 3]);
  });
});

describe('tfjs recurrent quirks the exporter relies on', () => {
  it('goBackwards with returnSequences returns the steps in reversed time order', () => {
    const c = compile(single('SimpleRNN', { units: 3, goBackwards: true, returnSequences: true }, [4, 2]));
    const one = compile(single('SimpleRNN', { units: 3 }, [1, 2]));
    try {
      one.layersByNode.get('b')![0]!.setWeights(c.layersByNode.get('b')![0]!.getWeights());
      const x = tf.tensor(randomArray([2, 4, 2], 9), [2, 4, 2]);
      const seq = c.model.predict(x) as tf.Tensor;
      // The first output step is the state after reading only the last input step.
      const first = seq.slice([0, 0, 0], [2, 1, 3]).reshape([2, 3]);
      const lastOnly = one.model.predict(x.slice([0, 3, 0], [2, 1, 2])) as tf.Tensor;
      expect(Math.max(...(first.sub(lastOnly).abs().dataSync() as Float32Array))).toBeLessThan(1e-6);
    } finally {
      c.model.dispose();
      one.model.dispose();
    }
  });
  it('recurrentActivation defaults to sigmoid, not tfjs\' hardSigmoid', () => {
    const c = compile(single('LSTM', { units: 2 }, [3, 2]));
    try {
      const cfg = c.layersByNode.get('b')![0]!.getConfig() as { recurrentActivation: unknown };
      expect(cfg.recurrentActivation).toBe('sigmoid');
    } finally {
      c.model.dispose();
    }
  });
});

describe('ONNX parity with random weights and biases', () => {
  const cases: [string, GraphDoc][] = [
    ['LSTM native', single('LSTM', { units: 4, returnSequences: true, returnState: true }, [5, 3])],
    ['LSTM native backwards with states', single('LSTM', { units: 4, returnSequences: true, returnState: true, goBackwards: true }, [5, 3], { h0: [4], c0: [4] })],
    ['LSTM unrolled (hardSigmoid gates)', single('LSTM', { units: 4, returnSequences: true, returnState: true, recurrentActivation: 'hardSigmoid' }, [5, 3])],
    ['LSTM unrolled backwards with states', single('LSTM', { units: 3, returnSequences: true, returnState: true, goBackwards: true, activation: 'relu' }, [4, 2], { h0: [3], c0: [3] })],
    ['GRU native (reset before the matmul)', single('GRU', { units: 4, returnSequences: true }, [6, 3])],
    ['GRU native with state', single('GRU', { units: 4, returnState: true, goBackwards: true }, [6, 3], { h0: [4] })],
    ['GRU unrolled', single('GRU', { units: 4, returnSequences: true, recurrentActivation: 'hardSigmoid', activation: 'softsign' }, [6, 3], { h0: [4] })],
    ['GRU unrolled, zero initial state', single('GRU', { units: 3, returnSequences: true, goBackwards: true, recurrentActivation: 'hardSigmoid' }, [5, 2])],
    ['SimpleRNN native', single('SimpleRNN', { units: 5, returnSequences: true, goBackwards: true }, [4, 3], { h0: [5] })],
    ['SimpleRNN unrolled', single('SimpleRNN', { units: 5, returnSequences: true, activation: 'linear' }, [4, 3])],
    ['Bidirectional LSTM concat with states', single('Bidirectional', { layer: 'LSTM', units: 3, returnSequences: true, returnState: true }, [5, 2], { h0: [3], c0: [3], h0Back: [3], c0Back: [3] })],
    ['Bidirectional GRU ave', single('Bidirectional', { layer: 'GRU', units: 3, mergeMode: 'ave', returnState: true }, [5, 2])],
    ['Bidirectional GRU unrolled mul', single('Bidirectional', { layer: 'GRU', units: 3, mergeMode: 'mul', returnSequences: true, recurrentActivation: 'hardSigmoid' }, [5, 2], { h0: [3], h0Back: [3] })],
    ['Bidirectional SimpleRNN sum', single('Bidirectional', { layer: 'SimpleRNN', units: 4, mergeMode: 'sum', returnSequences: true }, [3, 2])],
  ];
  for (const [name, d] of cases) it(name, async () => expect(await randomParity(d)).toBeLessThanOrEqual(1e-4));

  it('Embedding → LSTM classifier', async () => {
    const d = doc(
      [
        { id: 'tok', type: 'Input', params: { shape: [9], dtype: 'int32' } },
        { id: 'emb', type: 'Embedding', params: { inputDim: 30, outputDim: 6 } },
        { id: 'rnn', type: 'Bidirectional', params: { layer: 'GRU', units: 5 } },
        { id: 'head', type: 'Dense', params: { units: 2, activation: 'softmax' } },
      ],
      [
        { source: 'tok', target: 'emb' },
        // Recurrent blocks have optional state ports besides "in", so the edge names its port.
        { source: 'emb', target: 'rnn', targetHandle: 'in' },
        { source: 'rnn', target: 'head' },
      ],
    );
    expect(await randomParity(d)).toBeLessThanOrEqual(1e-4);
  });

  it('encoder–decoder: the encoder LSTM\'s final h and c start the decoder LSTM', async () => {
    const d = doc(
      [
        { id: 'src', type: 'Input', params: { shape: [7], dtype: 'int32' } },
        { id: 'tgt', type: 'Input', params: { shape: [5], dtype: 'int32' } },
        { id: 'srcEmb', type: 'Embedding', params: { inputDim: 12, outputDim: 4 } },
        { id: 'tgtEmb', type: 'Embedding', params: { inputDim: 12, outputDim: 4 } },
        { id: 'enc', type: 'LSTM', params: { units: 6, returnState: true } },
        { id: 'dec', type: 'LSTM', params: { units: 6, returnSequences: true } },
        { id: 'head', type: 'Dense', params: { units: 12, activation: 'softmax' } },
      ],
      [
        { source: 'src', target: 'srcEmb' },
        { source: 'tgt', target: 'tgtEmb' },
        { source: 'srcEmb', target: 'enc', targetHandle: 'in' },
        { source: 'tgtEmb', target: 'dec', targetHandle: 'in' },
        { source: 'enc', sourceHandle: 'h', target: 'dec', targetHandle: 'h0' },
        { source: 'enc', sourceHandle: 'c', target: 'dec', targetHandle: 'c0' },
        { source: 'dec', target: 'head' },
      ],
    );
    expect(await randomParity(d)).toBeLessThanOrEqual(1e-4);
  });

  it('Embedding on float ids truncates them as tfjs does', async () => {
    const d = doc([{ id: 'x', type: 'Input', params: { shape: [6] } }, { id: 'b', type: 'Embedding', params: { inputDim: 4, outputDim: 3 } }], [{ source: 'x', target: 'b' }]);
    expect(await randomParity(d)).toBeLessThanOrEqual(1e-4);
  });

  it('non-default activations on an unknown length export as the native op with its activations attribute', async () => {
    const d = single('GRU', { units: 3, recurrentActivation: 'hardSigmoid' }, [null, 2]);
    expect(await randomParity(d)).toBeLessThanOrEqual(1e-4);
  });
});
