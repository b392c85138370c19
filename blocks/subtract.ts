import * as tf from '@tensorflow/tfjs';
import { defineBlock, type Shape } from '../src/core/spec';
import { broadcastShapes, mergeBlock } from '../src/core/merge';

/**
 * in0 − in1. tfjs 4.22 exports no Subtract layer (Add, Multiply, Average, Maximum only), so this
 * is a small weightless custom layer under Keras' class name; the registry (tfjsLayers) lets saved models
 * reload. Shapes broadcast as tfjs' other merge layers do (equal, or 1, per axis).
 */
export class Subtract extends tf.layers.Layer {
  static className = 'Subtract';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shapes = inputShape as Shape[];
    if (!Array.isArray(shapes[0]) || shapes.length !== 2) throw new Error(`Subtract needs exactly 2 inputs, got ${JSON.stringify(inputShape)}`);
    const out = broadcastShapes(shapes, 'Subtract');
    out[0] = shapes[0]![0] ?? shapes[1]![0] ?? null;
    return out;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const xs = inputs as tf.Tensor[];
    if (!Array.isArray(xs) || xs.length !== 2) throw new Error(`Subtract needs exactly 2 inputs, got ${Array.isArray(xs) ? xs.length : 1}`);
    return tf.sub(xs[0]!, xs[1]!);
  }
}

export default defineBlock({
  ...mergeBlock({
    type: 'Subtract',
    label: 'Subtract',
    docs: 'Subtracts its second input from its first, element-wise (in0 − in1). Both must have the same shape. Useful for difference features, e.g. comparing two embeddings in a siamese network.',
    layer: (_tf, name) => new Subtract({ name }),
    onnxOp: 'Sub',
    torch: (xs) => `${xs[0]} - ${xs[1]}`,
    exactly: 2,
  }),
  tfjsLayers: [Subtract],
});
