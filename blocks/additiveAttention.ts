import * as tf from '@tensorflow/tfjs';
import { CAUSAL_MASK_PY } from '../src/pytorch/preludeAttention';
import { defineBlock, type SymbolicTensor, type TorchTensor, type PytorchSnippet } from '../src/core/spec';
import { dedupeInputs, initializer } from '../src/core/layers/common';
import { prod } from '../src/core/shapes';
import { luongShapes } from '../src/core/layers/shapes';
import { luongOnnx } from '../src/core/layers/onnx';
import { asIs, attentionCall, pick, py } from '../src/pytorch/emit';
import { BaseAttention, type AttentionArgs } from '../src/core/layers/attention';

// The tfjs layer: scores = Σ scale · tanh(query + key) over features (scale: a learned vector with
// useScale); the rest (mask, softmax, dropout, · value) is BaseAttention's.
export interface AdditiveAttentionArgs extends Omit<AttentionArgs, 'scoreMode'> {
  /** Initializer name for the scale vector (glorotUniform as Keras). */
  kernelInitializer?: string;
}

export class AdditiveAttention extends BaseAttention {
  static className = 'AdditiveAttention';
  readonly kernelInitializer: string | undefined;
  private scale: tf.LayerVariable | null = null;

  constructor(args: AdditiveAttentionArgs = {}) {
    super(args, true);
    this.kernelInitializer = args.kernelInitializer;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    luongShapes(this.portShapes(inputShape), 'AdditiveAttention', false);
    const d = this.portShapes(inputShape)[0]![2]!;
    if (this.useScale) this.scale = this.addWeight('scale', [d], 'float32', initializer(this.kernelInitializer), undefined, true);
    this.built = true;
  }

  protected scores(query: tf.Tensor3D, key: tf.Tensor3D): tf.Tensor3D {
    const t = tf.tanh(tf.add(tf.expandDims(query, 2), tf.expandDims(key, 1)));
    return tf.sum(this.scale ? tf.mul(t, this.scale.read()) : t, -1) as tf.Tensor3D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...(this.kernelInitializer ? { kernelInitializer: this.kernelInitializer } : {}) };
  }
}

/** model.py's AdditiveAttention (Keras Bahdanau attention). */
const ADDITIVE_ATTENTION_PY: PytorchSnippet = {
  name: 'AdditiveAttention',
  requires: [CAUSAL_MASK_PY],
  source: String.raw`class AdditiveAttention(nn.Module):
    """Keras AdditiveAttention (Bahdanau): scores = Σ scale · tanh(q + k) over features."""

    def __init__(self, dim, use_scale, causal, dropout):
        super().__init__()
        self.causal, self.dropout = causal, dropout
        self.scale = nn.Parameter(torch.ones(dim)) if use_scale else None

    def forward(self, query, value, key=None):
        key = value if key is None else key
        t = torch.tanh(query.unsqueeze(2) + key.unsqueeze(1))
        scores = (t * self.scale if self.scale is not None else t).sum(-1)
        if self.causal:
            scores = scores + causal_mask(scores.shape[1], scores.shape[2], scores.device)
        weights = F.softmax(scores, dim=-1)
        used = F.dropout(weights, self.dropout, self.training) if self.dropout > 0 else weights
        return used @ value, weights
`,
};

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
  tfjsLayers: [AdditiveAttention],
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
  pytorchPrelude: [ADDITIVE_ATTENTION_PY],
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
