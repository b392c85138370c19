import { defineBlock, type OnnxAttr } from '../src/core/spec';
import { requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { toChannelsFirst, toChannelsLast } from '../src/onnx/ops';
import { assign } from '../src/pytorch/emit';

export default defineBlock({
  type: 'UpSampling2D',
  category: 'reshape',
  label: 'Up Sampling 2D',
  docs:
    'Enlarges an image by whole factors along height and width, with no weights: "nearest" repeats each pixel, "bilinear" interpolates between neighbours. Use it in decoders and U-Nets (often followed by a Conv2D) as a cheaper, checkerboard-free alternative to Conv2DTranspose.',
  params: {
    size: { kind: 'ints', length: 2, default: [2, 2], doc: 'Upsampling factor along height and width.', key: true },
    interpolation: {
      kind: 'enum',
      options: ['nearest', 'bilinear'],
      default: 'nearest',
      doc: '"nearest" repeats pixels; "bilinear" interpolates (tfjs\' resizeBilinear without align-corners or half-pixel centers).',
      key: true,
    },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    const s = requireRank(x, 4, 'UpSampling2D');
    return [[null, s[1] === null ? null : s[1]! * p.size[0]!, s[2] === null ? null : s[2]! * p.size[1]!, s[3]!]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  // Resampling has no learned multiply–accumulates (bilinear's interpolation weights are fixed).
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [
    ctx.register(
      ctx.tf.layers.upSampling2d({ size: p.size, interpolation: p.interpolation as 'nearest' | 'bilinear', name: ctx.name }),
    ).apply(x!) as never,
  ],
  toOnnx(ctx, { params: p, inputs: [x] }) {
    // tfjs samples source = floor(dst / size) for nearest and dst / size (then linear between
    // the two neighbours, clamped at the edge) for bilinear: ONNX's "asymmetric" transform.
    const t = toChannelsFirst(ctx, x!, 4);
    const scales = ctx.constFloat('scales', [1, 1, p.size[0]!, p.size[1]!], [4]);
    const attrs: Record<string, OnnxAttr> =
      p.interpolation === 'nearest'
        ? { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' } }
        : { mode: { s: 'linear' }, coordinate_transformation_mode: { s: 'asymmetric' } };
    const y = ctx.node('Resize', [t, '', scales], attrs)[0]!;
    return [toChannelsLast(ctx, y, 4)];
  },
  toPytorch(a) {
    const [sh, sw] = a.params.size;
    const x = a.inputs[0]!;
    return assign(a, a.params.interpolation === 'bilinear' ? `upsample_bilinear(${x}, ${sh}, ${sw})` : `${x}.repeat_interleave(${sh}, dim=1).repeat_interleave(${sw}, dim=2)`);
  },
  fixtures: [
    ...grid({ size: [1, 2, 3, [2, 3], [1, 4]], interpolation: ['nearest', 'bilinear'] }, (params) => ({
      params,
      inputs: [[null, 5, 7, 3]],
    })),
    { params: { size: 2, interpolation: 'bilinear' }, inputs: [[null, 1, 1, 2]], note: 'single pixel' },
  ],
});
