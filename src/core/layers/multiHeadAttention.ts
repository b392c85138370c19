// Multi-head attention as a tfjs layer, with Keras' MultiHeadAttention semantics and weights:
//   query/key/value kernels [D, heads, keyDim|valueDim] (+ biases [heads, dim]),
//   output kernel [heads, valueDim, out] (+ bias [out]).
// Each head: softmax((q/√keyDim) · kᵀ + causal mask) · v; the heads are concatenated and
// projected back. Inputs [query, value, key?] (the key defaults to the value). Outputs
// [B, Tq, out] and, with returnAttentionScores, the weights [B, heads, Tq, Tk].
import * as tf from '@tensorflow/tfjs';
import { byPort, causalMask, initializer, shapeList, tensorList, type Kwargs, type LayerArgs } from './common';
import { mhaShapes } from './shapes';

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

tf.serialization.registerClass(MultiHeadAttention);
