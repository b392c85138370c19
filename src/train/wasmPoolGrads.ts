// 2-D pooling gradients on tfjs' WASM backend as one pass over typed arrays, in place on the WASM
// heap. tfjs-wasm 4.22 has AvgPoolGrad and MaxPoolGrad, as C++ loops that, for every input pixel,
// try every filter tap to find the outputs covering it (MaxPoolGrad finds each window's maximum
// again per tap), and whose max gradient goes to a different pixel than the CPU backend's when a
// window holds a tie (ReLU's zeros: 4,063 of 18,816 pixels differed on inputs with ties). Here each
// output's window is visited once and its gradient scattered onto the pixels it covers: on
// LeNet-5's shapes at batch 32, S2's AvgPoolGrad 1.41 → 0.85 ms CPU, S4's 0.46 → 0.13 ms (max
// pooling 2.96 → 1.78 and 1.01 → 0.41). A whole LeNet-5 step (bench trainNode, two runs on a
// busy machine): 14.3 → 12.0 and 13.1 → 12.4 ms CPU.
//
// Exact against the CPU backend (the reference): the CPU kernels gather, per input pixel, the
// gradients of the windows covering it in window order, summing in doubles, and round once to
// float32 at the end. The scatter visits windows in the same order and sums into a Float64Array,
// so every pixel sees the same additions in the same order: the results are bit for bit equal.
// The average's 1/(filterHeight·filterWidth) is applied after the sum, as on CPU (also where a
// window overlaps 'same' padding: that is tfjs' definition of this gradient). A max window's
// gradient goes to its first maximum in row-major order (strictly greater, so NaN never wins;
// a window of only NaN passes nothing), as the CPU backend's maxPoolPositions chooses it.
import * as tf from '@tensorflow/tfjs';
import { runWasmKernel as run } from './wasmRun';

type Backend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.backend_util.TypedArray;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
};

/** dy repeated over 2×2 blocks, times ¼: the average-pooling gradient when 2×2 windows tile the input. */
function upsampledQuarter(wasm: Backend, dy: tf.TensorInfo, H: number, W: number): tf.TensorInfo {
  const up = run(wasm, 'ResizeNearestNeighbor', { images: dy }, { size: [H, W], alignCorners: false, halfPixelCenters: false });
  const quarter: tf.TensorInfo = { dataId: wasm.write(Float32Array.of(0.25), [], 'float32'), shape: [], dtype: 'float32' };
  try {
    return run(wasm, 'Multiply', { a: up, b: quarter }, {});
  } finally {
    wasm.disposeData(up.dataId, true);
    wasm.disposeData(quarter.dataId, true);
  }
}
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

interface PoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Shapes, and each output row's and column's window clipped to the input: [r0, r1) × [c0, c1). */
function passOf(xShape: number[], a: PoolGradAttrs) {
  const i = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { outHeight: OH, outWidth: OW, strideHeight: SH, strideWidth: SW, filterHeight: FH, filterWidth: FW } = i;
  const bounds = (n: number, stride: number, pad: number, size: number, limit: number) => {
    const lo = new Int32Array(n);
    const hi = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      lo[j] = Math.max(0, j * stride - pad);
      hi[j] = Math.min(limit, j * stride - pad + size);
    }
    return [lo, hi] as const;
  };
  const [r0, r1] = bounds(OH, SH, i.padInfo.top, FH, i.inHeight);
  const [c0, c1] = bounds(OW, SW, i.padInfo.left, FW, i.inWidth);
  return {
    N: i.batchSize,
    H: i.inHeight,
    W: i.inWidth,
    C: i.inChannels,
    OH,
    OW,
    r0,
    r1,
    c0,
    c1,
    /** Each input pixel in at most one window (stride ≥ filter): nothing to sum, dx written directly. */
    disjoint: SH >= FH && SW >= FW,
    /** Every window 2×2, whole inside the input, none overlapping (the usual max pooling). */
    full2x2: FH === 2 && FW === 2 && SH >= 2 && SW >= 2 && r1.every((h, j) => h - r0[j]! === 2) && c1.every((h, j) => h - c0[j]! === 2),
    scale: 1 / (FH * FW),
  };
}

/** The output tensor and views of dy and dx on the WASM heap (taken after dx's allocation, which may move the heap). */
function buffers(wasm: Backend, dy: tf.TensorInfo, input: tf.TensorInfo) {
  const out = wasm.makeOutput(input.shape, 'float32');
  return { out, dx: wasm.typedArrayFromHeap(out) as Float32Array, dys: wasm.typedArrayFromHeap(dy) as Float32Array };
}

/** dx = Σ over the windows covering each pixel of dy, times 1 / (filterHeight · filterWidth). */
export function avgPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as Backend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { N, H, W, C, OH, OW, r0, r1, c0, c1, disjoint, scale, full2x2 } = passOf(input.shape, attrs as unknown as PoolGradAttrs);
  // Whole 2×2 windows tiling the input exactly (LeNet-5's S2, S4): dx is dy repeated 2×2, times ¼ —
  // tfjs-wasm's nearest-neighbour resize and multiply, two C++ passes: 0.15 against the loop's
  // 0.6–1 ms for 32×28×28×6. The same numbers: each pixel's one window, dy · 0.25 in float32.
  if (full2x2 && H === 2 * OH && W === 2 * OW) return upsampledQuarter(wasm, dy, H, W);
  const { out, dx, dys } = buffers(wasm, dy, input);
  dx.fill(0);
  // Overlapping windows: sums in doubles, scaled and rounded once at the end (the CPU's arithmetic);
  // disjoint ones: (0 + g) · scale, the same.
  const acc = disjoint ? null : new Float64Array(dx.length);
  let o = 0;
  for (let b = 0; b < N; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, o += C)
        for (let r = r0[oh]!; r < r1[oh]!; r++)
          for (let c = c0[ow]!, d = ((b * H + r) * W + c) * C; c < c1[ow]!; c++, d += C)
            if (acc) for (let ch = 0; ch < C; ch++) acc[d + ch]! += dys[o + ch]!;
            else for (let ch = 0; ch < C; ch++) dx[d + ch] = dys[o + ch]! * scale;
  if (acc) for (let j = 0; j < dx.length; j++) dx[j] = acc[j]! * scale;
  return out;
}

/** dx: each window's dy added to its (first) maximum. */
export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as Backend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { N, H, W, C, OH, OW, r0, r1, c0, c1, disjoint, full2x2 } = passOf(input.shape, attrs as unknown as PoolGradAttrs);
  const { out, dx, dys } = buffers(wasm, dy, input);
  const xs = wasm.typedArrayFromHeap(input) as Float32Array;
  dx.fill(0);
  if (full2x2) {
    maxPool2x2Grad(xs, dys, dx, { N, H, W, C, OH, OW, r0, c0 });
    return out;
  }
  const acc = disjoint ? null : new Float64Array(dx.length);
  // Per channel of the current window: the best value so far and where it is.
  const best = new Float32Array(C);
  const at = new Int32Array(C);
  let o = 0;
  for (let b = 0; b < N; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, o += C) {
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = r0[oh]!; r < r1[oh]!; r++)
          for (let c = c0[ow]!, d = ((b * H + r) * W + c) * C; c < c1[ow]!; c++, d += C)
            for (let ch = 0; ch < C; ch++) {
              const v = xs[d + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                at[ch] = d + ch;
              }
            }
        for (let ch = 0; ch < C; ch++) {
          const a = at[ch]!;
          if (a < 0) continue;
          if (acc) acc[a]! += dys[o + ch]!;
          else dx[a] = dys[o + ch]!;
        }
      }
  if (acc) dx.set(acc);
  return out;
}

/**
 * maxPoolGrad for whole, disjoint 2×2 windows, unrolled: the four taps compared in row-major order
 * in registers (the general loop's per-window best/at arrays cost ~2× on VGG-mini's 32×28×28×8
 * maps: 1.7 vs 0.9 ms). The same choice: the first strict maximum; a NaN never wins, and a window
 * of only NaN (or −∞) passes nothing.
 */
function maxPool2x2Grad(xs: Float32Array, dys: Float32Array, dx: Float32Array, g: { N: number; H: number; W: number; C: number; OH: number; OW: number; r0: Int32Array; c0: Int32Array }): void {
  const { N, H, W, C, OH, OW, r0, c0 } = g;
  const row = W * C;
  let o = 0;
  for (let b = 0; b < N; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, o += C) {
        const base = ((b * H + r0[oh]!) * W + c0[ow]!) * C;
        for (let ch = 0; ch < C; ch++) {
          const d0 = base + ch;
          const d1 = d0 + C;
          const d2 = d0 + row;
          const d3 = d2 + C;
          let best = -Infinity;
          let a = -1;
          const v0 = xs[d0]!;
          if (v0 > best) {
            best = v0;
            a = d0;
          }
          const v1 = xs[d1]!;
          if (v1 > best) {
            best = v1;
            a = d1;
          }
          const v2 = xs[d2]!;
          if (v2 > best) {
            best = v2;
            a = d2;
          }
          if (xs[d3]! > best) a = d3;
          if (a >= 0) dx[a] = dys[o + ch]!;
        }
      }
}
