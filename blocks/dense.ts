import { defineBlock } from '../src/core/spec';
import { ACTIVATIONS, lastDim, prod, requireRank } from '../src/core/shapes';
import { emitActivation, emitMatMulBias, findWeight } from '../src/onnx/ops';

export default defineBlock({
  type: 'Dense',
  category: 'core',
  label: 'Dense',
  docs:
    'A fully connected layer: every output unit is a weighted sum of all input features plus a bias, passed through an activation. On inputs of rank 3 or more it acts on the last axis at every position. Use it for classifier heads and MLPs.',
  params: {
    units: { kind: 'int', default: 32, min: 1, doc: 'Number of output features.', key: true },
    activation: { kind: 'enum', options: ACTIVATIONS, default: 'linear', doc: 'Activation applied to the output.', key: true },
    useBias: { kind: 'bool', default: true, doc: 'Add a learned bias.' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    const s = requireRank(x, [2, 3, 4, 5], 'Dense');
    lastDim(s, 'Dense');
    return [[...s.slice(0, -1), p.units]];
  },
  paramCount([x], p) {
    const n = lastDim(x!, 'Dense');
    return { trainable: n * p.units + (p.useBias ? p.units : 0), nonTrainable: 0 };
  },
  macs: ([x], p) => prod(x!.slice(1, -1)) * lastDim(x!, 'Dense') * p.units,
  toTfjs: ([x], p, ctx) => [
    ctx.register(
      ctx.tf.layers.dense({ units: p.units, activation: p.activation as never, useBias: p.useBias, name: ctx.name, kernelInitializer: ctx.kernelInitializer as never }),
    ).apply(x!) as never,
  ],
  toOnnx(ctx, { params: p, inputs: [x], weights, nodeId }) {
    // tfjs stores the kernel as [in, out]: MatMul on the last axis at every position, as tfjs.
    const kernel = findWeight(weights, 'kernel', nodeId);
    const bias = p.useBias ? findWeight(weights, 'bias', nodeId) : undefined;
    return [emitActivation(ctx, p.activation, emitMatMulBias(ctx, x!, kernel, bias, 'dense'))];
  },
  fixtures: [
    { params: { units: 10 }, inputs: [[null, 20]] },
    { params: { units: 4, activation: 'relu', useBias: false }, inputs: [[null, 5, 6]] },
    { params: { units: 3, activation: 'softmax' }, inputs: [[null, 2, 3, 7]] },
    { params: { units: 1, activation: 'sigmoid' }, inputs: [[null, 1]] },
  ],
});
