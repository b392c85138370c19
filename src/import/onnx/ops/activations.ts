// Activations: element-wise ops that are an Activation block (or fuse into the Conv2D / Dense /
// DepthwiseConv2D that made their input), LeakyReLU, and Softmax along one axis. Gates written as
// x · sigmoid(x) / x · hardsigmoid(x) become swish / hardSwish in merge.ts.
import { inputsOf, type Converter, type OpImporter, type OpTable } from '../converter';
import { NCHW_TO_OURS } from '../layout';
import { Unsupported, attrFloat, attrInt, attrString } from '../proto';
import { describeLayout, scalarOf, type TensorVal } from '../values';
import { attentionSoftmax } from './seqAttention';

const SELU_ALPHA = 1.6732632423543772;
const SELU_GAMMA = 1.0507009873554805;

/**
 * Puts an activation on the block that made `t` when that block is a fresh Conv/Dense with no
 * activation and nothing else reads its output; returns undefined when it cannot.
 */
function fuse(cv: Converter, t: TensorVal, activation: string): TensorVal | undefined {
  if (!cv.soleUse(t.ref) || t.ref.port !== 'out') return undefined;
  const n = cv.node(t.ref.node);
  if (!n || !['Conv2D', 'Dense', 'DepthwiseConv2D', 'Conv1D', 'Conv2DTranspose'].includes(n.type) || (n.params?.activation ?? 'linear') !== 'linear') return undefined;
  // Only the value the block itself produced (no relayout in between): Dense on a time-major
  // value would still be exact, but keep it simple and obvious.
  n.params = { ...n.params, activation };
  return { ...t };
}

/** Activation `name` of input `inName`; `nonNeg`: its output is never negative. */
export function activation(cv: Converter, inName: string, name: string, nonNeg: boolean): TensorVal {
  const t = cv.tensor(inName);
  const fused = fuse(cv, t, name);
  if (fused) return { ...fused, nonNeg };
  const id = cv.add('Activation', { activation: name }, [t.ref]);
  return { ...t, ref: { node: id, port: 'out' }, nonNeg };
}

/** An op that is exactly the tfjs activation `name`. */
const simple =
  (name: string, nonNeg: boolean): OpImporter =>
  (cv, n) =>
    activation(cv, inputsOf(n)[0]!, name, nonNeg);

const elu: OpImporter = (cv, n, a) => {
  const alpha = attrFloat(a, 'alpha', 1);
  if (Math.abs(alpha - 1) > 1e-7) throw new Unsupported(`Elu alpha ${alpha}: tfjs' elu has alpha 1 only`);
  return activation(cv, inputsOf(n)[0]!, 'elu', false);
};

const selu: OpImporter = (cv, n, a) => {
  const alpha = attrFloat(a, 'alpha', SELU_ALPHA);
  const gamma = attrFloat(a, 'gamma', SELU_GAMMA);
  if (Math.abs(alpha - SELU_ALPHA) > 1e-5 || Math.abs(gamma - SELU_GAMMA) > 1e-5) throw new Unsupported(`Selu alpha ${alpha}, gamma ${gamma}: tfjs' selu uses the standard constants only`);
  return activation(cv, inputsOf(n)[0]!, 'selu', false);
};

/** clip(alpha·x + beta, 0, 1): Keras' (0.2, 0.5) or PyTorch's Hardsigmoid (1/6, 0.5). */
const hardSigmoid: OpImporter = (cv, n, a) => {
  const alpha = attrFloat(a, 'alpha', 0.2);
  const beta = attrFloat(a, 'beta', 0.5);
  const near = (p: number, q: number) => Math.abs(p - q) <= 1e-6;
  if (near(beta, 0.5) && near(alpha, 1 / 6)) return activation(cv, inputsOf(n)[0]!, 'hardSigmoidTorch', true);
  if (near(beta, 0.5) && near(alpha, 0.2)) return activation(cv, inputsOf(n)[0]!, 'hardSigmoid', true);
  throw new Unsupported(`HardSigmoid alpha ${alpha}, beta ${beta} has no block: only clip(x/6 + 0.5, 0, 1) (PyTorch's Hardsigmoid → hardSigmoidTorch) and clip(0.2·x + 0.5, 0, 1) (Keras' → hardSigmoid) are mapped`);
};

const clip: OpImporter = (cv, n, a) => {
  const inp = n.input ?? [];
  const lo = inp[1] ? scalarOf(cv.constant(inp[1], 'Clip min'), 'Clip min') : a.has('min') ? attrFloat(a, 'min', 0) : -Infinity;
  const hi = inp[2] ? scalarOf(cv.constant(inp[2], 'Clip max'), 'Clip max') : a.has('max') ? attrFloat(a, 'max', 0) : Infinity;
  if (lo === 0 && hi === 6) return activation(cv, inp[0]!, 'relu6', true);
  if (lo === 0 && hi === Infinity) return activation(cv, inp[0]!, 'relu', true);
  throw new Unsupported(`Clip(${lo}, ${hi}) has no block (only Clip(0, 6) = relu6 and Clip(0, ∞) = relu)`);
};

/** ONNX Gelu (opset 20, and the exact-GELU subgraph patterns.ts fuses): gelu or geluTanh. */
const gelu: OpImporter = (cv, n, a) => {
  const approximate = attrString(a, 'approximate') ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new Unsupported(`Gelu approximate "${approximate}" is not an ONNX value ("none" or "tanh")`);
  return activation(cv, inputsOf(n)[0]!, approximate === 'tanh' ? 'geluTanh' : 'gelu', false);
};

const leakyRelu: OpImporter = (cv, n, a) => {
  const t = cv.tensor(inputsOf(n)[0]!);
  const id = cv.add('LeakyReLU', { alpha: attrFloat(a, 'alpha', 0.01) }, [t.ref]);
  return { ...t, ref: { node: id, port: 'out' }, nonNeg: false };
};

const softmax: OpImporter = (cv, n, a) => {
  const t = cv.tensor(inputsOf(n)[0]!);
  const rank = t.shape.length;
  let axis = attrInt(a, 'axis', cv.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (cv.opset < 13 && axis !== rank - 1) throw new Unsupported(`Softmax (opset ${cv.opset}) on axis ${axis} of a rank-${rank} tensor normalises the flattened tail; only the last axis is mapped`);
  if (axis === 0) throw new Unsupported('Softmax over the batch axis has no block');
  if (t.layout === 'scores') return attentionSoftmax(cv, t, axis);
  let ours: number;
  if (t.layout === 'plain') ours = axis;
  else if (t.layout === 'nchw') ours = NCHW_TO_OURS[axis]!;
  else if (t.layout === 'pooled' && axis === 1) ours = 1;
  else throw new Unsupported(`Softmax on axis ${axis} of ${describeLayout(t.layout)} is not mapped`);
  const id = cv.add('Softmax', { axis: ours === (t.layout === 'pooled' ? 1 : rank - 1) ? -1 : ours }, [t.ref]);
  return { ...t, ref: { node: id, port: 'out' }, nonNeg: true };
};

export const ACTIVATION_OPS: OpTable = {
  Relu: simple('relu', true),
  Sigmoid: simple('sigmoid', true),
  Tanh: simple('tanh', false),
  Softplus: simple('softplus', true),
  Softsign: simple('softsign', false),
  Elu: elu,
  Selu: selu,
  HardSigmoid: hardSigmoid,
  HardSwish: simple('hardSwish', false),
  Clip: clip,
  Gelu: gelu,
  LeakyRelu: leakyRelu,
  Softmax: softmax,
};
