import * as tf from '@tensorflow/tfjs';
import { CAUSAL_MASK_PY } from '../src/pytorch/preludeAttention';
import { defineBlock, type SymbolicTensor, type TorchTensor, type PytorchSnippet } from '../src/core/spec';
import { dedupeInputs } from '../src/core/layers/common';
import { prod } from '../src/core/shapes';
import { luongShapes } from '../src/core/layers/shapes';
import { luongOnnx } from '../src/core/layers/onnx';
import { asIs, attentionCall, pick, py } from '../src/pytorch/emit';
import { BaseAttention, type AttentionArgs } from '../src/core/layers/attention';

// The tfjs layer: scores = query · keyᵀ (× a learned scalar with useScale), or with scoreMode "concat"
// w · Σ tanh(query + key) over features; the rest (mask, softmax, dropout, · value) is BaseAttention's.
export class Attention extends BaseAttention {
  static className = 'Attention';
  readonly scoreMode: 'dot' | 'concat';
  private scale: tf.LayerVariable | null = null;
  private concatScoreWeight: tf.LayerVariable | null = null;

  constructor(args: AttentionArgs = {}) {
    super(args, false);
    this.scoreMode = args.scoreMode ?? 'dot';
    if (this.scoreMode !== 'dot' && this.scoreMode !== 'concat') throw new Error(`Attention scoreMode must be "dot" or "concat", got ${JSON.stringify(this.scoreMode)}`);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    luongShapes(this.portShapes(inputShape), 'Attention', false);
    // Keras: both are scalars initialised to one.
    if (this.useScale) this.scale = this.addWeight('scale', [], 'float32', tf.initializers.ones(), undefined, true);
    if (this.scoreMode === 'concat') this.concatScoreWeight = this.addWeight('concat_score_weight', [], 'float32', tf.initializers.ones(), undefined, true);
    this.built = true;
  }

  protected scores(query: tf.Tensor3D, key: tf.Tensor3D): tf.Tensor3D {
    if (this.scoreMode === 'dot') {
      const s = tf.matMul(query, key, false, true);
      return (this.scale ? tf.mul(s, this.scale.read()) : s) as tf.Tensor3D;
    }
    // concat: [B, Tq, 1, D] + [B, 1, Tv, D] → tanh → sum over D.
    let sum: tf.Tensor = tf.add(tf.expandDims(query, 2), tf.expandDims(key, 1));
    if (this.scale) sum = tf.mul(sum, this.scale.read());
    return tf.mul(tf.sum(tf.tanh(sum), -1), this.concatScoreWeight!.read()) as tf.Tensor3D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scoreMode: this.scoreMode };
  }
}

/** model.py's Attention (Keras Luong attention). */
const ATTENTION_PY: PytorchSnippet = {
  name: 'Attention',
  requires: [CAUSAL_MASK_PY],
  source: String.raw`class Attention(nn.Module):
    """Keras Attention (Luong): dot scores (× a learned scalar scale) or concat scores
    (Σ tanh(scale · (q + k)) × a learned scalar); softmax; weights · value."""

    def __init__(self, use_scale, score_mode, causal, dropout):
        super().__init__()
        self.score_mode, self.causal, self.dropout = score_mode, causal, dropout
        self.scale = nn.Parameter(torch.ones(())) if use_scale else None
        self.concat_score_weight = nn.Parameter(torch.ones(())) if score_mode == "concat" else None

    def forward(self, query, value, key=None):
        key = value if key is None else key
        if self.score_mode == "dot":
            scores = query @ key.transpose(1, 2)
            if self.scale is not None:
                scores = scores * self.scale
        else:
            s = query.unsqueeze(2) + key.unsqueeze(1)
            if self.scale is not None:
                s = s * self.scale
            scores = torch.tanh(s).sum(-1) * self.concat_score_weight
        if self.causal:
            scores = scores + causal_mask(scores.shape[1], scores.shape[2], scores.device)
        weights = F.softmax(scores, dim=-1)
        used = F.dropout(weights, self.dropout, self.training) if self.dropout > 0 else weights
        return used @ value, weights
`,
};

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
  tfjsLayers: [Attention],
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
  pytorchPrelude: [ATTENTION_PY],
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
