// What Luong (dot-product) and Bahdanau (additive) attention share as tfjs layers, with Keras
// semantics: the subclasses (blocks/attention.ts, blocks/additiveAttention.ts) compute raw scores;
// here an optional causal mask (−1e9 added above the diagonal), softmax over the key axis,
// dropout on the weights while training, and weights · value. Inputs [query, value, key?]; the
// key defaults to the value. Outputs the attended values [B, Tq, Dv] and, with
// returnAttentionScores, the attention weights [B, Tq, Tv] (after softmax).
import * as tf from '@tensorflow/tfjs';
import { byPort, causalMask, shapeList, tensorList, type Kwargs, type LayerArgs } from './common';
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

/** What Attention and AdditiveAttention (blocks/attention.ts, blocks/additiveAttention.ts) share: all but the scores. */
export abstract class BaseAttention extends tf.layers.Layer {
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
