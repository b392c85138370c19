// Shared by the convolution blocks: tfjs' constraints and one ONNX emitter for Conv (1-D, 2-D,
// depthwise). Layout helpers, "same" pads and kernel permutations live in src/onnx/ops.ts.
import { BlockError, type BlockWeight, type OnnxContext, type Shape } from '../src/core/spec';
import { convPadAttrs, depthwiseKernelToOnnx, emitActivation, emitRuntimeSamePad, needsRuntimePads, findWeight, floatInit, kernelToOnnx, toChannelsFirst, toChannelsLast, weightInit } from '../src/onnx/ops';

/** tfjs' conv and pool kernels reject strides > 1 together with dilation > 1 on any axis. */
export function checkStridesDilation(strides: number[], dilationRate: number[]): void {
  if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1))
    throw new BlockError(
      `strides ${JSON.stringify(strides)} and dilationRate ${JSON.stringify(dilationRate)} cannot both be > 1 (tfjs' convolution kernels do not support it): set one of them to 1`,
      { param: 'dilationRate' },
    );
}

/** Pad attributes for a window op; "causal" (1-D) puts (kernel − 1)·dilation on the left only. */
export function windowPads(spatialIn: (number | null)[], kernel: number[], strides: number[], dilations: number[], padding: string) {
  if (padding === 'causal') return { pads: { ints: [(kernel[0]! - 1) * dilations[0]!, 0] } };
  return convPadAttrs(spatialIn, kernel, strides, dilations, padding);
}

/**
 * The channels-first input of a convolution and its pad attributes: the input as it is with
 * windowPads, or zero-padded at run time where "same" pads depend on an unknown size in a way
 * onnxruntime's SAME_UPPER cannot do (see needsRuntimePads in src/onnx/ops.ts).
 */
export function convWindow(ctx: OnnxContext, xcf: string, spatialIn: (number | null)[], kernel: number[], strides: number[], dilations: number[], padding: string) {
  if (!needsRuntimePads(spatialIn, kernel, strides, dilations, padding)) return { x: xcf, attrs: windowPads(spatialIn, kernel, strides, dilations, padding) };
  const x = emitRuntimeSamePad(ctx, xcf, spatialIn.length + 2, kernel, strides, dilations, 0);
  return { x, attrs: { pads: { ints: new Array<number>(2 * kernel.length).fill(0) } } };
}

export interface ConvEmit {
  nodeId: string;
  x: string;
  xShape: Shape;
  weights: BlockWeight[];
  kernelSize: number[];
  strides: number[];
  dilationRate: number[];
  padding: string;
  activation: string;
  /** Depthwise (group = channels): the kernel is [k…, in, multiplier]. */
  depthwise?: boolean;
}

/**
 * Channels-last in and out: Transpose → Conv (bias fused) → Transpose → activation. The
 * activation comes after the transpose back, so softmax normalises over channels as in tfjs.
 */
export function emitConv(ctx: OnnxContext, o: ConvEmit): string {
  const rank = o.xShape.length;
  const kernel = findWeight(o.weights, o.depthwise ? 'depthwise_kernel' : 'kernel', o.nodeId);
  const bias = o.weights.find((w) => w.name === 'bias' || w.name.endsWith('/bias'));
  const w = floatInit(ctx, 'kernel', o.depthwise ? depthwiseKernelToOnnx(kernel) : kernelToOnnx(kernel));
  const win = convWindow(ctx, toChannelsFirst(ctx, o.x, rank), o.xShape.slice(1, -1), o.kernelSize, o.strides, o.dilationRate, o.padding);
  const ins = [win.x, w];
  if (bias) ins.push(weightInit(ctx, 'bias', bias));
  const y = ctx.node('Conv', ins, {
    kernel_shape: { ints: o.kernelSize },
    strides: { ints: o.strides },
    dilations: { ints: o.dilationRate },
    group: { i: o.depthwise ? kernel.shape[rank - 2]! : 1 },
    ...win.attrs,
  })[0]!;
  return emitActivation(ctx, o.activation, toChannelsLast(ctx, y, rank));
}
