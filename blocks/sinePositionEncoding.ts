import * as tf from '@tensorflow/tfjs';
import { defineBlock, type PytorchSnippet, type OnnxContext, type OnnxEmitArgs } from '../src/core/spec';
import { positionalShape } from '../src/core/layers/shapes';
import { callMember, py } from '../src/pytorch/emit';
import type { LayerArgs } from '../src/core/layers/common';
import { dimOf, first } from '../src/core/layers/onnx';

/** Keras-hub's sinusoidal encoding for positions 0…T−1, as a row-major [T, D] Float32Array. */
export function sineEncoding(t: number, d: number, maxWavelength: number): Float32Array {
  const out = new Float32Array(t * d);
  for (let j = 0; j < d; j++) {
    // Each sin/cos pair (2i, 2i+1) shares the timescale maxWavelength^(−2i/D).
    const timescale = Math.pow(1 / maxWavelength, (2 * Math.floor(j / 2)) / d);
    for (let pos = 0; pos < t; pos++) {
      const angle = Math.fround(pos * Math.fround(timescale));
      out[pos * d + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

/** The timescales alone (for ONNX graphs that build the encoding at run time). */
export function sineTimescales(d: number, maxWavelength: number): Float32Array {
  const out = new Float32Array(d);
  for (let j = 0; j < d; j++) out[j] = Math.pow(1 / maxWavelength, (2 * Math.floor(j / 2)) / d);
  return out;
}

// The tfjs layer: adds the fixed encoding of "Attention Is All You Need" in Keras-hub's layout (even features sin,
// odd cos, timescale maxWavelength^(−2⌊j/2⌋/D)); no weights.
export interface SinePositionEncodingArgs extends LayerArgs {
  maxWavelength?: number;
}

export class SinePositionEncoding extends tf.layers.Layer {
  static className = 'SinePositionEncoding';
  readonly maxWavelength: number;

  constructor(args: SinePositionEncodingArgs = {}) {
    super(args);
    this.maxWavelength = args.maxWavelength ?? 10000;
    if (!(this.maxWavelength > 0)) throw new Error(`SinePositionEncoding maxWavelength must be > 0, got ${JSON.stringify(args.maxWavelength)}`);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return positionalShape(inputShape as tf.Shape, 'SinePositionEncoding');
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      const [, t, d] = x.shape;
      // A constant (computed in JS, like the ONNX export's initializer): gradients flow to x only.
      return tf.add(x, tf.tensor2d(sineEncoding(t, d, this.maxWavelength), [t, d]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), maxWavelength: this.maxWavelength };
  }
}

/** SinePositionEncoding: x + the encoding (a constant when T is known, built with Range/Sin/Cos otherwise). */
function sineOnnx(ctx: OnnxContext, args: OnnxEmitArgs<{ maxWavelength: number }>): string[] {
  const x = args.inputs[0]!;
  const shape = args.inputShapes[0]!;
  const d = shape[2]!;
  const t = shape[1];
  if (t !== null && t !== undefined) {
    const enc = ctx.constFloat('sine_encoding', sineEncoding(t, d, args.params.maxWavelength), [t, d]);
    return [first(ctx, 'Add', [x, enc])];
  }
  const steps = first(ctx, 'Squeeze', [dimOf(ctx, x, 1), ctx.constInt64('axis0', [0], [1])]);
  const pos = first(ctx, 'Range', [ctx.constInt64('zero', [0], []), steps, ctx.constInt64('one', [1], [])]);
  const posCol = first(ctx, 'Unsqueeze', [first(ctx, 'Cast', [pos], { to: { i: 1 } }), ctx.constInt64('axis1', [1], [1])]); // [T, 1] float
  const angles = first(ctx, 'Mul', [posCol, ctx.constFloat('timescales', sineTimescales(d, args.params.maxWavelength), [d])]);
  const sinMask = Float32Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 1 : 0));
  const cosMask = Float32Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 0 : 1));
  const sin = first(ctx, 'Mul', [first(ctx, 'Sin', [angles]), ctx.constFloat('sin_mask', sinMask, [d])]);
  const cos = first(ctx, 'Mul', [first(ctx, 'Cos', [angles]), ctx.constFloat('cos_mask', cosMask, [d])]);
  return [first(ctx, 'Add', [x, first(ctx, 'Add', [sin, cos])])];
}

/** model.py's SinePositionEncoding: adds Keras-hub's fixed sin/cos encoding. */
const SINE_POSITION_PY: PytorchSnippet = {
  name: 'SinePositionEncoding',
  source: String.raw`class SinePositionEncoding(nn.Module):
    """Adds the fixed sin/cos encoding: pair (2i, 2i+1) uses timescale maxWavelength^(−2i/D)."""

    def __init__(self, max_wavelength):
        super().__init__()
        self.max_wavelength = max_wavelength

    def forward(self, x):
        t, d = x.shape[1], x.shape[2]
        j = torch.arange(d, device=x.device)
        timescale = torch.pow(torch.tensor(1.0 / self.max_wavelength, dtype=torch.float64), (2 * (j // 2)).double() / d).float()
        angle = torch.arange(t, device=x.device, dtype=torch.float32)[:, None] * timescale[None, :]
        enc = torch.where(j % 2 == 0, torch.sin(angle), torch.cos(angle))
        return x + enc
`,
};

export default defineBlock({
  type: 'SinePositionEncoding',
  category: 'attention',
  label: 'Sine position encoding',
  docs:
    'Adds the fixed sinusoidal position encoding of "Attention Is All You Need" to a sequence [batch, steps, features]: even features get sin(pos / maxWavelength^(2i/D)), odd ones the cosine. It has no weights and works for any length. Keras-hub\'s layer returns the encoding alone; this block returns input + encoding, so it sits directly between an Embedding and the attention blocks.',
  params: {
    maxWavelength: { kind: 'float', default: 10000, min: 0, exclusiveMin: true, doc: 'Longest wavelength of the sinusoids (10000 in the transformer paper).' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape: ([x]) => [positionalShape(x, 'SinePositionEncoding')],
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  tfjsLayers: [SinePositionEncoding],
  toTfjs: ([x], p, ctx) => [ctx.register(new SinePositionEncoding({ name: ctx.name, maxWavelength: p.maxWavelength })).apply(x!) as never],
  toOnnx: (ctx, args) => sineOnnx(ctx, args),
  pytorchPrelude: [SINE_POSITION_PY],
  toPytorch: (a) => callMember(a, `SinePositionEncoding(${py(a.params.maxWavelength)})`),
  fixtures: [
    { params: {}, inputs: [[null, 12, 8]] },
    { params: { maxWavelength: 100 }, inputs: [[null, 5, 7]], note: 'odd features' },
    { params: {}, inputs: [[null, null, 6]], note: 'variable length' },
  ],
});
