import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type PytorchSnippet } from '../src/core/spec';
import { fmtShape, requireRank } from '../src/core/shapes';
import { findWeight, weightInit } from '../src/onnx/ops';
import { asIs, callMember, pick } from '../src/pytorch/emit';
import { singleShape, singleTensor } from '../src/core/layers/common';

// The tfjs layer: prepends one learned [D] token to [N, T, D] → [N, T + 1, D] (ViT's class token, zeros
// at first as in torchvision).
export class ClassToken extends tf.layers.Layer {
  static className = 'ClassToken';
  private token: tf.LayerVariable | null = null;
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, t, d] = singleShape(s);
    return [n ?? null, t == null ? null : t + 1, d ?? null];
  }
  override build(s: tf.Shape | tf.Shape[]): void {
    const d = singleShape(s)[2];
    if (d == null) throw new Error(`ClassToken "${this.name}" needs a known feature size, got ${JSON.stringify(singleShape(s))}`);
    this.token = this.addWeight('class_token', [1, 1, d], 'float32', tf.initializers.zeros(), undefined, true);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      const tok = tf.tile(this.token!.read(), [x.shape[0]!, 1, 1]);
      return tf.concat([tok, x], 1);
    });
  }
}

function features(x: (number | null)[] | undefined): number {
  const s = requireRank(x, 3, 'ClassToken');
  if (s[2] === null) throw new BlockError(`ClassToken needs a known feature size, got ${fmtShape(s)}`, { port: 'in' });
  return s[2]!;
}

/** model.py's ClassToken: prepends a learned token. */
const CLASS_TOKEN_PY: PytorchSnippet = {
  name: 'ClassToken',
  source: String.raw`class ClassToken(nn.Module):
    """Prepends a learned [D] token to a [B, T, D] sequence (ViT's class token)."""

    def __init__(self, dim):
        super().__init__()
        self.token = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, x):
        return torch.cat([self.token.expand(x.shape[0], -1, -1), x], dim=1)
`,
};

export default defineBlock({
  type: 'ClassToken',
  category: 'attention',
  label: 'Class token',
  docs:
    "Prepends one learned token to a sequence: [T, D] → [T + 1, D]. In a Vision Transformer the image patches (Conv2D with stride = kernel = 16, then Reshape to [patches, D]) get this token in front, then positions are added and the transformer runs; the classifier reads the token's output (step 0). Initialised to zeros, as torchvision's ViT.",
  params: {},
  inputs: () => [{ name: 'in', doc: 'The sequence [T, D].' }],
  outputs: () => ['out'],
  inferShape([x]) {
    features(x);
    return [[null, x![1] === null ? null : x![1]! + 1, x![2]!]];
  },
  paramCount: ([x]) => ({ trainable: features(x), nonTrainable: 0 }),
  macs: () => 0,
  tfjsLayers: [ClassToken],
  toTfjs: ([x], _p, ctx) => [ctx.register(new ClassToken({ name: ctx.name })).apply(x!) as never],
  toOnnx(ctx, { nodeId, inputs, weights, inputShapes }) {
    // Expand the [1, 1, D] token to [N, 1, D] (N read at run time), then Concat along time.
    const x = inputs[0]!;
    const n = ctx.node('Slice', [ctx.node('Shape', [x])[0]!, ctx.constInt64('start', [0]), ctx.constInt64('end', [1])])[0]!;
    const shape = ctx.node('Concat', [n, ctx.constInt64('rest', [1, features(inputShapes[0])])], { axis: { i: 0 } })[0]!;
    const tok = ctx.node('Expand', [weightInit(ctx, 'class_token', findWeight(weights, 'class_token', nodeId)), shape])[0]!;
    return ctx.node('Concat', [tok, x], { axis: { i: 1 } });
  },
  pytorchPrelude: [CLASS_TOKEN_PY],
  toPytorch: (a) => callMember(a, `ClassToken(${features(a.inputShapes[0])})`, { token: asIs(pick(a.weights, 'class_token', a.nodeId)) }),
  fixtures: [
    { params: {}, inputs: [[null, 4, 6]] },
    { params: {}, inputs: [[null, 1, 3]] },
    // (An unknown T works too, but the contract test fills unknown dims alike in input and output.)
    { params: {}, inputs: [[null, 9, 16]] },
  ],
});
