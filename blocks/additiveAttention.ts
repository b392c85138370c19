import { defineBlock, type SymbolicTensor, type TorchTensor } from '../src/core/spec';
import { dedupeInputs } from '../src/core/layers/common';
import { prod } from '../src/core/shapes';
import { luongShapes } from '../src/core/layers/shapes';
import { AdditiveAttention } from '../src/core/layers/attention';
import { luongOnnx } from '../src/core/layers/onnx';
import { asIs, attentionCall, pick, py } from '../src/pytorch/emit';

export default defineBlock({
  type: 'AdditiveAttention',
  category: 'attention',
  label: 'Additive attention',
  docs:
    'Bahdanau-style attention: each query step scores every key step by Σ scale · tanh(query + key) over the features, softmaxes the scores and returns the weighted sum of the values. It is the attention of the original neural machine translation paper; feed the decoder states on "query" and the encoder outputs on "value". Query and key need the same feature size (put Dense layers before it to project them).',
  params: {
    useScale: { kind: 'bool', default: true, doc: 'Learn a per-feature scale vector (Bahdanau\'s v); off: plain sum of tanh.' },
    useCausalMask: { kind: 'bool', default: false, doc: 'Query step i only sees key steps ≤ i.' },
    dropout: { kind: 'float', default: 0, min: 0, max: 1, exclusiveMax: true, doc: 'Fraction of attention weights dropped while training (none at inference).' },
    returnAttentionScores: { kind: 'bool', default: false, doc: 'Add a "scores" output with the attention weights [batch, query steps, key steps].' },
  },
  inputs: () => [
    { name: 'query', doc: 'The sequence that asks: [batch, Tq, D].' },
    { name: 'value', doc: 'The sequence attended to: [batch, Tv, Dv].' },
    { name: 'key', optional: true, doc: 'Keys matched against the query: [batch, Tv, D]; the values when unconnected.' },
  ],
  outputs: (p) => (p.returnAttentionScores ? ['out', 'scores'] : ['out']),
  inferShape: (inputs, p) => luongShapes(inputs, 'AdditiveAttention', p.returnAttentionScores),
  paramCount: ([q], p) => ({ trainable: p.useScale ? q![2]! : 0, nonTrainable: 0 }),
  // scale · tanh(q + k) per (query, key, feature), plus weights · value.
  macs([q, v]) {
    const tq = prod([q![1]!]);
    const tv = prod([v![1]!]);
    return tq * tv * (q![2]! + v![2]!);
  },
  toTfjs(inputs, p, ctx) {
    // Distinct tensors only (self-attention feeds one tensor to two ports): see dedupeInputs.
    const { unique, portInputs } = dedupeInputs(inputs.filter((x): x is SymbolicTensor => x !== undefined));
    const layer = ctx.register(
      new AdditiveAttention({
        name: ctx.name,
        portInputs,
        useScale: p.useScale,
        useCausalMask: p.useCausalMask,
        dropout: p.dropout,
        returnAttentionScores: p.returnAttentionScores,
        kernelInitializer: ctx.kernelInitializer,
      }),
    );
    const out = layer.apply(unique);
    return (Array.isArray(out) ? out : [out]) as SymbolicTensor[];
  },
  toOnnx: (ctx, args) => luongOnnx(ctx, args, 'additive', args.params.useScale),
  probe: 'attention',
  toPytorch(a) {
    const p = a.params;
    const w: Record<string, TorchTensor> = {};
    if (p.useScale) w.scale = asIs(pick(a.weights, 'scale', a.nodeId));
    return attentionCall(a, `AdditiveAttention(${a.inputShapes[0]![2]}, use_scale=${py(p.useScale)}, causal=${py(p.useCausalMask)}, dropout=${py(p.dropout)})`, w);
  },
  fixtures: [
    { params: {}, inputs: [[null, 4, 8], [null, 6, 8]] },
    { params: { useScale: false }, inputs: [[null, 5, 3], [null, 7, 6], [null, 7, 3]], note: 'separate key' },
    { params: { useCausalMask: true, returnAttentionScores: true }, inputs: [[null, 6, 4], [null, 6, 4]] },
    { params: { dropout: 0.2 }, inputs: [[null, null, 5], [null, null, 2], [null, null, 5]], note: 'variable length' },
  ],
});
