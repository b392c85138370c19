import { BlockError, defineBlock, type PytorchSnippet } from '../src/core/spec';
import { callMember, py } from '../src/pytorch/emit';

/** model.py's GaussianNoise: additive noise in training mode only. */
const GAUSSIAN_NOISE_PY: PytorchSnippet = {
  name: 'GaussianNoise',
  source: String.raw`class GaussianNoise(nn.Module):
    def __init__(self, stddev):
        super().__init__()
        self.stddev = stddev

    def forward(self, x):
        return x + torch.randn_like(x) * self.stddev if self.training else x
`,
};

export default defineBlock({
  type: 'GaussianNoise',
  category: 'regularization',
  label: 'Gaussian Noise',
  docs:
    'During training, adds zero-mean Gaussian noise with the given standard deviation to every element; at inference it passes the input through. It is a cheap regulariser and data augmentation for real-valued inputs, e.g. right after the Input of a small tabular model.',
  params: {
    stddev: { kind: 'float', default: 0.1, min: 0, doc: 'Standard deviation of the noise added while training.', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x]) {
    if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
    return [x.slice()];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [ctx.register(ctx.tf.layers.gaussianNoise({ stddev: p.stddev, name: ctx.name })).apply(x!) as never],
  // Inference: the identity.
  toOnnx: (ctx, { inputs }) => ctx.node('Identity', [inputs[0]!]),
  pytorchPrelude: [GAUSSIAN_NOISE_PY],
  toPytorch: (a) => callMember(a, `GaussianNoise(${py(a.params.stddev)})`),
  fixtures: [
    { params: {}, inputs: [[null, 12]] },
    { params: { stddev: 0.5 }, inputs: [[null, 5, 6]] },
    { params: { stddev: 0 }, inputs: [[null, 4, 4, 3]] },
    { params: { stddev: 1 }, inputs: [[null, null, 8]], note: 'variable length' },
  ],
});
