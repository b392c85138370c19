import { BlockError, defineBlock } from '../src/core/spec';
import { assign, py } from '../src/pytorch/emit';

export default defineBlock({
  type: 'LeakyReLU',
  category: 'activation',
  label: 'Leaky ReLU',
  docs:
    'A ReLU that lets a small slope through for negative inputs: x for x ≥ 0, alpha·x below. The negative slope keeps gradients alive for units that would otherwise stay at zero ("dying ReLU"); GAN discriminators often use it with alpha 0.2.',
  params: {
    alpha: { kind: 'float', default: 0.3, min: 0, doc: 'Slope for negative inputs (tfjs default 0.3).', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x]) {
    if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
    return [x.slice()];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [ctx.register(ctx.tf.layers.leakyReLU({ alpha: p.alpha, name: ctx.name })).apply(x!) as never],
  // tfjs' kernel is x < 0 ? alpha·x : x, exactly ONNX LeakyRelu; alpha is written explicitly because
  // ONNX's default (0.01) differs from tfjs' (0.3).
  toOnnx: (ctx, { inputs, params }) => ctx.node('LeakyRelu', [inputs[0]!], { alpha: { f: params.alpha } }),
  toPytorch: (a) => assign(a, `F.leaky_relu(${a.inputs[0]}, ${py(a.params.alpha)})`),
  fixtures: [
    { params: {}, inputs: [[null, 7]] },
    { params: { alpha: 0.2 }, inputs: [[null, 5, 6, 3]] },
    { params: { alpha: 0 }, inputs: [[null, 4, 5]] },
    { params: { alpha: 1.5 }, inputs: [[null, 9]], note: 'slope above 1' },
  ],
});
