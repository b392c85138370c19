// Shared ONNX emission helpers for the blocks' toOnnx methods: activations exactly as tfjs
// computes them, the NHWC ↔ channels-first Transposes around conv/pool ops, padding, and weight
// layout conversion (tfjs kernels are channels-last; ONNX wants [out, in, k…]).
// Pure TypeScript: no Node-only APIs (the exporter runs in the browser too).
import type { ActivationName } from '../core/shapes';
import type { BlockWeight, OnnxContext, OnnxTensorValue } from '../core/spec';

// tfjs-core's SELU constants (selu_util.ts): selu(x) = scale·x for x > 0, scaleAlpha·(eˣ − 1)
// otherwise. ONNX Selu is gamma·x / gamma·alpha·(eˣ − 1), so alpha = scaleAlpha / scale.
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473768;

/**
 * Emits `activation(x)` exactly as tfjs-layers computes it; returns the output value name
 * (x itself for "linear"). Formulas follow tfjs-layers' activations.js:
 * - hardSigmoid: clip(0.2·x + 0.5, 0, 1) → HardSigmoid with alpha 0.2, beta 0.5 set explicitly
 *   (ONNX's default alpha is 0.2 too, but we never rely on defaults).
 * - gelu: tfjs uses the exact erf form x·0.5·(1 + erf(x/√2)); ONNX Gelu needs opset 20, so it is
 *   spelt out with Div/Erf/Add/Mul in the same order.
 * - swish: x·sigmoid(x); mish: x·tanh(softplus(x)); relu6: min(relu(x), 6) = Clip(x, 0, 6).
 * - elu: alpha 1 (tfjs supports only 1); selu: tfjs' constants.
 * - softmax: over the last axis (opset 13+ Softmax normalises along `axis` only).
 */
export function emitActivation(ctx: OnnxContext, activation: ActivationName | string, x: string): string {
  const one = (op: string, attrs?: Parameters<OnnxContext['node']>[2]) => ctx.node(op, [x], attrs)[0]!;
  switch (activation as ActivationName) {
    case 'linear':
      return x;
    case 'relu':
      return one('Relu');
    case 'relu6':
      return ctx.node('Clip', [x, ctx.constFloat('zero', [0], []), ctx.constFloat('six', [6], [])])[0]!;
    case 'elu':
      return one('Elu', { alpha: { f: 1 } });
    case 'selu':
      return one('Selu', { alpha: { f: SELU_SCALE_ALPHA / SELU_SCALE }, gamma: { f: SELU_SCALE } });
    case 'gelu': {
      const scaled = ctx.node('Div', [x, ctx.constFloat('sqrt2', [Math.SQRT2], [])])[0]!;
      const erf = ctx.node('Erf', [scaled])[0]!;
      const plus = ctx.node('Add', [ctx.constFloat('one', [1], []), erf])[0]!;
      const cdf = ctx.node('Mul', [ctx.constFloat('half', [0.5], []), plus])[0]!;
      return ctx.node('Mul', [x, cdf])[0]!;
    }
    case 'geluTanh': {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as tfjs' gelu_new and torch's approximate="tanh".
      const cube = ctx.node('Mul', [x, ctx.node('Mul', [x, x])[0]!])[0]!;
      const inner = ctx.node('Add', [x, ctx.node('Mul', [ctx.constFloat('c', [0.044715], []), cube])[0]!])[0]!;
      const t = ctx.node('Tanh', [ctx.node('Mul', [ctx.constFloat('k', [Math.sqrt(2 / Math.PI)], []), inner])[0]!])[0]!;
      const half = ctx.node('Mul', [ctx.constFloat('half', [0.5], []), x])[0]!;
      return ctx.node('Mul', [half, ctx.node('Add', [ctx.constFloat('one', [1], []), t])[0]!])[0]!;
    }
    case 'hardSigmoidTorch':
      return one('HardSigmoid', { alpha: { f: 1 / 6 }, beta: { f: 0.5 } });
    case 'hardSwish':
      return one('HardSwish');
    case 'sigmoid':
      return one('Sigmoid');
    case 'hardSigmoid':
      return one('HardSigmoid', { alpha: { f: 0.2 }, beta: { f: 0.5 } });
    case 'tanh':
      return one('Tanh');
    case 'softmax':
      return one('Softmax', { axis: { i: -1 } });
    case 'softplus':
      return one('Softplus');
    case 'softsign':
      return one('Softsign');
    case 'swish': {
      const s = one('Sigmoid');
      return ctx.node('Mul', [s, x])[0]!;
    }
    case 'mish': {
      const sp = one('Softplus');
      const t = ctx.node('Tanh', [sp])[0]!;
      return ctx.node('Mul', [x, t])[0]!;
    }
    default:
      throw new Error(`no ONNX emission for activation ${JSON.stringify(activation)}: add it to emitActivation in src/onnx/ops.ts`);
  }
}

// ---------------------------------------------------------------------------------------------
// Layout: tensors stay channels-last (NHWC, NWC, NDHWC) at the ONNX interface and between blocks;
// a conv/pool block converts to channels-first around its op and back.
// ---------------------------------------------------------------------------------------------

/** Permutation channels-last → channels-first for a tensor of `rank` (batch included). */
export function toChannelsFirstPerm(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}
/** Permutation channels-first → channels-last for a tensor of `rank`. */
export function toChannelsLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** NHWC → NCHW (or NWC → NCW for rank 3). */
export function toChannelsFirst(ctx: OnnxContext, x: string, rank: number): string {
  return ctx.node('Transpose', [x], { perm: { ints: toChannelsFirstPerm(rank) } })[0]!;
}
/** NCHW → NHWC (or NCW → NWC for rank 3). */
export function toChannelsLast(ctx: OnnxContext, x: string, rank: number): string {
  return ctx.node('Transpose', [x], { perm: { ints: toChannelsLastPerm(rank) } })[0]!;
}

/**
 * Wraps a channels-first op: transposes `x` (channels-last, `rank` with batch) to channels-first,
 * calls `body` with the channels-first name, and transposes its result back.
 */
export function channelsFirst(ctx: OnnxContext, x: string, rank: number, body: (xcf: string) => string): string {
  return toChannelsLast(ctx, body(toChannelsFirst(ctx, x, rank)), rank);
}

/**
 * ONNX `pads` for tfjs' padding ("valid" → zeros; "same" → TF's SAME: total = max((⌈in/s⌉−1)·s +
 * (k−1)·d + 1 − in, 0), the extra pixel at the end). Returns begins for every spatial axis then
 * ends, as ONNX wants. With stride 1 the total is (k−1)·d whatever the size, so an unknown size
 * still gets explicit pads. Only an unknown size with a stride > 1 falls back to auto_pad
 * SAME_UPPER (the same split at run time); onnxruntime refuses SAME_UPPER with dilations > 1,
 * which tfjs never combines with strides > 1 (see checkStridesDilation in blocks/convCommon.ts),
 * and a negative total, which a stride above the window's span can give: callers pad at run time
 * then (needsRuntimePads, emitRuntimeSamePad).
 */
export function convPadAttrs(
  spatialIn: (number | null)[],
  kernel: number[],
  strides: number[],
  dilations: number[],
  padding: string,
): { pads: { ints: number[] } } | { auto_pad: { s: string } } {
  const n = kernel.length;
  if (padding === 'valid') return { pads: { ints: new Array<number>(2 * n).fill(0) } };
  if (padding !== 'same') throw new Error(`convPadAttrs: padding ${JSON.stringify(padding)} is not "valid" or "same" (causal padding is a Pad before the op)`);
  const dynamic = spatialIn.some((d, i) => d === null && (strides[i] ?? 1) > 1);
  if (dynamic) {
    if (dilations.some((d) => d > 1))
      throw new Error(`"same" padding with strides ${JSON.stringify(strides)} and dilations ${JSON.stringify(dilations)} on an unknown size has no ONNX form onnxruntime runs (SAME_UPPER refuses dilations)`);
    return { auto_pad: { s: 'SAME_UPPER' } };
  }
  const begins: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    const input = spatialIn[i] ?? null;
    const s = strides[i]!;
    const eff = (kernel[i]! - 1) * (dilations[i] ?? 1) + 1;
    // input === null only with stride 1 here: ⌈in/1⌉ = in, so the total is eff − 1.
    const total = input === null ? eff - 1 : Math.max((Math.ceil(input / s) - 1) * s + eff - input, 0);
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
  }
  return { pads: { ints: [...begins, ...ends] } };
}

/**
 * Whether "same" padding needs pads computed at run time: where convPadAttrs would fall back to
 * SAME_UPPER (an unknown size with a stride > 1) and some axis — that one or a known one, since
 * SAME_UPPER computes every axis — has a stride above the window's span. There TF's total
 * (⌈in/s⌉−1)·s + (k−1)·d + 1 − in can be negative, which TF clamps to 0 but onnxruntime's
 * SAME_UPPER refuses ("padding values must be non-negative").
 */
export function needsRuntimePads(spatialIn: (number | null)[], kernel: number[], strides: number[], dilations: number[], padding: string): boolean {
  if (padding !== 'same' || !spatialIn.some((d, i) => d === null && strides[i]! > 1)) return false;
  return kernel.some((k, i) => strides[i]! > (k - 1) * (dilations[i] ?? 1) + 1);
}

/**
 * Pads a channels-first tensor as TF's "same" does, with the sizes read at run time (Shape →
 * integer arithmetic → Pad): total = max((⌈in/s⌉−1)·s + span − in, 0), the odd pixel at the
 * end. The window op that follows then has zero pads. `fill` is the padding value (−∞ before a
 * max pool, 0 before a convolution).
 */
export function emitRuntimeSamePad(ctx: OnnxContext, xcf: string, rank: number, kernel: number[], strides: number[], dilations: number[], fill: number): string {
  const n = rank - 2;
  const spans = kernel.map((k, i) => (k - 1) * (dilations[i] ?? 1) + 1);
  const shape = ctx.node('Shape', [xcf])[0]!;
  const size = ctx.node('Slice', [shape, ctx.constInt64('spatial_start', [2]), ctx.constInt64('spatial_end', [rank])])[0]!;
  const s = ctx.constInt64('strides', strides.slice(0, n));
  // ⌈in/s⌉ as (in + s − 1) / s: sizes are positive, so ONNX's integer Div (truncating) floors.
  const out = ctx.node('Div', [ctx.node('Add', [size, ctx.constInt64('strides_minus_1', strides.map((v) => v - 1))])[0]!, s])[0]!;
  const reach = ctx.node('Add', [ctx.node('Mul', [ctx.node('Sub', [out, ctx.constInt64('one', [1], [])])[0]!, s])[0]!, ctx.constInt64('spans', spans)])[0]!;
  const total = ctx.node('Max', [ctx.node('Sub', [reach, size])[0]!, ctx.constInt64('zero', [0], [])])[0]!;
  const begin = ctx.node('Div', [total, ctx.constInt64('two', [2], [])])[0]!;
  const end = ctx.node('Sub', [total, begin])[0]!;
  const none = ctx.constInt64('no_pad', [0, 0]);
  const pads = ctx.node('Concat', [none, begin, none, end], { axis: { i: 0 } })[0]!;
  return ctx.node('Pad', [xcf, pads, ctx.constFloat('fill', [fill], [])], { mode: { s: 'constant' } })[0]!;
}

// ---------------------------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------------------------

/** Transposes a row-major array of `shape` by `perm` (out axis i = in axis perm[i]). */
export function transposeData(data: Float32Array, shape: number[], perm: number[]): { data: Float32Array; dims: number[] } {
  const rank = shape.length;
  if (perm.length !== rank) throw new Error(`transposeData: perm ${JSON.stringify(perm)} does not fit shape ${JSON.stringify(shape)}`);
  const dims = perm.map((p) => shape[p]!);
  if (perm.every((p, i) => p === i)) return { data, dims };
  if (rank >= 3 && perm[0] === rank - 1 && perm[1] === rank - 2 && perm.slice(2).every((p, i) => p === i)) return { data: kernelTranspose(data, shape), dims };
  const inStrides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = acc;
    acc *= shape[i]!;
  }
  const out = new Float32Array(data.length);
  // Walk the output in order; `src` follows along with the permuted strides.
  const stride = perm.map((p) => inStrides[p]!);
  const idx = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const lastDim = dims[last]!;
  const lastStride = stride[last]!;
  let src = 0;
  for (let o = 0; o < out.length; ) {
    // Inner loop over the last output axis: a strided copy.
    for (let k = 0, s = src; k < lastDim; k++, s += lastStride) out[o++] = data[s]!;
    // Carry into the outer axes.
    let ax = last - 1;
    while (ax >= 0) {
      idx[ax]!++;
      src += stride[ax]!;
      if (idx[ax]! < dims[ax]!) break;
      src -= stride[ax]! * dims[ax]!;
      idx[ax] = 0;
      ax--;
    }
    if (ax < 0) break;
  }
  return { data: out, dims };
}

/**
 * The conv-kernel case of transposeData, [K…, A, B] → [B, A, K…], as a plain loop nest: export
 * of big models is dominated by it. Loop order a, b, k keeps the reads of consecutive b within
 * the same few cache lines and writes K contiguous floats at a time.
 */
function kernelTranspose(data: Float32Array, shape: number[]): Float32Array {
  const r = shape.length;
  const A = shape[r - 2]!;
  const B = shape[r - 1]!;
  const K = data.length / (A * B);
  const AB = A * B;
  const AK = A * K;
  const out = new Float32Array(data.length);
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      const o = b * AK + a * K;
      let s = a * B + b;
      for (let k = 0; k < K; k++, s += AB) out[o + k] = data[s]!;
    }
  }
  return out;
}

/**
 * A tfjs conv kernel [k…, a, b] → ONNX [b, a, k…]. For Conv1D/2D/3D tfjs has [k…, in, out] and
 * ONNX Conv wants [out, in, k…]; for Conv2DTranspose tfjs has [kh, kw, out, in] and ONNX
 * ConvTranspose wants [in, out, kh, kw] — the same permutation in both cases.
 */
export function kernelToOnnx(w: BlockWeight): { data: Float32Array; dims: number[] } {
  const r = w.shape.length;
  return transposeData(w.data, w.shape, [r - 1, r - 2, ...Array.from({ length: r - 2 }, (_, i) => i)]);
}

/**
 * A tfjs depthwise kernel [k…, in, multiplier] → ONNX grouped Conv weight [in·multiplier, 1, k…]
 * (group = in; output channel c·multiplier + m, as tfjs orders them).
 */
export function depthwiseKernelToOnnx(w: BlockWeight): { data: Float32Array; dims: number[] } {
  const r = w.shape.length;
  const t = transposeData(w.data, w.shape, [r - 2, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i)]);
  return { data: t.data, dims: [t.dims[0]! * t.dims[1]!, 1, ...t.dims.slice(2)] };
}

/** An initializer from a block weight, optionally transposed by `perm`; returns its value name. */
export function weightInit(ctx: OnnxContext, hint: string, w: BlockWeight, perm?: number[]): string {
  const t = perm ? transposeData(w.data, w.shape, perm) : { data: w.data, dims: w.shape };
  return ctx.initializer(hint, { dtype: 'float32', dims: t.dims, data: t.data });
}

/** An initializer from already-converted data. */
export function floatInit(ctx: OnnxContext, hint: string, t: { data: Float32Array; dims: number[] }): string {
  const v: OnnxTensorValue = { dtype: 'float32', dims: t.dims, data: t.data };
  return ctx.initializer(hint, v);
}

/** Finds a weight by the end of its tfjs name ("kernel", "bias", "gamma"…); throws naming what exists. */
export function findWeight(weights: BlockWeight[], suffix: string, nodeId = '?'): BlockWeight {
  const w = weights.find((x) => x.name === suffix || x.name.endsWith(`/${suffix}`));
  if (!w) throw new Error(`node "${nodeId}": no weight named */${suffix} among ${JSON.stringify(weights.map((x) => x.name))}`);
  return w;
}

/**
 * x·W (+ b) on the last axis, as tfjs' Dense computes it (any rank: MatMul broadcasts over the
 * leading axes). `kernel` is [in, out] as tfjs stores it, so no transpose is needed.
 */
export function emitMatMulBias(ctx: OnnxContext, x: string, kernel: BlockWeight, bias: BlockWeight | undefined, hint: string): string {
  const y = ctx.node('MatMul', [x, weightInit(ctx, `${hint}_kernel`, kernel)])[0]!;
  return bias ? ctx.node('Add', [y, weightInit(ctx, `${hint}_bias`, bias)])[0]! : y;
}
