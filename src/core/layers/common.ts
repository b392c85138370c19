// Small pieces shared by the custom layers: the constructor-args type, initializers by name,
// the additive causal mask, and getting a tfjs Shape list out of computeOutputShape's argument.
import * as tf from '@tensorflow/tfjs';
import type { Shape } from '../spec';
import { SCALED_NORMALS } from './scaledNormal';

export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
export type Kwargs = Record<string, unknown>;
export type Init = ReturnType<typeof tf.initializers.ones>;

/**
 * The additive mask value Keras uses for float32: masked scores get −1e9 added, so their softmax
 * weight underflows to exactly 0. The ONNX export adds the same constant.
 */
export const MASK_VALUE = -1e9;

const INITIALIZERS: Record<string, () => Init> = {
  glorotUniform: () => tf.initializers.glorotUniform({}),
  glorotNormal: () => tf.initializers.glorotNormal({}),
  heUniform: () => tf.initializers.heUniform({}),
  heNormal: () => tf.initializers.heNormal({}),
  leCunUniform: () => tf.initializers.leCunUniform({}),
  leCunNormal: () => tf.initializers.leCunNormal({}),
  randomNormal: () => tf.initializers.randomNormal({}),
  randomUniform: () => tf.initializers.randomUniform({}),
  truncatedNormal: () => tf.initializers.truncatedNormal({}),
  zeros: () => tf.initializers.zeros(),
  ones: () => tf.initializers.ones(),
  'normal0.01': () => new SCALED_NORMALS['normal0.01']() as unknown as Init,
  normal1: () => new SCALED_NORMALS.normal1() as unknown as Init,
};

/** An initializer from its tfjs name (the training config's kernelInitializer); glorotUniform otherwise. */
export function initializer(name: string | undefined): Init {
  const make = name ? INITIALIZERS[name] : undefined;
  if (name && !make) throw new Error(`unknown initializer "${name}": use one of ${Object.keys(INITIALIZERS).join(', ')}`);
  return (make ?? INITIALIZERS.glorotUniform!)();
}

/** [Tq, Tv] additive causal mask as plain numbers: 0 where key j ≤ query i, MASK_VALUE after. */
export function causalMaskData(tq: number, tv: number): Float32Array {
  const m = new Float32Array(tq * tv);
  for (let i = 0; i < tq; i++) for (let j = i + 1; j < tv; j++) m[i * tv + j] = MASK_VALUE;
  return m;
}

export function causalMask(tq: number, tv: number): tf.Tensor2D {
  return tf.tensor2d(causalMaskData(tq, tv), [tq, tv]);
}

/** computeOutputShape receives one shape or a list; normalises to a list of our Shape type. */
export function shapeList(inputShape: tf.Shape | tf.Shape[]): Shape[] {
  if (Array.isArray(inputShape[0]) || inputShape.length === 0) return inputShape as Shape[];
  return [inputShape as Shape];
}

/** The one input of a single-input layer (call gets it alone or in a list). */
export function singleTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

/** The one input shape of a single-input layer (computeOutputShape gets it alone or in a list). */
export function singleShape(s: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
}

export function tensorList(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

/**
 * tfjs-layers' executor (4.22) frees a tensor once its count of consuming *layers* reaches zero
 * but counts down once per *input slot*, so a layer fed the same tensor on two ports (self-
 * attention: query = value = x) frees x too early when x has other consumers, and predict()
 * then fails on a disposed tensor. So the blocks apply a layer to the distinct tensors only and
 * tell it which one feeds each port: `portInputs[k]` is the index of port k's tensor (null when
 * every port has its own tensor, in order).
 */
export function dedupeInputs<T>(xs: T[]): { unique: T[]; portInputs: number[] | null } {
  const unique: T[] = [];
  const portInputs = xs.map((x) => {
    const i = unique.indexOf(x);
    if (i >= 0) return i;
    unique.push(x);
    return unique.length - 1;
  });
  return { unique, portInputs: unique.length === xs.length ? null : portInputs };
}

/** The per-port list back from the distinct inputs (see dedupeInputs). */
export function byPort<T>(xs: T[], portInputs: number[] | null | undefined): T[] {
  if (!portInputs) return xs;
  return portInputs.map((i) => {
    const x = xs[i];
    if (x === undefined) throw new Error(`portInputs refers to input ${i} but the layer got ${xs.length} input(s)`);
    return x;
  });
}
