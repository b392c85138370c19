import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type PytorchSnippet } from '../src/core/spec';
import { fmtShape } from '../src/core/shapes';
import { findWeight, weightInit } from '../src/onnx/ops';
import { asIs, callMember, pick, py } from '../src/pytorch/emit';
import { singleShape, singleTensor, type LayerArgs } from '../src/core/layers/common';

// The tfjs layer: the last (channel) axis times a learned `gamma`, initialised to a small `initValue`
// (ConvNeXt, CaiT), so a residual branch starts near zero.
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
    return tf.tidy(() => tf.mul(singleTensor(inputs), this.gamma!.read()));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initValue: this.initValue };
  }
}

function channels(x: (number | null)[] | undefined): number {
  if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
  const c = x.length >= 2 ? x[x.length - 1] : null;
  if (c === null || c === undefined) throw new BlockError(`LayerScale needs a known last (channel) axis, got ${fmtShape(x)}`, { port: 'in' });
  return c;
}

/** model.py's LayerScale: a learned per-channel factor. */
const LAYER_SCALE_PY: PytorchSnippet = {
  name: 'LayerScale',
  source: String.raw`class LayerScale(nn.Module):
    """Multiplies the last (channel) axis by a learned vector (ConvNeXt's layer scale)."""

    def __init__(self, dim, init_value):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((dim,), float(init_value)))

    def forward(self, x):
        return x * self.gamma
`,
};

export default defineBlock({
  type: 'LayerScale',
  category: 'norm',
  label: 'Layer scale',
  docs:
    'Multiplies every channel (the last axis) by its own learned scale, initialised to a small initValue, so a residual branch starts almost switched off and the network learns how much of it to use. ConvNeXt ends each block with it (initValue 1e-6) before the Add; CaiT uses it in transformers.',
  params: {
    initValue: { kind: 'float', default: 1e-6, doc: 'Initial value of every scale (ConvNeXt: 1e-6).', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x]) {
    channels(x);
    return [x!.slice()];
  },
  paramCount: ([x]) => ({ trainable: channels(x), nonTrainable: 0 }),
  // One multiply per element.
  macs: ([x]) => x!.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1),
  tfjsLayers: [LayerScale],
  toTfjs: ([x], p, ctx) => [ctx.register(new LayerScale({ initValue: p.initValue, name: ctx.name })).apply(x!) as never],
  toOnnx: (ctx, { nodeId, inputs, weights }) => ctx.node('Mul', [inputs[0]!, weightInit(ctx, 'gamma', findWeight(weights, 'gamma', nodeId))]),
  pytorchPrelude: [LAYER_SCALE_PY],
  toPytorch: (a) => callMember(a, `LayerScale(${channels(a.inputShapes[0])}, ${py(a.params.initValue)})`, { gamma: asIs(pick(a.weights, 'gamma', a.nodeId)) }),
  fixtures: [
    { params: {}, inputs: [[null, 5, 4, 6]] },
    { params: { initValue: 0.5 }, inputs: [[null, 7, 8]] },
    { params: { initValue: 1 }, inputs: [[null, null, 3]], note: 'variable length' },
  ],
});
