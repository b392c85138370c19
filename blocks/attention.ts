import { defineBlock, type SymbolicTensor, type TorchTensor } from '../src/core/spec';
import { dedupeInputs } from '../src/core/layers/common';
import { prod } from '../src/core/shapes';
import { luongShapes } from '../src/core/layers/shapes';
import { Attention } from '../src/core/layers/attention';
import { luongOnnx } from '../src/core/layers/onnx';
import { asIs, attentionCall, pick, py } from '../src/pytorch/emit';

export default defineBlock({
  type: 'Attention',
  category: 'attention',
  label: 'Attention (dot)',
  docs:
    'Luong-style dot-product attention: each query step scores every key step by their dot product, turns the scores into weights with a softmax, and returns the weighted sum of the values. Feed the decoder states on "query" and the encoder outputs on "value" (and optionally separate "key"s, which default to the values); query and key need the same feature size. Turn on returnAttentionScores to get the [query × key] weight map on a second port for heatmaps.',
  params: {
    useScale: { kind: 'bool', default: false, doc: 'Multiply the scores by a learned scalar (a temperature), initialised to 1.' },
    scoreMode: { kind: 'enum', options: ['dot', 'concat'], default: 'dot', doc: '"dot": query · key; "concat": a learned scalar times Σ tanh(query + key) over features.', key: true },
    useCausalMask: { kind: 'bool', default: false, doc: 'Query step i only sees key steps ≤ i (decoder self-attention).' },
    dropout: { kind: 'float', default: 0, min: 0, max: 1, exclusiveMax: true, doc: 'Fraction of attention weights dropped while training (none at inference).' },
    returnAttentionScores: { kind: 'bool', default: false, doc: 'Add a "scores" output with the attention weights [batch, query steps, key steps].' },
  },
  inputs: () => [
    { name: 'query', doc: 'The sequence that asks: [batch, Tq, D].' },
    { name: 'value', doc: 'The sequence attended to: [batch, Tv, Dv].' },
    { name: 'key', optional: true, doc: 'Keys matched against the query: [batch, Tv, D]; the values when unconnected.' },
  ],
  outputs: (p) => (p.returnAttentionScores ? ['out', 'scores'] : ['out']),
  inferShape: (inputs, p) => luongShapes(inputs, 'Attention', p.returnAttentionScores),
  paramCount: (_inputs, p) => ({ trainable: (p.useScale ? 1 : 0) + (p.scoreMode === 'concat' ? 1 : 0), nonTrainable: 0 }),
  // query · keyᵀ (Tq·Tv·D) plus weights · value (Tq·Tv·Dv).
  macs([q, v], _p) {
    const tq = prod([q![1]!]);
    const tv = prod([v![1]!]);
    return tq * tv * (q![2]! + v![2]!);
  },
  toTfjs(inputs, p, ctx) {
    // Distinct tensors only (self-attention feeds one tensor to two ports): see dedupeInputs.
    const { unique, portInputs } = dedupeInputs(inputs.filter((x): x is SymbolicTensor => x !== undefined));
    const layer = ctx.register(
      new Attention({
        name: ctx.name,
        portInputs,
        useScale: p.useScale,
        scoreMode: p.scoreMode as 'dot' | 'concat',
        useCausalMask: p.useCausalMask,
        dropout: p.dropout,
        returnAttentionScores: p.returnAttentionScores,
      }),
    );
    const out = layer.apply(unique);
    return (Array.isArray(out) ? out : [out]) as SymbolicTensor[];
  },
  toOnnx: (ctx, args) => luongOnnx(ctx, args, args.params.scoreMode === 'concat' ? 'concat' : 'dot', args.params.useScale),
  probe: 'attention',
  toPytorch(a) {
    const p = a.params;
    const w: Record<string, TorchTensor> = {};
    if (p.useScale) w.scale = asIs(pick(a.weights, 'scale', a.nodeId));
    if (p.scoreMode === 'concat') w.concat_score_weight = asIs(pick(a.weights, 'concat_score_weight', a.nodeId));
    return attentionCall(a, `Attention(use_scale=${py(p.useScale)}, score_mode=${py(p.scoreMode)}, causal=${py(p.useCausalMask)}, dropout=${py(p.dropout)})`, w);
  },
  fixtures: [
    { params: {}, inputs: [[null, 4, 8], [null, 6, 8]] },
    { params: { useScale: true }, inputs: [[null, 5, 3], [null, 7, 6], [null, 7, 3]], note: 'separate key' },
    { params: { useCausalMask: true }, inputs: [[null, 6, 4], [null, 6, 4]] },
    { params: { useCausalMask: true, returnAttentionScores: true }, inputs: [[null, 3, 4], [null, 5, 2], [null, 5, 4]], note: 'causal Tq<Tv' },
    { params: { scoreMode: 'concat' }, inputs: [[null, 4, 5], [null, 3, 5]] },
    { params: { scoreMode: 'concat', useScale: true, returnAttentionScores: true }, inputs: [[null, 2, 3], [null, 4, 3]] },
    { params: { dropout: 0.3, returnAttentionScores: true }, inputs: [[null, null, 8], [null, null, 8]], note: 'variable length' },
  ],
});
