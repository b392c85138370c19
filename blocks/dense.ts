import { defineBlock, type TorchTensor } from '../src/core/spec';
import { ACTIVATIONS, lastDim, prod, requireRank } from '../src/core/shapes';
import { emitActivation, emitMatMulBias, findWeight } from '../src/onnx/ops';
import { pick, asIs, act, py } from '../src/pytorch/emit';
import { transpose2d } from '../src/pytorch/weights';
import '../src/core/layers/activations'; // registers hardSwish, hardSigmoidTorch, geluTanh with tfjs

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
  outputActivation: (p) => p.activation,
  toPytorch(a) {
    const k = pick(a.weights, 'kernel', a.nodeId);
    const w: Record<string, TorchTensor> = { weight: transpose2d(k.data, k.shape[0]!, k.shape[1]!) };
    if (a.params.useBias) w.bias = asIs(pick(a.weights, 'bias', a.nodeId));
    return { member: `nn.Linear(${k.shape[0]}, ${k.shape[1]}, bias=${py(a.params.useBias)})`, weights: w, lines: [`${a.outputs[0]} = ${act(a.params.activation, `self.${a.self}(${a.inputs[0]})`)}`] };
  },
  fixtures: [
    { params: { units: 10 }, inputs: [[null, 20]] },
    { params: { units: 4, activation: 'relu', useBias: false }, inputs: [[null, 5, 6]] },
    { params: { units: 3, activation: 'softmax' }, inputs: [[null, 2, 3, 7]] },
    { params: { units: 1, activation: 'sigmoid' }, inputs: [[null, 1]] },
    { params: { units: 5, activation: 'hardSwish' }, inputs: [[null, 7]] },
    { params: { units: 3, activation: 'geluTanh' }, inputs: [[null, 4, 6]] },
  ],
});
