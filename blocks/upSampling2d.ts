import { defineBlock, type OnnxAttr, type OnnxContext, type PytorchSnippet } from '../src/core/spec';
import { requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { toChannelsFirst, toChannelsLast } from '../src/onnx/ops';
import { assign } from '../src/pytorch/emit';

/** model.py's upsample_bilinear: tfjs' resizeBilinear (no half-pixel centres). */
const UPSAMPLE_BILINEAR_PY: PytorchSnippet = {
  name: 'upsample_bilinear',
  source: String.raw`def upsample_bilinear(x, sh, sw):
    """tfjs resizeBilinear (alignCorners false, no half-pixel centres): source = dst / size."""
    def axis(n, s, device):
        src = torch.arange(n * s, device=device, dtype=torch.float32) / s
        lo = torch.floor(src).long()
        hi = torch.clamp(lo + 1, max=n - 1)
        return lo, hi, (src - lo.float())
    b, h, w, c = x.shape
    y0, y1, fy = axis(h, sh, x.device)
    x0, x1, fx = axis(w, sw, x.device)
    top = x[:, y0] * (1 - fy)[None, :, None, None] + x[:, y1] * fy[None, :, None, None]
    return top[:, :, x0] * (1 - fx)[None, None, :, None] + top[:, :, x1] * fx[None, None, :, None]
`,
};

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
  toOnnx(ctx, { params: p, inputs: [x], inputShapes: [xs] }) {
    // Bilinear is two 1-D lerps, as plain Gather/Sub/Mul/Add on NHWC: onnxruntime's linear
    // Resize only takes scales on H, W of NCHW or NHWC, and its transpose optimizer pushes a
    // neighbouring Transpose (a Permute) through the Resize, moving the scales onto other axes,
    // which it then refuses at load time. Gather has no such restriction.
    if (p.interpolation === 'bilinear') {
      let y = x!;
      for (const axis of [1, 2]) y = lerpAxis(ctx, y, axis, p.size[axis - 1]!, xs?.[axis] ?? null);
      return [y];
    }
    // tfjs samples source = floor(dst / size) for nearest: ONNX's "asymmetric" transform.
    const t = toChannelsFirst(ctx, x!, 4);
    const scales = ctx.constFloat('scales', [1, 1, p.size[0]!, p.size[1]!], [4]);
    const attrs: Record<string, OnnxAttr> = { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' } };
    const y = ctx.node('Resize', [t, '', scales], attrs)[0]!;
    return [toChannelsLast(ctx, y, 4)];
  },
  pytorchPrelude: [UPSAMPLE_BILINEAR_PY],
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

/**
 * tfjs' bilinear resize along one NHWC axis of size n (null: read at run time), factor s: output
 * i reads source i / s, i.e. lo = ⌊i/s⌋, hi = min(lo + 1, n − 1), f = (i mod s) / s, and gives
 * x[lo] + (x[hi] − x[lo])·f, the same lerp tfjs computes.
 */
function lerpAxis(ctx: OnnxContext, x: string, axis: number, s: number, n: number | null): string {
  if (s === 1) return x;
  // f broadcasts over the axes after this one: [m, 1, 1] for H, [m, 1] for W.
  const fDims = (m: number) => [m, ...new Array<number>(3 - axis).fill(1)];
  let lo: string;
  let hi: string;
  let f: string;
  if (n !== null) {
    const idx = Array.from({ length: n * s }, (_, i) => i);
    lo = ctx.constInt64('lo', idx.map((i) => Math.floor(i / s)));
    hi = ctx.constInt64('hi', idx.map((i) => Math.min(Math.floor(i / s) + 1, n - 1)));
    f = ctx.constFloat('frac', idx.map((i) => (i % s) / s), fDims(n * s));
  } else {
    const size = ctx.node('Gather', [ctx.node('Shape', [x])[0]!, ctx.constInt64('axis', [axis], [])], { axis: { i: 0 } })[0]!;
    const S = ctx.constInt64('factor', [s], []);
    const one = ctx.constInt64('one', [1], []);
    const i = ctx.node('Range', [ctx.constInt64('zero', [0], []), ctx.node('Mul', [size, S])[0]!, one])[0]!;
    lo = ctx.node('Div', [i, S])[0]!;
    hi = ctx.node('Min', [ctx.node('Add', [lo, one])[0]!, ctx.node('Sub', [size, one])[0]!])[0]!;
    const frac = ctx.node('Div', [ctx.node('Cast', [ctx.node('Mod', [i, S])[0]!], { to: { i: 1 } })[0]!, ctx.constFloat('factor_f', [s], [])])[0]!;
    f = ctx.node('Reshape', [frac, ctx.constInt64('frac_shape', fDims(-1))])[0]!;
  }
  const a = ctx.node('Gather', [x, lo], { axis: { i: axis } })[0]!;
  const b = ctx.node('Gather', [x, hi], { axis: { i: axis } })[0]!;
  return ctx.node('Add', [a, ctx.node('Mul', [ctx.node('Sub', [b, a])[0]!, f])[0]!])[0]!;
}
