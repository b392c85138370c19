// Position information for sequence models, as tfjs layers. Both ADD positions to a [B, T, D]
// input and return the sum (Keras-hub's PositionEmbedding / SinePositionEncoding return the
// positions alone; adding them is what a block canvas wants: token embeddings → + positions →
// attention, with no extra Add block).
//   PositionalEmbedding: a learned [maxLength, D] table; rows 0…T−1 are added. T ≤ maxLength.
//   SinePositionEncoding: the fixed sinusoidal encoding of "Attention Is All You Need" (Keras-hub
//   layout: even features sin, odd features cos, timescale maxWavelength^(−2⌊j/2⌋/D)); no weights.
import * as tf from '@tensorflow/tfjs';
import { initializer, type LayerArgs } from './common';
import { positionalShape, sineEncoding } from './shapes';

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

tf.serialization.registerClass(PositionalEmbedding);
tf.serialization.registerClass(SinePositionEncoding);
