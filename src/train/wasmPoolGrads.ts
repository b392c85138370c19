// 2-D pooling gradients on tfjs' WASM backend as one pass over typed arrays, in place on the WASM
// heap. tfjs-wasm 4.22 has AvgPoolGrad and MaxPoolGrad, as C++ loops that, for every input pixel,
// try every filter tap to find the outputs covering it (MaxPoolGrad finds each window's maximum
// again per tap), and whose max gradient goes to a different pixel than the CPU backend's when a
// window holds a tie (ReLU's zeros: 4,063 of 18,816 pixels differed on inputs with ties). Here each
// output's window is visited once and its gradient scattered onto the pixels it covers: on
// LeNet-5's shapes at batch 32, 0.6× tfjs-wasm's CPU time for the average and 0.5× for the max
// (S2's AvgPoolGrad 1.4 → 0.9 ms); a whole LeNet-5 step saves ~0.5 ms of ~30 (bench trainNode).
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

type Backend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.backend_util.TypedArray;
};
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

interface PoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

interface Pass {
  /** For each output window in order (its flat offset into dy: o), the window clipped to the input. */
  forEachWindow(f: (o: number, b: number, r0: number, r1: number, c0: number, c1: number) => void): void;
  H: number;
  W: number;
  C: number;
  /** Each input pixel in at most one window (stride ≥ filter): nothing to sum, dx written directly. */
  disjoint: boolean;
  scale: number;
}

function passOf(xShape: number[], a: PoolGradAttrs): Pass {
  const i = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: SH, strideWidth: SW, filterHeight: FH, filterWidth: FW } = i;
  return {
    H,
    W,
    C,
    disjoint: SH >= FH && SW >= FW,
    scale: 1 / (FH * FW),
    forEachWindow(f) {
      let o = 0;
      for (let b = 0; b < i.batchSize; b++)
        for (let oh = 0; oh < OH; oh++) {
          const top = oh * SH - i.padInfo.top;
          const r0 = Math.max(0, top);
          const r1 = Math.min(H, top + FH);
          for (let ow = 0; ow < OW; ow++, o += C) {
            const left = ow * SW - i.padInfo.left;
            f(o, b, r0, r1, Math.max(0, left), Math.min(W, left + FW));
          }
        }
    },
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
  const p = passOf(input.shape, attrs as unknown as PoolGradAttrs);
  const { H, W, C, scale } = p;
  const { out, dx, dys } = buffers(wasm, dy, input);
  // (0 + g) · scale in doubles, rounded once: the CPU's arithmetic for a pixel in one window
  const acc = p.disjoint ? dx : new Float64Array(dx.length);
  acc.fill(0);
  const k = p.disjoint ? scale : 1;
  p.forEachWindow((o, b, r0, r1, c0, c1) => {
    for (let r = r0; r < r1; r++)
      for (let c = c0; c < c1; c++) {
        const d = ((b * H + r) * W + c) * C;
        for (let ch = 0; ch < C; ch++) acc[d + ch]! += dys[o + ch]! * k;
      }
  });
  if (!p.disjoint) for (let j = 0; j < dx.length; j++) dx[j] = acc[j]! * scale;
  return out;
}

/** dx: each window's dy added to its (first) maximum. */
export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as Backend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const p = passOf(input.shape, attrs as unknown as PoolGradAttrs);
  const { H, W, C } = p;
  const { out, dx, dys } = buffers(wasm, dy, input);
  const xs = wasm.typedArrayFromHeap(input) as Float32Array;
  const acc = p.disjoint ? dx : new Float64Array(dx.length);
  acc.fill(0);
  // Per channel of the current window: the best value so far and where it is.
  const best = new Float32Array(C);
  const at = new Int32Array(C);
  p.forEachWindow((o, b, r0, r1, c0, c1) => {
    best.fill(-Infinity);
    at.fill(-1);
    for (let r = r0; r < r1; r++)
      for (let c = c0; c < c1; c++) {
        const d = ((b * H + r) * W + c) * C;
        for (let ch = 0; ch < C; ch++) {
          const v = xs[d + ch]!;
          if (v > best[ch]!) {
            best[ch] = v;
            at[ch] = d + ch;
          }
        }
      }
    for (let ch = 0; ch < C; ch++) if (at[ch]! >= 0) acc[at[ch]!]! += dys[o + ch]!;
  });
  if (!p.disjoint) dx.set(acc);
  return out;
}
