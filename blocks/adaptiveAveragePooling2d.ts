import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type Shape } from '../src/core/spec';
import { fmtShape, requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { assign, py } from '../src/pytorch/emit';
import { transpose2d } from '../src/pytorch/weights';
import { singleShape, singleTensor, type LayerArgs } from '../src/core/layers/common';

// The tfjs layer: PyTorch's AdaptiveAvgPool2d to a fixed [oh, ow]. Output row i averages input rows
// ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 (the same for columns): two matrix products with constant averaging matrices.
/** The [out, len] matrix whose row i averages input positions ⌊i·len/out⌋ … ⌈(i+1)·len/out⌉ − 1. */
export function adaptiveMatrix(len: number, out: number): Float32Array {
  const m = new Float32Array(out * len);
  for (let i = 0; i < out; i++) {
    const a = Math.floor((i * len) / out);
    const b = Math.ceil(((i + 1) * len) / out);
    for (let j = a; j < b; j++) m[i * len + j] = 1 / (b - a);
  }
  return m;
}

export interface AdaptivePoolArgs extends LayerArgs {
  outputSize: number[];
}

export class AdaptiveAveragePooling2D extends tf.layers.Layer {
  static className = 'AdaptiveAveragePooling2D';
  readonly outputSize: number[];
  constructor(args: AdaptivePoolArgs) {
    super(args);
    this.outputSize = args.outputSize;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = singleShape(inputShape);
    return [s[0] ?? null, this.outputSize[0]!, this.outputSize[1]!, s[3] ?? null];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      const [oh, ow] = this.outputSize as [number, number];
      const ph = tf.tensor2d(adaptiveMatrix(h, oh), [oh, h]);
      const pw = tf.tensor2d(adaptiveMatrix(w, ow), [ow, w]);
      // rows (n, w, c) × H → oh, then rows (n, oh, c) × W → ow.
      const a = tf.matMul(tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [-1, h]), ph, false, true);
      const b = tf.transpose(tf.reshape(a, [n, w, c, oh]), [0, 3, 2, 1]);
      const y = tf.matMul(tf.reshape(b, [-1, w]), pw, false, true);
      return tf.transpose(tf.reshape(y, [n, oh, c, ow]), [0, 1, 3, 2]);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outputSize: this.outputSize };
  }
}

/** Height and width; adaptive windows depend on them, so both must be known. */
function spatial(x: Shape | undefined): [number, number] {
  const s = requireRank(x, 4, 'AdaptiveAveragePooling2D');
  if (s[1] === null || s[2] === null) throw new BlockError(`AdaptiveAveragePooling2D needs a known height and width, got ${fmtShape(s)} — its windows are computed from them`, { port: 'in' });
  return [s[1]!, s[2]!];
}

export default defineBlock({
  type: 'AdaptiveAveragePooling2D',
  category: 'pool',
  label: 'Adaptive avg pool 2D',
  docs:
    "Averages an image down to a fixed outputSize whatever its input size, as PyTorch's AdaptiveAvgPool2d: output row i averages input rows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 (windows may overlap when the size does not divide), the same for columns. torchvision's AlexNet and VGG pool to 7×7 before the classifier; outputSize 1×1 is a global average pooling that keeps the axes.",
  params: {
    outputSize: { kind: 'ints', length: 2, default: [7, 7], min: 1, doc: 'Output height and width.', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    spatial(x);
    return [[null, p.outputSize[0]!, p.outputSize[1]!, x![3]!]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  // Pooling has no multiply–accumulates by the summary's definition (see pooling.ts).
  macs: () => 0,
  tfjsLayers: [AdaptiveAveragePooling2D],
  toTfjs: ([x], p, ctx) => [ctx.register(new AdaptiveAveragePooling2D({ outputSize: p.outputSize, name: ctx.name })).apply(x!) as never],
  toOnnx(ctx, { params: p, inputs: [x], inputShapes: [xs] }) {
    // NHWC → [N, C, W, H] · Phᵀ → [N, C, W, oh] → [N, C, oh, W] · Pwᵀ → [N, C, oh, ow] → NHWC.
    const [h, w] = spatial(xs);
    const [oh, ow] = p.outputSize as [number, number];
    const ph = ctx.constFloat('rows', transpose2d(adaptiveMatrix(h, oh), oh, h).data, [h, oh]);
    const pw = ctx.constFloat('cols', transpose2d(adaptiveMatrix(w, ow), ow, w).data, [w, ow]);
    const t = ctx.node('Transpose', [x!], { perm: { ints: [0, 3, 2, 1] } })[0]!;
    const a = ctx.node('MatMul', [t, ph])[0]!;
    const b = ctx.node('MatMul', [ctx.node('Transpose', [a], { perm: { ints: [0, 1, 3, 2] } })[0]!, pw])[0]!;
    return ctx.node('Transpose', [b], { perm: { ints: [0, 2, 3, 1] } });
  },
  toPytorch: (a) => assign(a, `to_cl(F.adaptive_avg_pool2d(to_cf(${a.inputs[0]}), ${py(a.params.outputSize)}))`),
  fixtures: [
    ...grid({ outputSize: [1, 2, 3, [4, 2], 7] }, (params) => ({ params, inputs: [[null, 7, 9, 3]] })),
    { params: { outputSize: [5, 5] }, inputs: [[null, 13, 6, 2]], note: 'overlapping windows' },
    { params: { outputSize: [6, 4] }, inputs: [[null, 3, 2, 2]], note: 'upsamples' },
  ],
});
