// A convolution's two gradients on tfjs' WASM backend as im2col + one matrix product on XNNPACK,
// instead of scalar loops (ours for the filter gradient, which WASM lacks; tfjs-wasm's own naive
// C++ loop for the input gradient). A LeNet-5 training step spent ~87% of its time in these two.
//
// With P = batch·outHeight·outWidth output positions and K = kernelHeight·kernelWidth·inChannels,
// cols (P × K) holds each output position's receptive field (zeros where it reads padding):
//   filter gradient  dW (K × CO) = colsᵀ · dy            (dy as P × CO)
//   input gradient   dcols (P × K) = dy · Wᵀ, then every column entry is added back to the input
//                    pixel it came from (col2im)
// The batch is cut into chunks so cols stays under ~32 MB whatever the layer size.
import * as tf from '@tensorflow/tfjs';
import { runWasmKernel as run } from './wasmRun';

type Backend = tf.KernelBackend & {
  readSync(dataId: object): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
};
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Floats in one chunk's cols (32 MB); a test lowers it to exercise the chunking. */
export const colsLimit = { floats: 8 * 1024 * 1024 };

/** XNNPACK's matrix product, called as a kernel function on WASM memory: [1, m, k] · [1, k, n]. */
function matmul(wasm: Backend, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): Float32Array {
  const k = tf.getKernel('BatchMatMul', 'wasm');
  if (!k) throw new Error('the WASM backend has no BatchMatMul kernel');
  const out = k.kernelFunc({ inputs: { a, b }, backend: wasm, attrs: { transposeA, transposeB } }) as tf.TensorInfo;
  try {
    return wasm.readSync(out.dataId) as Float32Array; // a copy out of WASM memory
  } finally {
    wasm.disposeData(out.dataId, true);
  }
}

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs, kernel: string) {
  if (a.dataFormat === 'NCHW') throw new Error(`${kernel} on WASM: NCHW is not supported (the compiler emits NHWC)`);
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
}

type Info = ReturnType<typeof convInfo>;

/** Samples per chunk, so that one chunk's cols fits colsLimit. */
const chunkOf = (i: Info) => Math.max(1, Math.min(i.batchSize, Math.floor(colsLimit.floats / Math.max(1, i.outHeight * i.outWidth * i.filterHeight * i.filterWidth * i.inChannels))));

/**
 * The receptive fields, transposed: colsT (K × P) for samples [b0, b1), so the filter gradient
 * is a plain product colsT · dy (XNNPACK's fast path has no transposed left operand).
 */
function im2colT(x: Float32Array, i: Info, b0: number, b1: number, colsT: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW } = i;
  const top = i.padInfo.top;
  const left = i.padInfo.left;
  const P = (b1 - b0) * OH * OW;
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++)
      for (let c = 0; c < CI; c++) {
        const rowStart = ((kh * KW + kw) * CI + c) * P;
        let p = rowStart;
        for (let b = b0; b < b1; b++)
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * SH + kh * DH - top;
            if (ih < 0 || ih >= H) {
              colsT.fill(0, p, p + OW);
              p += OW;
              continue;
            }
            const rowBase = (b * H + ih) * W;
            for (let ow = 0; ow < OW; ow++, p++) {
              const iw = ow * SW + kw * DW - left;
              colsT[p] = iw < 0 || iw >= W ? 0 : x[(rowBase + iw) * CI + c]!;
            }
          }
      }
}

/**
 * Adds cols (rows of K) back onto the input pixels they were read from, for samples [b0, b1). The
 * taps of one filter row that land inside the input are found once per output column; without
 * dilation they are one contiguous run in cols and in dx (kw·CI + c), added in one loop: a first
 * layer on grey images (one channel) would otherwise spend a bounds check per value.
 */
function col2im(cols: Float32Array, i: Info, b0: number, b1: number, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW } = i;
  const top = i.padInfo.top;
  const left = i.padInfo.left;
  const K = KH * KW * CI;
  // per output column: the taps kw in [kwLo, kwHi) read inside the input
  const kwLo = new Int32Array(OW);
  const kwHi = new Int32Array(OW);
  for (let ow = 0; ow < OW; ow++) {
    const iw0 = ow * SW - left;
    kwLo[ow] = Math.max(0, Math.ceil(-iw0 / DW));
    kwHi[ow] = Math.min(KW, Math.floor((W - 1 - iw0) / DW) + 1);
  }
  let row = 0;
  for (let b = b0; b < b1; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, row++) {
        const lo = kwLo[ow]!;
        const hi = kwHi[ow]!;
        if (hi <= lo) continue;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * SH + kh * DH - top;
          if (ih < 0 || ih >= H) continue;
          const o = row * K + (kh * KW + lo) * CI;
          const d = ((b * H + ih) * W + ow * SW - left + lo * DW) * CI;
          if (DW === 1) {
            const n = (hi - lo) * CI;
            for (let j = 0; j < n; j++) dx[d + j]! += cols[o + j]!;
          } else
            for (let kw = lo, oo = o, dd = d; kw < hi; kw++, oo += CI, dd += DW * CI)
              for (let c = 0; c < CI; c++) dx[dd + c]! += cols[oo + c]!;
        }
      }
}

/** dW = colsᵀ · dy, summed over batch chunks. */
function filterGradIm2col({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as Backend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  const i = convInfo(x.shape, a.filterShape, a, 'Conv2DBackpropFilter');
  const xs = wasm.readSync(x.dataId) as Float32Array;
  const dys = wasm.readSync(dy.dataId) as Float32Array;
  const K = i.filterHeight * i.filterWidth * i.inChannels;
  const CO = i.outChannels;
  const per = i.outHeight * i.outWidth;
  const chunk = chunkOf(i);
  const dw = new Float32Array(K * CO);
  const cols = new Float32Array(chunk * per * K);
  for (let b0 = 0; b0 < i.batchSize; b0 += chunk) {
    const b1 = Math.min(i.batchSize, b0 + chunk);
    const P = (b1 - b0) * per;
    im2colT(xs, i, b0, b1, cols);
    const colsId = wasm.write(cols.subarray(0, P * K), [1, K, P], 'float32');
    const dyId = wasm.write(dys.subarray(b0 * per * CO, b1 * per * CO), [1, P, CO], 'float32');
    try {
      const part = matmul(wasm, { dataId: colsId, shape: [1, K, P], dtype: 'float32' }, { dataId: dyId, shape: [1, P, CO], dtype: 'float32' }, false, false);
      for (let j = 0; j < dw.length; j++) dw[j]! += part[j]!;
    } finally {
      wasm.disposeData(colsId, true);
      wasm.disposeData(dyId, true);
    }
  }
  return { dataId: wasm.write(dw, a.filterShape, 'float32'), shape: a.filterShape, dtype: 'float32' };
}

/** dx = col2im(dy · Wᵀ), chunk by chunk. */
function inputGradIm2col({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as Backend;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  const i = convInfo(a.inputShape, filter.shape, a, 'Conv2DBackpropInput');
  const dys = wasm.readSync(dy.dataId) as Float32Array;
  const K = i.filterHeight * i.filterWidth * i.inChannels;
  const CO = i.outChannels;
  const per = i.outHeight * i.outWidth;
  const chunk = chunkOf(i);
  const dx = new Float32Array(a.inputShape.reduce((p, d) => p * d, 1));
  // Wᵀ (CO × K), written once (small), so the product needs no transposed operand.
  const f = wasm.readSync(filter.dataId) as Float32Array;
  const ft = new Float32Array(K * CO);
  for (let k = 0; k < K; k++) for (let c = 0; c < CO; c++) ft[c * K + k] = f[k * CO + c]!;
  const wtId = wasm.write(ft, [1, CO, K], 'float32');
  const w: tf.TensorInfo = { dataId: wtId, shape: [1, CO, K], dtype: 'float32' };
  for (let b0 = 0; b0 < i.batchSize; b0 += chunk) {
    const b1 = Math.min(i.batchSize, b0 + chunk);
    const P = (b1 - b0) * per;
    const dyId = wasm.write(dys.subarray(b0 * per * CO, b1 * per * CO), [1, P, CO], 'float32');
    try {
      const cols = matmul(wasm, { dataId: dyId, shape: [1, P, CO], dtype: 'float32' }, w, false, false);
      col2im(cols, i, b0, b1, dx);
    } finally {
      wasm.disposeData(dyId, true);
    }
  }
  wasm.disposeData(wtId, true);
  return { dataId: wasm.write(dx, a.inputShape, 'float32'), shape: a.inputShape, dtype: 'float32' };
}

// ── The same two gradients as forward convolutions on XNNPACK ─────────────────────────────────
// Both are convolutions themselves, and XNNPACK's convolution (indirect GEMM, no cols buffer) is
// several times faster than im2col in JS plus a matrix product: on LeNet-5 and VGG-mini the two
// gradients cost 5–8× the forward convolution that way, and about 1–2× this way.


const explicit = (t: number, b: number, l: number, r: number) => [[0, 0], [t, b], [l, r], [0, 0]] as tf.backend_util.ExplicitPadding;

/**
 * dW[kh,kw,ci,co] = Σ over samples and output positions of x[b, oh·SH + kh·DH − top, …, ci] ·
 * dy[b,oh,ow,co]: a convolution of x seen as CI images of B channels ([CI,H,W,B]) with dy seen as
 * an OH×OW filter from B to CO channels ([OH,OW,B,CO]), the original dilation as its stride and
 * the original stride as its dilation. Its output [CI,KH',KW',CO] (KH' ≥ KH when a 'valid'
 * convolution left rows unread) is cut to KH×KW and transposed to [KH,KW,CI,CO].
 */
export function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const wasm = args.backend as Backend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = args.attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  const i = convInfo(x.shape, a.filterShape, a, 'Conv2DBackpropFilter');
  const p = i.padInfo;
  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo) => (temps.push(t), t);
  try {
    const xT = keep(run(wasm, 'Transpose', { x }, { perm: [3, 1, 2, 0] }));
    const dyT = keep(run(wasm, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }));
    let g = keep(run(wasm, 'Conv2D', { x: xT, filter: dyT }, { strides: [i.dilationHeight, i.dilationWidth], dilations: [i.strideHeight, i.strideWidth], pad: explicit(p.top, p.bottom, p.left, p.right), dataFormat: 'NHWC' }));
    if (g.shape[1]! < i.filterHeight || g.shape[2]! < i.filterWidth) throw new Error(`Conv2DBackpropFilter on WASM: got a ${g.shape} gradient for a ${a.filterShape} filter`);
    if (g.shape[1] !== i.filterHeight || g.shape[2] !== i.filterWidth) g = keep(run(wasm, 'Slice', { x: g }, { begin: [0, 0, 0, 0], size: [i.inChannels, i.filterHeight, i.filterWidth, i.outChannels] }));
    return run(wasm, 'Transpose', { x: g }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) wasm.disposeData(t.dataId, true);
  }
}

/**
 * dx = the convolution of dy — with zeros between its rows and columns for a strided convolution —
 * by the filter turned 180° with its channel axes swapped ([KH,KW,CO,CI]), same dilation, padded
 * so every input pixel gets the output positions that read it. Falls back to im2col when that
 * padding would be negative (an unusual explicit padding larger than the kernel).
 */
export function conv2dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const wasm = args.backend as Backend;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  const i = convInfo(a.inputShape, filter.shape, a, 'Conv2DBackpropInput');
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = i;
  // A convolution whose kernel covers its whole unpadded input (LeNet-5's C5: 5×5 → 1×1) is a Dense
  // layer: dx = dy · Wᵀ, one matrix product (0.1 ms for C5 at batch 32, against 1.5 ms through im2col).
  if (OH === 1 && OW === 1 && KH === H && KW === W && i.padInfo.top === 0 && i.padInfo.left === 0 && i.dilationHeight === 1 && i.dilationWidth === 1) {
    const out = run(wasm, 'BatchMatMul', { a: { ...dy, shape: [1, B, CO] }, b: { ...filter, shape: [1, KH * KW * CI, CO] } }, { transposeA: false, transposeB: true });
    return { ...out, shape: a.inputShape };
  }
  const dh = (OH - 1) * SH + 1; // dy's height with the zeros between its rows
  const dw = (OW - 1) * SW + 1;
  const top = (KH - 1) * i.dilationHeight - i.padInfo.top;
  const left = (KW - 1) * i.dilationWidth - i.padInfo.left;
  const bottom = H - dh + i.padInfo.top;
  const right = W - dw + i.padInfo.left;
  // The convolution reads H·W·K input values per channel pair, im2col's product OH·OW·K: when the
  // output is much smaller than the input (a 5×5 → 1×1 layer, a strided one, whose dy is mostly
  // the inserted zeros), im2col does less work — measured: 0.6 vs 3.2 ms for LeNet-5's C5 layer,
  // 2.3 vs 3.1 ms for a stride-2 3×3 layer, while a stride-1 'same' layer is 2–4× faster this way.
  if ((H * W) / (OH * OW) > 3 || Math.min(top, left, bottom, right) < 0) return inputGradIm2col(args);
  const f = wasm.readSync(filter.dataId) as Float32Array;
  const rot = new Float32Array(f.length);
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++)
      for (let ci = 0; ci < CI; ci++)
        for (let co = 0; co < CO; co++) rot[(((KH - 1 - kh) * KW + (KW - 1 - kw)) * CO + co) * CI + ci] = f[((kh * KW + kw) * CI + ci) * CO + co]!;
  const temps: tf.TensorInfo[] = [];
  try {
    const w: tf.TensorInfo = { dataId: wasm.write(rot, [KH, KW, CO, CI], 'float32'), shape: [KH, KW, CO, CI], dtype: 'float32' };
    temps.push(w);
    let src = dy;
    if (SH > 1 || SW > 1) {
      const d = wasm.readSync(dy.dataId) as Float32Array;
      const spread = new Float32Array(B * dh * dw * CO);
      for (let b = 0; b < B; b++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) spread.set(d.subarray(((b * OH + oh) * OW + ow) * CO, ((b * OH + oh) * OW + ow + 1) * CO), ((b * dh + oh * SH) * dw + ow * SW) * CO);
      src = { dataId: wasm.write(spread, [B, dh, dw, CO], 'float32'), shape: [B, dh, dw, CO], dtype: 'float32' };
      temps.push(src);
    }
    return run(wasm, 'Conv2D', { x: src, filter: w }, { strides: [1, 1], dilations: [i.dilationHeight, i.dilationWidth], pad: explicit(top, bottom, left, right), dataFormat: 'NHWC' });
  } finally {
    for (const t of temps) wasm.disposeData(t.dataId, true);
  }
}

/** The im2col versions, for the tests that compare both paths. */
export const im2colGrads = { filter: filterGradIm2col, input: inputGradIm2col };
