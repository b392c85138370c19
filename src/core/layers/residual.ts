// Pieces of modern residual and transformer stacks that tfjs 4.22 lacks:
//   StochasticDepth: drop path (Huang et al. 2016; torchvision.ops.StochasticDepth, mode "row"):
//     while training, each example's whole tensor is zeroed with probability `rate` and the
//     survivors scaled by 1/(1 − rate); at inference it is the identity.
//   LayerScale: multiplies the last (channel) axis by a learned vector `gamma`, initialised to a
//     small `initValue` (ConvNeXt, CaiT): a residual branch starts near zero.
//   ClassToken: prepends one learned [D] token to a [N, T, D] sequence → [N, T + 1, D] (ViT's
//     class token, initialised to zeros as in torchvision).
import * as tf from '@tensorflow/tfjs';
import type { Kwargs, LayerArgs } from './common';

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}
function singleShape(s: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
}

export class StochasticDepth extends tf.layers.Layer {
  static className = 'StochasticDepth';
  readonly rate: number;
  constructor(args: LayerArgs & { rate: number }) {
    super(args);
    this.rate = args.rate;
    if (!(this.rate >= 0 && this.rate < 1)) throw new Error(`StochasticDepth rate must be in [0, 1), got ${JSON.stringify(args.rate)}`);
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(s);
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = single(inputs);
    if (kwargs.training !== true || this.rate === 0) return tf.clone(x);
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const shape = [x.shape[0]!, ...new Array<number>(x.rank - 1).fill(1)];
      const mask = tf.floor(tf.add(tf.randomUniform(shape), keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
tf.serialization.registerClass(StochasticDepth);

export class LayerScale extends tf.layers.Layer {
  static className = 'LayerScale';
  readonly initValue: number;
  private gamma: tf.LayerVariable | null = null;
  constructor(args: LayerArgs & { initValue: number }) {
    super(args);
    this.initValue = args.initValue;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(s);
  }
  override build(s: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(s);
    const c = shape[shape.length - 1];
    if (c == null) throw new Error(`LayerScale "${this.name}" needs a known last (channel) axis, got ${JSON.stringify(shape)}`);
    this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.constant({ value: this.initValue }), undefined, true);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(single(inputs), this.gamma!.read()));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initValue: this.initValue };
  }
}
tf.serialization.registerClass(LayerScale);

export class ClassToken extends tf.layers.Layer {
  static className = 'ClassToken';
  private token: tf.LayerVariable | null = null;
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, t, d] = singleShape(s);
    return [n ?? null, t == null ? null : t + 1, d ?? null];
  }
  override build(s: tf.Shape | tf.Shape[]): void {
    const d = singleShape(s)[2];
    if (d == null) throw new Error(`ClassToken "${this.name}" needs a known feature size, got ${JSON.stringify(singleShape(s))}`);
    this.token = this.addWeight('class_token', [1, 1, d], 'float32', tf.initializers.zeros(), undefined, true);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const tok = tf.tile(this.token!.read(), [x.shape[0]!, 1, 1]);
      return tf.concat([tok, x], 1);
    });
  }
}
tf.serialization.registerClass(ClassToken);
