// Shape helpers shared by the blocks. These mirror tfjs-layers' own arithmetic
// (conv_utils.convOutputLength / deconvLength) so inferred shapes equal what tfjs computes.
import { BlockError, type Dim, type Shape } from './spec';

/** How a shape is written: brackets, separator, an unknown dimension, and (optionally) the batch axis. */
export interface ShapeStyle {
  open: string;
  close: string;
  sep: string;
  unknown: string;
  /** Written for axis 0 whatever its size (PyTorch comments: "B"). */
  batch?: string;
}

const MESSAGE_STYLE: ShapeStyle = { open: '[', close: ']', sep: ', ', unknown: 'null' };

/** Dimensions as text in a style: the one shape formatter of messages, code comments and the UI. */
export function formatDims(dims: readonly Dim[], style: ShapeStyle): string {
  const text = dims.map((d, i) => (i === 0 && style.batch !== undefined ? style.batch : d === null ? style.unknown : String(d)));
  return `${style.open}${text.join(style.sep)}${style.close}`;
}

/** A shape as messages quote it: "[null, 28, 28, 1]". */
export function fmtShape(s: Shape | undefined): string {
  if (!s) return '(none)';
  return formatDims(s, MESSAGE_STYLE);
}

/** Output length of a convolution or pooling window along one axis (tfjs' convOutputLength). */
export function convOutputLength(input: Dim, kernel: number, padding: string, stride: number, dilation = 1): Dim {
  if (input === null) return null;
  const dilated = kernel + (kernel - 1) * (dilation - 1);
  const len = padding === 'same' || padding === 'causal' ? input : input - dilated + 1;
  return Math.floor((len + stride - 1) / stride);
}

/** Output length of a transposed convolution along one axis (tfjs' deconvLength). */
export function deconvLength(input: Dim, stride: number, kernel: number, padding: string): Dim {
  if (input === null) return null;
  return padding === 'valid' ? input * stride + Math.max(kernel - stride, 0) : input * stride;
}

/** Requires one fed input of the given rank (batch included); names what it got otherwise. */
export function requireRank(shape: Shape | undefined, rank: number | number[], what: string, port = 'in'): Shape {
  if (!shape) throw new BlockError(`input "${port}" is not connected: connect a tensor to it`, { port });
  const ranks = Array.isArray(rank) ? rank : [rank];
  if (!ranks.includes(shape.length)) {
    const want = ranks.map((r) => `${r - 1}-D (${r} with batch)`).join(' or ');
    throw new BlockError(`${what} needs a ${want} input on "${port}", got ${fmtShape(shape)}${hintForRank(shape, ranks)}`, { port });
  }
  return shape;
}

function hintForRank(shape: Shape, ranks: number[]): string {
  const want = Math.max(...ranks);
  if (shape.length > want) return ' — add a Flatten, a global pooling or a Reshape before it';
  if (shape.length < want) return ' — add a Reshape (or an Embedding for token ids) before it';
  return '';
}

/** Ensures every output dim is positive; names the param that would fix it. */
export function requirePositive(shape: Shape, what: string, param?: string): Shape {
  for (const d of shape.slice(1)) {
    if (d !== null && d <= 0) {
      throw new BlockError(`${what} gives output shape ${fmtShape(shape)}: a dimension ≤ 0. The window is larger than its input — use a smaller ${param ?? 'kernel'}, padding "same", or a larger input`, param ? { param } : {});
    }
  }
  return shape;
}

export function prod(dims: Dim[]): number {
  let n = 1;
  for (const d of dims) n *= d ?? 1;
  return n;
}

/** Product of known dims; null when any is unknown. */
export function prodKnown(dims: Dim[]): number | null {
  let n = 1;
  for (const d of dims) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

export function lastDim(shape: Shape, what: string, port = 'in'): number {
  const d = shape[shape.length - 1];
  if (d === null || d === undefined) throw new BlockError(`${what} needs a known last dimension on "${port}", got ${fmtShape(shape)}`, { port });
  return d;
}

/**
 * Activation names (the Activation block and every activation param take these): tfjs' own, plus
 * hardSwish, hardSigmoidTorch and geluTanh, which src/core/layers/activations.ts registers.
 * swish is x·sigmoid(x) = PyTorch's SiLU; hardSigmoid is Keras' clip(0.2x + 0.5, 0, 1), while
 * hardSigmoidTorch is PyTorch's relu6(x + 3)/6; gelu is exact (erf), geluTanh the tanh approximation.
 */
export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'gelu', 'geluTanh', 'sigmoid', 'hardSigmoid', 'hardSigmoidTorch', 'hardSwish', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
