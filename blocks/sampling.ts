import { defineBlock, type SymbolicTensor } from '../src/core/spec';
import { dedupeInputs } from '../src/core/layers/common';
import { samplingShape } from '../src/core/layers/shapes';
import { Sampling } from '../src/core/layers/sampling';
import { samplingOnnx } from '../src/core/layers/onnx';
import { py } from '../src/pytorch/emit';

export default defineBlock({
  type: 'Sampling',
  category: 'generative',
  label: 'Sampling (VAE)',
  docs:
    'The reparameterisation step of a variational autoencoder: while training it draws z = mean + exp(logVar / 2) · ε with ε ~ N(0, 1), and at inference it returns the mean. It also adds the KL divergence to a unit Gaussian, −0.5 · Σ(1 + logVar − mean² − exp(logVar)) averaged over the batch and times klWeight, to the training loss. Feed it two Dense layers of the same size from the encoder.',
  params: {
    klWeight: {
      kind: 'float',
      default: 1,
      min: 0,
      doc: 'Weight of the KL term (β). Lower it when the reconstruction loss is a per-pixel mean (e.g. 1/pixels) so the KL does not swamp it.',
    },
  },
  inputs: () => [
    { name: 'mean', doc: 'Mean of the latent Gaussian.' },
    { name: 'logVar', doc: 'Log-variance of the latent Gaussian (same shape as mean).' },
  ],
  outputs: () => ['out'],
  inferShape: (inputs) => [samplingShape(inputs)],
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs(inputs, p, ctx) {
    const { unique, portInputs } = dedupeInputs(inputs as SymbolicTensor[]);
    return [ctx.register(new Sampling({ name: ctx.name, klWeight: p.klWeight, portInputs })).apply(unique) as SymbolicTensor];
  },
  toOnnx: (ctx, args) => samplingOnnx(ctx, args),
  addsLoss: true,
  toPytorch: (a) => ({ member: `Sampling(kl_weight=${py(a.params.klWeight)})`, lines: [`${a.outputs[0]} = self.${a.self}(${a.inputs[0]}, ${a.inputs[1]})`] }),
  fixtures: [
    { params: {}, inputs: [[null, 2], [null, 2]] },
    { params: { klWeight: 0.01 }, inputs: [[null, 4, 3], [null, 4, 3]] },
  ],
});
