import * as tf from '@tensorflow/tfjs';
import { CAUSAL_MASK_PY } from '../src/pytorch/preludeAttention';
import { defineBlock, type SymbolicTensor, type TorchTensor, type PytorchSnippet, type BlockWeight, type OnnxContext, type OnnxEmitArgs, type Shape } from '../src/core/spec';
import { prod } from '../src/core/shapes';
import { attentionCall, pick, py } from '../src/pytorch/emit';
import { transpose2d } from '../src/pytorch/weights';
import { byPort, causalMask, dedupeInputs, initializer, shapeList, tensorList, type Kwargs, type LayerArgs } from '../src/core/layers/common';
import { addCausalMask, first, weight } from '../src/core/layers/onnx';
import { attentionInputs } from '../src/core/layers/shapes';

/** MultiHeadAttention: projections make any feature sizes fit. Output [B, Tq, out]; scores [B, H, Tq, Tk]. */
export function mhaShapes(shapes: (Shape | undefined)[], numHeads: number, outputShape: number | null, returnScores: boolean): Shape[] {
  const { query, key } = attentionInputs(shapes, 'MultiHeadAttention');
  const out: Shape[] = [[query[0]!, query[1]!, outputShape ?? query[2]!]];
  if (returnScores) out.push([query[0]!, numHeads, query[1]!, key[1]!]);
  return out;
}

// The tfjs layer, with Keras' MultiHeadAttention semantics and weights: query/key/value kernels
// [D, heads, keyDim|valueDim] (+ biases [heads, dim]), output kernel [heads, valueDim, out] (+ bias [out]).
// Each head: softmax((q/√keyDim) · kᵀ + causal mask) · v; the heads are concatenated and projected back.
// Inputs [query, value, key?] (the key defaults to the value); outputs [B, Tq, out] and, with
// returnAttentionScores, the weights [B, heads, Tq, Tk].
export interface MultiHeadAttentionArgs extends LayerArgs {
  numHeads: number;
  keyDim: number;
  valueDim?: number | null;
  dropout?: number;
  useBias?: boolean;
  /** The output's last dim; the query's last dim when unset. */
  outputShape?: number | null;
  useCausalMask?: boolean;
  returnAttentionScores?: boolean;
  kernelInitializer?: string;
  /** Which distinct input feeds query, value (and key); see dedupeInputs. */
  portInputs?: number[] | null;
}

interface Projection {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
}

export class MultiHeadAttention extends tf.layers.Layer {
  static className = 'MultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropoutRate: number;
  readonly useBias: boolean;
  readonly outputDim: number | null;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;
  readonly kernelInitializer: string | undefined;
  readonly portInputs: number[] | null;
  private proj: { query: Projection; key: Projection; value: Projection; output: Projection } | null = null;

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.valueDim = args.valueDim ?? args.keyDim;
    this.dropoutRate = args.dropout ?? 0;
    this.useBias = args.useBias ?? true;
    this.outputDim = args.outputShape ?? null;
    this.useCausalMask = args.useCausalMask ?? false;
    this.returnAttentionScores = args.returnAttentionScores ?? false;
    this.kernelInitializer = args.kernelInitializer;
    this.portInputs = args.portInputs ?? null;
    for (const [k, v] of [['numHeads', this.numHeads], ['keyDim', this.keyDim], ['valueDim', this.valueDim]] as const)
      if (!Number.isInteger(v) || v < 1) throw new Error(`MultiHeadAttention ${k} must be an integer ≥ 1, got ${JSON.stringify(v)}`);
    if (!(this.dropoutRate >= 0 && this.dropoutRate < 1)) throw new Error(`MultiHeadAttention dropout must be in [0, 1), got ${this.dropoutRate}`);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const out = mhaShapes(byPort(shapeList(inputShape), this.portInputs), this.numHeads, this.outputDim, this.returnAttentionScores);
    return out.length === 1 ? out[0]! : out;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shapes = byPort(shapeList(inputShape), this.portInputs);
    const [q] = mhaShapes(shapes, this.numHeads, this.outputDim, false);
    const dq = shapes[0]![2]!;
    const dv = shapes[1]![2]!;
    const dk = shapes[2] ? shapes[2][2]! : dv;
    const dout = q![2]!;
    const h = this.numHeads;
    // Same order as Keras' weights: query, key, value, output (kernel then bias each).
    const make = (name: string, kernelShape: number[], biasShape: number[]): Projection => ({
      kernel: this.addWeight(`${name}_kernel`, kernelShape, 'float32', initializer(this.kernelInitializer), undefined, true),
      bias: this.useBias ? this.addWeight(`${name}_bias`, biasShape, 'float32', tf.initializers.zeros(), undefined, true) : null,
    });
    const query = make('query', [dq, h, this.keyDim], [h, this.keyDim]);
    const key = make('key', [dk, h, this.keyDim], [h, this.keyDim]);
    const value = make('value', [dv, h, this.valueDim], [h, this.valueDim]);
    const output = make('output', [h, this.valueDim, dout], [dout]);
    this.proj = { query, key, value, output };
    this.built = true;
  }

  /** [B, T, D] → [B, heads, T, dim]. */
  private heads(x: tf.Tensor3D, p: Projection, dim: number): tf.Tensor4D {
    const [b, t, d] = x.shape;
    let y = tf.matMul(tf.reshape(x, [b * t, d]), tf.reshape(p.kernel.read(), [d, this.numHeads * dim]));
    if (p.bias) y = tf.add(y, tf.reshape(p.bias.read(), [this.numHeads * dim]));
    return tf.transpose(tf.reshape(y, [b, t, this.numHeads, dim]), [0, 2, 1, 3]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const [query, value, maybeKey] = byPort(tensorList(inputs), this.portInputs) as tf.Tensor3D[];
      const key = maybeKey ?? value!;
      const p = this.proj!;
      const [b, tq] = query!.shape;
      // Keras scales the projected query, not the scores.
      const q = tf.mul(this.heads(query!, p.query, this.keyDim), 1 / Math.sqrt(this.keyDim));
      const k = this.heads(key, p.key, this.keyDim);
      const v = this.heads(value!, p.value, this.valueDim);
      let scores: tf.Tensor4D = tf.matMul(q, k, false, true);
      if (this.useCausalMask) scores = tf.add(scores, causalMask(scores.shape[2], scores.shape[3]));
      const weights = tf.softmax(scores, -1);
      const used = kwargs.training === true && this.dropoutRate > 0 ? tf.dropout(weights, this.dropoutRate) : weights;
      const o = tf.transpose(tf.matMul(used, v), [0, 2, 1, 3]); // [B, Tq, heads, valueDim]
      const hv = this.numHeads * this.valueDim;
      const dout = p.output.kernel.shape[2]!;
      let y = tf.matMul(tf.reshape(o, [b * tq, hv]), tf.reshape(p.output.kernel.read(), [hv, dout]));
      if (p.output.bias) y = tf.add(y, p.output.bias.read());
      const out = tf.reshape(y, [b, tq, dout]);
      return this.returnAttentionScores ? [out, weights] : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropoutRate,
      useBias: this.useBias,
      outputShape: this.outputDim,
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
      ...(this.kernelInitializer ? { kernelInitializer: this.kernelInitializer } : {}),
      portInputs: this.portInputs,
    };
  }
}

/** The ONNX graph: per-head MatMul projections, Reshape/Transpose to heads, scaled dot products. */
function mhaOnnx(
  ctx: OnnxContext,
  args: OnnxEmitArgs<{ numHeads: number; keyDim: number; valueDim: number | null; useBias: boolean; useCausalMask: boolean; returnAttentionScores: boolean }>,
): string[] {
  const p = args.params;
  const h = p.numHeads;
  const kd = p.keyDim;
  const vd = p.valueDim ?? kd;
  const [query, value, keyIn] = args.inputs;
  const ws = [...args.weights];
  const take = (what: string) => {
    const kernel = ws.shift();
    const bias = p.useBias ? ws.shift() : undefined;
    if (!kernel || (p.useBias && !bias)) throw new Error(`MultiHeadAttention ${what}: missing weights (got ${args.weights.map((w) => w.name).join(', ')})`);
    return { kernel, bias };
  };
  const wq = take('query');
  const wk = take('key');
  const wv = take('value');
  const wo = take('output');
  // [B, T, D] → MatMul [D, H·dim] (+ bias) → [B, T, H, dim] → [B, H, T, dim].
  const heads = (x: string, w: { kernel: BlockWeight; bias?: BlockWeight }, dim: number, what: string) => {
    let y = first(ctx, 'MatMul', [x, weight(ctx, w.kernel, what, [w.kernel.shape[0]!, h * dim])]);
    if (w.bias) y = first(ctx, 'Add', [y, weight(ctx, w.bias, what, [h * dim])]);
    const r = first(ctx, 'Reshape', [y, ctx.constInt64('heads_shape', [0, 0, h, dim], [4])]);
    return first(ctx, 'Transpose', [r], { perm: { ints: [0, 2, 1, 3] } });
  };
  const q = first(ctx, 'Mul', [heads(query!, wq, kd, 'query'), ctx.constFloat('inv_sqrt_key_dim', [1 / Math.sqrt(kd)], [])]);
  const k = heads(keyIn ?? value!, wk, kd, 'key');
  const v = heads(value!, wv, vd, 'value');
  let scores = first(ctx, 'MatMul', [q, first(ctx, 'Transpose', [k], { perm: { ints: [0, 1, 3, 2] } })]);
  if (p.useCausalMask) scores = addCausalMask(ctx, scores, 4);
  const weights = first(ctx, 'Softmax', [scores], { axis: { i: -1 } });
  const o = first(ctx, 'Transpose', [first(ctx, 'MatMul', [weights, v])], { perm: { ints: [0, 2, 1, 3] } }); // [B, Tq, H, vd]
  const flat = first(ctx, 'Reshape', [o, ctx.constInt64('concat_heads', [0, 0, h * vd], [3])]);
  const dout = wo.kernel.shape[2]!;
  let out = first(ctx, 'MatMul', [flat, weight(ctx, wo.kernel, 'output', [h * vd, dout])]);
  if (wo.bias) out = first(ctx, 'Add', [out, weight(ctx, wo.bias, 'output')]);
  return p.returnAttentionScores ? [out, weights] : [out];
}

/** model.py's MultiHeadAttention with Keras' projections and scaling. */
const MHA_PY: PytorchSnippet = {
  name: 'MultiHeadAttention',
  requires: [CAUSAL_MASK_PY],
  source: String.raw`class MultiHeadAttention(nn.Module):
    """Keras MultiHeadAttention: per-head projections (nn.Linear, heads·dim outputs), the query
    scaled by 1/√keyDim, optional causal mask, heads concatenated and projected."""

    def __init__(self, dq, dk, dv, heads, key_dim, value_dim, out_dim, bias, causal, dropout):
        super().__init__()
        self.heads, self.key_dim, self.value_dim, self.causal, self.dropout = heads, key_dim, value_dim, causal, dropout
        self.query = nn.Linear(dq, heads * key_dim, bias=bias)
        self.key = nn.Linear(dk, heads * key_dim, bias=bias)
        self.value = nn.Linear(dv, heads * value_dim, bias=bias)
        self.output = nn.Linear(heads * value_dim, out_dim, bias=bias)

    def split(self, x, dim):
        b, t, _ = x.shape
        return x.reshape(b, t, self.heads, dim).transpose(1, 2)

    def forward(self, query, value, key=None):
        key = value if key is None else key
        q = self.split(self.query(query), self.key_dim) * (1.0 / math.sqrt(self.key_dim))
        k = self.split(self.key(key), self.key_dim)
        v = self.split(self.value(value), self.value_dim)
        scores = q @ k.transpose(2, 3)
        if self.causal:
            scores = scores + causal_mask(scores.shape[2], scores.shape[3], scores.device)
        weights = F.softmax(scores, dim=-1)
        used = F.dropout(weights, self.dropout, self.training) if self.dropout > 0 else weights
        o = (used @ v).transpose(1, 2)
        return self.output(o.reshape(o.shape[0], o.shape[1], -1)), weights
`,
};

export default defineBlock({
  type: 'MultiHeadAttention',
  category: 'attention',
  label: 'Multi-head attention',
  docs:
    'The transformer\'s attention: query, key and value are each projected into numHeads smaller spaces, every head runs scaled dot-product attention on its own, and the heads are concatenated and projected back. Feed the same sequence on "query" and "value" for self-attention (with useCausalMask in a decoder), or the decoder on "query" and the encoder on "value" for cross-attention. Weights and parameter counts follow Keras\' MultiHeadAttention.',
  params: {
    numHeads: { kind: 'int', default: 2, min: 1, doc: 'Number of attention heads.', key: true },
    keyDim: { kind: 'int', default: 16, min: 1, doc: 'Size of each head\'s query and key projections.', key: true },
    valueDim: { kind: 'int', default: null, min: 1, nullable: true, doc: 'Size of each head\'s value projection; keyDim when unset.' },
    dropout: { kind: 'float', default: 0, min: 0, max: 1, exclusiveMax: true, doc: 'Fraction of attention weights dropped while training (none at inference).' },
    useBias: { kind: 'bool', default: true, doc: 'Add biases to the four projections.' },
    outputShape: { kind: 'int', default: null, min: 1, nullable: true, doc: 'Last dimension of the output; the query\'s last dimension when unset (so residual adds fit).' },
    useCausalMask: { kind: 'bool', default: false, doc: 'Query step i only sees key steps ≤ i (decoder self-attention).' },
    returnAttentionScores: { kind: 'bool', default: false, doc: 'Add a "scores" output with the weights [batch, heads, query steps, key steps].' },
  },
  inputs: () => [
    { name: 'query', doc: 'The sequence that asks: [batch, Tq, Dq].' },
    { name: 'value', doc: 'The sequence attended to: [batch, Tv, Dv].' },
    { name: 'key', optional: true, doc: 'Keys: [batch, Tv, Dk]; the values when unconnected.' },
  ],
  outputs: (p) => (p.returnAttentionScores ? ['out', 'scores'] : ['out']),
  inferShape: (inputs, p) => mhaShapes(inputs, p.numHeads, p.outputShape, p.returnAttentionScores),
  paramCount([q, v, k], p) {
    const h = p.numHeads;
    const kd = p.keyDim;
    const vd = p.valueDim ?? kd;
    const dq = q![2]!;
    const dv = v![2]!;
    const dk = k ? k[2]! : dv;
    const dout = p.outputShape ?? dq;
    const b = p.useBias ? 1 : 0;
    return { trainable: (dq + b) * h * kd + (dk + b) * h * kd + (dv + b) * h * vd + h * vd * dout + b * dout, nonTrainable: 0 };
  },
  macs([q, v, k], p) {
    const h = p.numHeads;
    const kd = p.keyDim;
    const vd = p.valueDim ?? kd;
    const tq = prod([q![1]!]);
    const tv = prod([v![1]!]);
    const dq = q![2]!;
    const dv = v![2]!;
    const dk = k ? k[2]! : dv;
    const dout = p.outputShape ?? dq;
    // Four projections, then scores and the weighted sum per head.
    return tq * dq * h * kd + tv * dk * h * kd + tv * dv * h * vd + tq * h * vd * dout + h * tq * tv * (kd + vd);
  },
  tfjsLayers: [MultiHeadAttention],
  toTfjs(inputs, p, ctx) {
    // Distinct tensors only (self-attention feeds one tensor to two ports): see dedupeInputs.
    const { unique, portInputs } = dedupeInputs(inputs.filter((x): x is SymbolicTensor => x !== undefined));
    const layer = ctx.register(
      new MultiHeadAttention({
        name: ctx.name,
        portInputs,
        numHeads: p.numHeads,
        keyDim: p.keyDim,
        valueDim: p.valueDim,
        dropout: p.dropout,
        useBias: p.useBias,
        outputShape: p.outputShape,
        useCausalMask: p.useCausalMask,
        returnAttentionScores: p.returnAttentionScores,
        kernelInitializer: ctx.kernelInitializer,
      }),
    );
    const out = layer.apply(unique);
    return (Array.isArray(out) ? out : [out]) as SymbolicTensor[];
  },
  toOnnx: (ctx, args) => mhaOnnx(ctx, args),
  probe: 'attention',
  pytorchPrelude: [MHA_PY],
  toPytorch(a) {
    const p = a.params;
    const w: Record<string, TorchTensor> = {};
    const proj = (name: string) => {
      const k = pick(a.weights, `${name}_kernel`, a.nodeId);
      const rows = name === 'output' ? k.shape[0]! * k.shape[1]! : k.shape[0]!;
      const cols = name === 'output' ? k.shape[2]! : k.shape[1]! * k.shape[2]!;
      w[`${name}.weight`] = transpose2d(k.data, rows, cols);
      if (p.useBias) {
        const b = pick(a.weights, `${name}_bias`, a.nodeId);
        w[`${name}.bias`] = { shape: [b.data.length], data: b.data };
      }
      return { rows, cols };
    };
    const q = proj('query');
    const k = proj('key');
    const v = proj('value');
    const out = proj('output');
    const valueDim = p.valueDim ?? p.keyDim;
    return attentionCall(
      a,
      `MultiHeadAttention(${q.rows}, ${k.rows}, ${v.rows}, heads=${p.numHeads}, key_dim=${p.keyDim}, value_dim=${valueDim}, out_dim=${out.cols}, bias=${py(p.useBias)}, causal=${py(p.useCausalMask)}, dropout=${py(p.dropout)})`,
      w,
    );
  },
  fixtures: [
    { params: { numHeads: 2, keyDim: 4 }, inputs: [[null, 5, 8], [null, 5, 8]], note: 'self-attention' },
    { params: { numHeads: 3, keyDim: 2, valueDim: 5, outputShape: 7 }, inputs: [[null, 4, 6], [null, 3, 5]], note: 'cross' },
    { params: { numHeads: 1, keyDim: 3, useBias: false, returnAttentionScores: true }, inputs: [[null, 4, 6], [null, 5, 2], [null, 5, 9]], note: 'separate key' },
    { params: { numHeads: 4, keyDim: 2, useCausalMask: true, returnAttentionScores: true }, inputs: [[null, 6, 8], [null, 6, 8]] },
    { params: { numHeads: 2, keyDim: 3, dropout: 0.1, useCausalMask: true }, inputs: [[null, null, 4], [null, null, 4]], note: 'variable length' },
  ],
});
