import { BlockError, defineBlock } from '../src/core/spec';
import { fmtShape, prodKnown } from '../src/core/shapes';
import { assign } from '../src/pytorch/emit';

export default defineBlock({
  type: 'Flatten',
  category: 'reshape',
  label: 'Flatten',
  docs:
    'Unrolls each example into one feature vector, e.g. [7, 7, 64] → [3136], keeping the batch. Put it between the convolutional part of a network and its Dense head. Every dimension but the batch must be known; for variable sizes use a global pooling instead.',
  params: {},
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x]) {
    if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
    // tfjs' Flatten requires rank ≥ 3 (its inputSpec) and a fully known example shape.
    if (x.length < 3) throw new BlockError(`Flatten needs an input with at least 2 dimensions per example, got ${fmtShape(x)}, which is already flat — remove the Flatten`, { port: 'in' });
    const n = prodKnown(x.slice(1));
    if (n === null)
      throw new BlockError(`Flatten needs every dimension but the batch to be known, got ${fmtShape(x)} — use a GlobalAveragePooling or GlobalMaxPooling block for variable sizes`, { port: 'in' });
    return [[null, n]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  toTfjs: ([x], _p, ctx) => [ctx.register(ctx.tf.layers.flatten({ name: ctx.name })).apply(x!) as never],
  // Tensors stay NHWC in the exported graph, so a row-major Flatten keeps tfjs' element order.
  toOnnx: (ctx, { inputs }) => ctx.node('Flatten', [inputs[0]!], { axis: { i: 1 } }),
  // Channels-last like tfjs, so the flattened order is tfjs' (H, W, C).
  toPytorch: (a) => assign(a, `${a.inputs[0]}.reshape(${a.inputs[0]}.shape[0], -1)`),
  fixtures: [
    { params: {}, inputs: [[null, 7, 7, 4]] },
    { params: {}, inputs: [[null, 5, 3]] },
    { params: {}, inputs: [[null, 3, 1, 5]] },
    { params: {}, inputs: [[null, 2, 3, 4, 2]] },
  ],
});
