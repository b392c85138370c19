// A layer that returns a copy of its input (same data, a tensor of its own). The compiler puts
// one on the second and later slots of a layer fed the same tensor more than once (Concatenate
// of x with x, an LSTM started from one state on h0 and c0): tfjs-layers' executor frees a
// tensor after counting down once per input *slot* from a count of consuming *layers*, so
// without the copy predict() disposes x while a later block still needs it (see dedupeInputs in
// common.ts). A copy shares the data buffer, so it costs no memory and has no gradient effect.
import * as tf from '@tensorflow/tfjs';
import { tensorList, type LayerArgs } from './common';

export class TensorCopy extends tf.layers.Layer {
  static className = 'TensorCopy';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(tensorList(inputs)[0]!);
  }
}
tf.serialization.registerClass(TensorCopy);
