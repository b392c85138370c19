import { BlockError, defineBlock, type Fixture } from '../src/core/spec';
import { ACTIVATIONS } from '../src/core/shapes';
import { emitActivation } from '../src/onnx/ops';
import { act, assign } from '../src/pytorch/emit';
import '../src/core/layers/activations'; // registers hardSwish, hardSigmoidTorch, geluTanh with tfjs

export default defineBlock({
  type: 'Activation',
  category: 'activation',
  label: 'Activation',
  docs:
    'Applies an element-wise non-linearity (relu, gelu, sigmoid, tanh, …) to its input, which keeps its shape. Use it when the activation should be its own step, e.g. Conv2D → BatchNormalization → Activation("relu"). softmax normalises over the last axis.',
  params: {
    activation: { kind: 'enum', options: ACTIVATIONS, default: 'linear', doc: 'The function applied to every element ("linear" passes the input through).', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x]) {
    if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
    return [x.slice()];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [ctx.register(ctx.tf.layers.activation({ activation: p.activation as never, name: ctx.name })).apply(x!) as never],
  toOnnx(ctx, { inputs, params }) {
    const x = inputs[0]!;
    const y = emitActivation(ctx, params.activation, x);
    // "linear" emits nothing; an Identity keeps this node's output a value of its own.
    return [y === x ? ctx.node('Identity', [x])[0]! : y];
  },
  outputActivation: (p) => p.activation,
  toPytorch: (a) => assign(a, act(a.params.activation, a.inputs[0]!)),
  fixtures: [
    // Every activation on features, and on a rank-4 image tensor (softmax then acts on channels).
    ...ACTIVATIONS.map((activation): Fixture => ({ params: { activation }, inputs: [[null, 9]] })),
    ...ACTIVATIONS.map((activation): Fixture => ({ params: { activation }, inputs: [[null, 3, 4, 5]] })),
    { params: { activation: 'softmax' }, inputs: [[null, null, 6]], note: 'variable length' },
    { params: {}, inputs: [[null, 2, 3]] },
  ],
});
