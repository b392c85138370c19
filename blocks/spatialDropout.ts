import * as tf from '@tensorflow/tfjs';
import { defineBlock, type PytorchSnippet } from '../src/core/spec';
import { requireRank } from '../src/core/shapes';
import { callMember, py } from '../src/pytorch/emit';

/**
 * Spatial dropout for images (NHWC): drops whole feature maps, one draw per example and channel.
 * tfjs 4.22 has only SpatialDropout1D, so this is a small custom layer. It has no weights and
 * is the identity at inference; getConfig + the registry (tfjsLayers) let saved models reload.
 */
export class SpatialDropout2D extends tf.layers.Layer {
  static className = 'SpatialDropout2D';
  readonly rate: number;

  constructor(args: { rate: number; name?: string; trainable?: boolean }) {
    super(args);
    this.rate = args.rate;
    this.supportsMasking = true;
    this.inputSpec = [{ ndim: 4 }];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs.training || this.rate <= 0) return x;
    return tf.tidy(() => {
      const [b, , , c] = x.shape;
      // keep ~ Bernoulli(1 − rate) per (example, channel), broadcast over height and width.
      const keep = tf.cast(tf.greaterEqual(tf.randomUniform([b!, 1, 1, c!]), this.rate), x.dtype);
      return tf.mul(x, tf.div(keep, 1 - this.rate));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}

/** model.py's SpatialDropout: one mask entry per (example, channel). */
const SPATIAL_DROPOUT_PY: PytorchSnippet = {
  name: 'SpatialDropout',
  source: String.raw`class SpatialDropout(nn.Module):
    """Drops whole channels: one mask entry per (example, channel), shared over time/space."""

    def __init__(self, rate):
        super().__init__()
        self.rate = rate

    def forward(self, x):
        if not self.training or self.rate == 0:
            return x
        shape = [x.shape[0]] + [1] * (x.dim() - 2) + [x.shape[-1]]
        mask = (torch.rand(shape, device=x.device) >= self.rate).to(x.dtype) / (1 - self.rate)
        return x * mask
`,
};

export default defineBlock({
  type: 'SpatialDropout',
  category: 'regularization',
  label: 'Spatial Dropout',
  docs:
    'Dropout that drops whole channels instead of single elements: a whole feature map of an image ([h, w, c]) or a whole feature across all time steps of a sequence ([steps, c]). Neighbouring pixels and steps are strongly correlated, so element-wise dropout barely regularises convolutions; this does. It is the identity at inference.',
  params: {
    rate: { kind: 'float', default: 0.5, min: 0, max: 1, exclusiveMax: true, doc: 'Fraction of channels to drop while training (0 ≤ rate < 1).', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x]) {
    return [requireRank(x, [3, 4], 'SpatialDropout').slice()];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  tfjsLayers: [SpatialDropout2D],
  toTfjs([x], p, ctx) {
    const layer = x!.shape.length === 3 ? ctx.tf.layers.spatialDropout1d({ rate: p.rate, name: ctx.name }) : new SpatialDropout2D({ rate: p.rate, name: ctx.name });
    return [ctx.register(layer).apply(x!) as never];
  },
  // Inference: the identity.
  toOnnx: (ctx, { inputs }) => ctx.node('Identity', [inputs[0]!]),
  pytorchPrelude: [SPATIAL_DROPOUT_PY],
  toPytorch: (a) => callMember(a, `SpatialDropout(${py(a.params.rate)})`),
  fixtures: [
    { params: {}, inputs: [[null, 6, 6, 4]] },
    { params: { rate: 0.2 }, inputs: [[null, 5, 7, 3]] },
    { params: { rate: 0.3 }, inputs: [[null, 10, 8]], note: 'sequence' },
    { params: { rate: 0 }, inputs: [[null, null, 8]], note: 'variable length' },
  ],
});
