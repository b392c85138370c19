// Luong (dot-product) and Bahdanau (additive) attention as tfjs layers, with Keras semantics:
//   Attention:          scores = query · keyᵀ (× a learned scalar when useScale), or with
//                       scoreMode "concat": w · Σ tanh(query + key) over features;
//   AdditiveAttention:  scores = Σ scale · tanh(query + key) over features (scale: a learned
//                       vector when useScale).
// Then an optional causal mask (−1e9 added above the diagonal), softmax over the key axis,
// dropout on the weights while training, and weights · value. Inputs [query, value, key?]; the
// key defaults to the value. Outputs the attended values [B, Tq, Dv] and, with
// returnAttentionScores, the attention weights [B, Tq, Tv] (after softmax).
import * as tf from '@tensorflow/tfjs';
import { byPort, causalMask, initializer, shapeList, tensorList, type Kwargs, type LayerArgs } from './common';
import { luongShapes } from './shapes';

export interface AttentionArgs extends LayerArgs {
  useScale?: boolean;
  scoreMode?: 'dot' | 'concat';
  dropout?: number;
  useCausalMask?: boolean;
  returnAttentionScores?: boolean;
  /** Which distinct input feeds query, value (and key); see dedupeInputs. */
  portInputs?: number[] | null;
}

abstract class BaseAttention extends tf.layers.Layer {
  readonly useScale: boolean;
  readonly dropoutRate: number;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;
  readonly portInputs: number[] | null;

  constructor(args: AttentionArgs, defaultUseScale: boolean) {
    super(args);
    this.useScale = args.useScale ?? defaultUseScale;
    this.dropoutRate = args.dropout ?? 0;
    this.useCausalMask = args.useCausalMask ?? false;
    this.returnAttentionScores = args.returnAttentionScores ?? false;
    this.portInputs = args.portInputs ?? null;
    if (!(this.dropoutRate >= 0 && this.dropoutRate < 1)) throw new Error(`${this.getClassName()} dropout must be in [0, 1), got ${this.dropoutRate}`);
  }

  /** Raw scores [B, Tq, Tv] before masking and softmax. */
  protected abstract scores(query: tf.Tensor3D, key: tf.Tensor3D): tf.Tensor3D;

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const out = luongShapes(this.portShapes(inputShape), this.getClassName(), this.returnAttentionScores);
    return out.length === 1 ? out[0]! : out;
  }

  /** Input shapes per port (query, value, key?). */
  protected portShapes(inputShape: tf.Shape | tf.Shape[]) {
    return byPort(shapeList(inputShape), this.portInputs);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const [query, value, maybeKey] = byPort(tensorList(inputs), this.portInputs) as tf.Tensor3D[];
      const key = maybeKey ?? value!;
      let scores: tf.Tensor3D = this.scores(query!, key);
      if (this.useCausalMask) scores = tf.add(scores, causalMask(scores.shape[1], scores.shape[2]));
      const weights = tf.softmax(scores, -1);
      const used = kwargs.training === true && this.dropoutRate > 0 ? tf.dropout(weights, this.dropoutRate) : weights;
      const out = tf.matMul(used, value!);
      return this.returnAttentionScores ? [out, weights] : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      useScale: this.useScale,
      dropout: this.dropoutRate,
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
      portInputs: this.portInputs,
    };
  }
}

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

tf.serialization.registerClass(Attention);
tf.serialization.registerClass(AdditiveAttention);
