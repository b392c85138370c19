// The losses and accuracy counts the loop and the evaluation share (tf tensors; call inside tidy).
import * as tf from '@tensorflow/tfjs';
import type { LossName } from './config';

const EPS = 1e-7;

/** Mean loss of one output (tf tensors; call inside tidy). */
export function lossValue(name: LossName, yTrue: tf.Tensor, yPred: tf.Tensor, ignore?: number): tf.Scalar {
  switch (name) {
    case 'sparseCategoricalCrossentropy': {
      const C = yPred.shape[yPred.shape.length - 1]!;
      const oh = tf.oneHot(yTrue.flatten(), C).reshape(yPred.shape);
      const nll = tf.neg(tf.sum(tf.mul(oh, tf.log(tf.clipByValue(yPred, EPS, 1 - EPS))), -1));
      if (ignore === undefined) return tf.mean(nll);
      // The mean over the labelled positions only (a batch with none counts 0).
      const w = tf.notEqual(yTrue.reshape(nll.shape), ignore).toFloat();
      return tf.div(tf.sum(tf.mul(nll, w)), tf.maximum(tf.sum(w), 1)) as tf.Scalar;
    }
    case 'categoricalCrossentropy':
      return tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(yPred, EPS, 1 - EPS))), -1))) as tf.Scalar;
    case 'binaryCrossentropy': {
      const p = tf.clipByValue(yPred, EPS, 1 - EPS);
      return tf.neg(tf.mean(tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p)))))) as tf.Scalar;
    }
    case 'meanSquaredError':
      return tf.mean(tf.square(tf.sub(yPred, yTrue)));
    case 'meanAbsoluteError':
      return tf.mean(tf.abs(tf.sub(yPred, yTrue)));
  }
}

/** Fraction correct for classification losses; undefined for regression. */
export function accuracyCount(name: LossName, yTrue: tf.Tensor, yPred: tf.Tensor, ignore?: number): { correct: tf.Scalar; total: tf.Scalar } | undefined {
  if (name === 'sparseCategoricalCrossentropy') {
    const truth = yTrue.reshape(yPred.shape.slice(0, -1));
    const eq = tf.equal(tf.argMax(yPred, -1), truth).toFloat();
    if (ignore === undefined) return { correct: tf.sum(eq), total: tf.scalar(eq.size) };
    const w = tf.notEqual(truth, ignore).toFloat();
    return { correct: tf.sum(tf.mul(eq, w)), total: tf.sum(w) };
  }
  if (name === 'categoricalCrossentropy') {
    const eq = tf.equal(tf.argMax(yPred, -1), tf.argMax(yTrue, -1));
    return { correct: tf.sum(eq.toFloat()), total: tf.scalar(eq.size) };
  }
  if (name === 'binaryCrossentropy') {
    const eq = tf.equal(tf.greater(yPred, 0.5), tf.greater(yTrue, 0.5));
    return { correct: tf.sum(eq.toFloat()), total: tf.scalar(eq.size) };
  }
  return undefined;
}
