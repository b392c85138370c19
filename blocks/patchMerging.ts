// PatchMerging: the rearrangement of torchvision 0.14's Swin PatchMerging (its _patch_merging_pad)
// on a channels-last [N, H, W, C] map: zero-pad H and W to even, then concatenate the four 2×2
// neighbours x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2] along the channels →
// [N, ⌈H/2⌉, ⌈W/2⌉, 4C]. torchvision's LayerNorm(4C) and Linear(4C → 2C, no bias) that follow are
// the LayerNormalization and Dense blocks. That concatenation order is a reshape to
// [N, H/2, 2 (row), W/2, 2 (col), C] and a transpose to (col, row) order: channel block
// col·2 + row, which is why the layer and the ONNX graph are Reshape/Transpose only.
import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type PytorchSnippet, type Shape } from '../src/core/spec';
import { fmtShape, requireRank } from '../src/core/shapes';
import { singleShape, singleTensor } from '../src/core/layers/common';
import { first } from '../src/core/layers/onnx';
import { assign } from '../src/pytorch/emit';

function mapDims(x: Shape | undefined): { h: number; w: number; c: number } {
  const s = requireRank(x, 4, 'PatchMerging');
  const [, h, w, c] = s;
  if (h === null || w === null || c === null)
    throw new BlockError(`PatchMerging needs a known height, width and channel count, got ${fmtShape(s)}: odd sizes are padded, which is laid out from them`, { port: 'in' });
  return { h: h!, w: w!, c: c! };
}

const half = (d: number) => Math.ceil(d / 2);

// The tfjs layer: pad to even, reshape to 2×2 blocks, transpose to torchvision's order, flatten.
export class PatchMerging extends tf.layers.Layer {
  static className = 'PatchMerging';
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = singleShape(s);
    return [n ?? null, h == null ? null : half(h), w == null ? null : half(w), c == null ? null : 4 * c];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs) as tf.Tensor4D;
      const [b, h, w, c] = x.shape;
      const padded = h % 2 || w % 2 ? tf.pad(x, [[0, 0], [0, h % 2], [0, w % 2], [0, 0]]) : x;
      const blocks = tf.reshape(padded, [b, half(h), 2, half(w), 2, c]);
      return tf.reshape(tf.transpose(blocks, [0, 1, 3, 4, 2, 5]), [b, half(h), half(w), 4 * c]);
    });
  }
}

/** model.py's patch merging: torchvision's _patch_merging_pad on (N, H, W, C). */
const PATCH_MERGE_PY: PytorchSnippet = {
  name: 'patch_merge',
  source: String.raw`def patch_merge(x):
    """Swin's patch merging rearrangement: pad H, W to even, concat the 2x2 neighbours on channels."""
    H, W = x.shape[1], x.shape[2]
    x = F.pad(x, (0, 0, 0, W % 2, 0, H % 2))
    return torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
`,
};

export default defineBlock({
  type: 'PatchMerging',
  category: 'reshape',
  label: 'Patch merging',
  docs:
    "Swin Transformer's downsampling between stages: every 2 × 2 neighbourhood of the map [H, W, C] becomes one position with the four channel vectors concatenated, [⌈H/2⌉, ⌈W/2⌉, 4C] (odd sizes are zero-padded first). Follow it with LayerNormalization and a Dense to 2C without bias, as torchvision's PatchMerging does. No weights; the concatenation order is torchvision's (x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]).",
  params: {},
  inputs: () => [{ name: 'in', doc: 'The feature map [H, W, C] (channels last).' }],
  outputs: () => ['out'],
  inferShape([x]) {
    const { h, w, c } = mapDims(x);
    return [[x![0]!, half(h), half(w), 4 * c]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  tfjsLayers: [PatchMerging],
  toTfjs: ([x], _p, ctx) => [ctx.register(new PatchMerging({ name: ctx.name })).apply(x!) as never],
  toOnnx(ctx, { inputs, inputShapes }) {
    const { h, w, c } = mapDims(inputShapes[0]);
    let y = inputs[0]!;
    if (h % 2 || w % 2) y = first(ctx, 'Pad', [y, ctx.constInt64('even_pads', [0, 0, 0, 0, 0, h % 2, w % 2, 0], [8])]);
    y = first(ctx, 'Reshape', [y, ctx.constInt64('two_by_two', [-1, half(h), 2, half(w), 2, c], [6])]);
    y = first(ctx, 'Transpose', [y], { perm: { ints: [0, 1, 3, 4, 2, 5] } });
    return [first(ctx, 'Reshape', [y, ctx.constInt64('merged', [-1, half(h), half(w), 4 * c], [4])])];
  },
  pytorchPrelude: [PATCH_MERGE_PY],
  toPytorch: (a) => assign(a, `patch_merge(${a.inputs[0]})`),
  fixtures: [
    { params: {}, inputs: [[null, 4, 6, 3]], note: 'even' },
    { params: {}, inputs: [[null, 5, 7, 2]], note: 'odd height and width' },
    { params: {}, inputs: [[null, 1, 2, 5]], note: 'one row' },
  ],
});
