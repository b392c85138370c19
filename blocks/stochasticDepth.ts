import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock } from '../src/core/spec';
import { assign } from '../src/pytorch/emit';
import { singleShape, singleTensor, type Kwargs, type LayerArgs } from '../src/core/layers/common';

// The tfjs layer (torchvision.ops.StochasticDepth, mode "row"): while training each example's whole tensor
// is zeroed with probability `rate` and the survivors scaled by 1/(1 − rate); the identity at inference.
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
    const x = singleTensor(inputs);
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

export default defineBlock({
  type: 'StochasticDepth',
  category: 'regularization',
  label: 'Stochastic depth',
  docs:
    "Drop path: while training, drops a residual branch for a whole example with probability rate (and scales the kept ones by 1 / (1 − rate)); at inference it passes its input through. Put it at the end of a branch, before the Add with the shortcut, as EfficientNet, ConvNeXt and Swin do (torchvision's StochasticDepth, mode \"row\").",
  params: {
    rate: { kind: 'float', default: 0.1, min: 0, max: 1, exclusiveMax: true, doc: 'Probability of dropping the branch for an example while training (0 ≤ rate < 1).', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x]) {
    if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
    return [x.slice()];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  tfjsLayers: [StochasticDepth],
  toTfjs: ([x], p, ctx) => [ctx.register(new StochasticDepth({ rate: p.rate, name: ctx.name })).apply(x!) as never],
  // An exported model is an inference graph: the identity.
  toOnnx: (ctx, { inputs }) => ctx.node('Identity', [inputs[0]!]),
  toPytorch(a) {
    const x = a.inputs[0]!;
    const keep = 1 - a.params.rate;
    return assign(a, `${x} if not self.training else ${x} * torch.bernoulli(torch.full((${x}.shape[0],) + (1,) * (${x}.dim() - 1), ${keep}, device=${x}.device)) / ${keep}`);
  },
  fixtures: [
    { params: {}, inputs: [[null, 5, 4, 3]] },
    { params: { rate: 0.5 }, inputs: [[null, 6, 8]] },
    { params: { rate: 0 }, inputs: [[null, 7]] },
  ],
});
