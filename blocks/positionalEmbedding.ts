import * as tf from '@tensorflow/tfjs';
import { defineBlock, type PytorchSnippet, type OnnxContext, type OnnxEmitArgs } from '../src/core/spec';
import { positionalShape } from '../src/core/layers/shapes';
import { pick, asIs, callMember } from '../src/pytorch/emit';
import { initializer, type LayerArgs } from '../src/core/layers/common';
import { dimOf, first, weight } from '../src/core/layers/onnx';

// The tfjs layer: adds rows 0…T−1 of a learned [maxLength, D] table to a [B, T, D] input (T ≤ maxLength).
export interface PositionalEmbeddingArgs extends LayerArgs {
  maxLength: number;
  /** Must equal the input's last dim when set (the positions are added). */
  outputDim?: number | null;
  embeddingsInitializer?: string;
}

export class PositionalEmbedding extends tf.layers.Layer {
  static className = 'PositionalEmbedding';
  readonly maxLength: number;
  readonly outputDim: number | null;
  readonly embeddingsInitializer: string | undefined;
  private embeddings: tf.LayerVariable | null = null;

  constructor(args: PositionalEmbeddingArgs) {
    super(args);
    this.maxLength = args.maxLength;
    this.outputDim = args.outputDim ?? null;
    this.embeddingsInitializer = args.embeddingsInitializer;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) throw new Error(`PositionalEmbedding maxLength must be an integer ≥ 1, got ${JSON.stringify(args.maxLength)}`);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return positionalShape(inputShape as tf.Shape, 'PositionalEmbedding', this.maxLength, this.outputDim);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = positionalShape(inputShape as tf.Shape, 'PositionalEmbedding', this.maxLength, this.outputDim);
    this.embeddings = this.addWeight('embeddings', [this.maxLength, s[2]!], 'float32', initializer(this.embeddingsInitializer), undefined, true);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      const [, t, d] = x.shape;
      if (t > this.maxLength)
        throw new Error(`PositionalEmbedding "${this.name}" got a sequence of ${t} steps but has maxLength ${this.maxLength}: raise maxLength or shorten the input`);
      return tf.add(x, tf.slice(this.embeddings!.read(), [0, 0], [t, d]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      maxLength: this.maxLength,
      outputDim: this.outputDim,
      ...(this.embeddingsInitializer ? { embeddingsInitializer: this.embeddingsInitializer } : {}),
    };
  }
}

/** PositionalEmbedding: x + embeddings[0:T] (T read from x at run time). */
function positionalEmbeddingOnnx(ctx: OnnxContext, args: OnnxEmitArgs<unknown>): string[] {
  const x = args.inputs[0]!;
  const table = weight(ctx, args.weights[0], 'PositionalEmbedding embeddings');
  const rows = first(ctx, 'Slice', [table, ctx.constInt64('start0', [0], [1]), dimOf(ctx, x, 1), ctx.constInt64('axis0', [0], [1])]);
  return [first(ctx, 'Add', [x, rows])];
}

/** model.py's PositionalEmbedding: adds the first T rows of a learned table. */
const POSITIONAL_EMBEDDING_PY: PytorchSnippet = {
  name: 'PositionalEmbedding',
  source: String.raw`class PositionalEmbedding(nn.Module):
    """Adds a learned embedding per position (the first T rows of a [maxLength, D] table)."""

    def __init__(self, max_length, dim):
        super().__init__()
        self.embeddings = nn.Parameter(torch.zeros(max_length, dim))

    def forward(self, x):
        return x + self.embeddings[: x.shape[1]]
`,
};

export default defineBlock({
  type: 'PositionalEmbedding',
  category: 'attention',
  label: 'Positional embedding',
  docs:
    'Adds a learned vector for each position to a sequence of feature vectors [batch, steps, features], so attention layers (which ignore order) can tell positions apart. Put it after an Embedding and before the first attention block. Unlike Keras-hub\'s PositionEmbedding, which returns the position vectors alone, this block returns input + positions; sequences longer than maxLength are rejected.',
  params: {
    maxLength: { kind: 'int', default: 128, min: 1, doc: 'Longest sequence it accepts (rows of the learned table).', key: true },
    outputDim: { kind: 'int', default: null, min: 1, nullable: true, doc: 'Size of each position vector; must equal the input\'s last dimension (unset: taken from the input).' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape: ([x], p) => [positionalShape(x, 'PositionalEmbedding', p.maxLength, p.outputDim)],
  paramCount: ([x], p) => ({ trainable: p.maxLength * x![2]!, nonTrainable: 0 }),
  macs: () => 0,
  tfjsLayers: [PositionalEmbedding],
  toTfjs: ([x], p, ctx) => [
    ctx.register(new PositionalEmbedding({ name: ctx.name, maxLength: p.maxLength, outputDim: p.outputDim, embeddingsInitializer: ctx.kernelInitializer })).apply(x!) as never,
  ],
  toOnnx: (ctx, args) => positionalEmbeddingOnnx(ctx, args),
  pytorchPrelude: [POSITIONAL_EMBEDDING_PY],
  toPytorch(a) {
    const e = pick(a.weights, 'embeddings', a.nodeId);
    return callMember(a, `PositionalEmbedding(${e.shape[0]}, ${e.shape[1]})`, { embeddings: asIs(e) });
  },
  fixtures: [
    { params: { maxLength: 10 }, inputs: [[null, 10, 4]] },
    { params: { maxLength: 20, outputDim: 6 }, inputs: [[null, 7, 6]] },
    { params: { maxLength: 16 }, inputs: [[null, null, 3]], note: 'variable length' },
  ],
});
