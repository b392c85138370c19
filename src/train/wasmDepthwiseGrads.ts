// A depthwise convolution's two gradients on tfjs' WASM backend, as loops over typed arrays.
// WASM has neither kernel, and the CPU backend's (which the bridge in wasmKernels.ts would borrow)
// index a TensorBuffer per multiply: ~3 s of a 5 s training step of a small MobileNet (batch 16,
// 28×28), where these loops take a few milliseconds. Each output position touches its receptive
// field once, with the innermost loop over the contiguous channels × multiplier of one pixel.
//   filter gradient  dW[kh, kw, c, m] = Σ over b, oh, ow of x[b, ih, iw, c] · dy[b, oh, ow, c·M + m]
//   input gradient   dx[b, ih, iw, c] = Σ over oh, ow, kh, kw, m of dy[b, oh, ow, c·M + m] · W[kh, kw, c, m]
// with ih = oh·strideH + kh·dilationH − padTop (likewise iw), positions outside the input skipped.
import * as tf from '@tensorflow/tfjs';

type Backend = tf.KernelBackend & {
  readSync(dataId: object): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
};
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
interface DepthwiseAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function info(xShape: number[], filterShape: number[], a: DepthwiseAttrs) {
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true, 'channelsLast');
}

/** Calls f(xOffset, dyOffset, wOffset) for every (sample, output position, kernel tap) inside the input. */
function eachTap(i: ReturnType<typeof info>, f: (xo: number, dyo: number, wo: number) => void): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW } = i;
  const CM = i.outChannels; // C · multiplier
  const top = i.padInfo.top;
  const left = i.padInfo.left;
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * SH + kh * DH - top;
        if (ih < 0 || ih >= H) continue;
        for (let ow = 0; ow < OW; ow++) {
          const dyo = ((b * OH + oh) * OW + ow) * CM;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * SW + kw * DW - left;
            if (iw < 0 || iw >= W) continue;
            f(((b * H + ih) * W + iw) * C, dyo, (kh * KW + kw) * CM);
          }
        }
      }
}

export function depthwiseBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as Backend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  const i = info(x.shape, a.filterShape, a);
  const xs = wasm.readSync(x.dataId) as Float32Array;
  const dys = wasm.readSync(dy.dataId) as Float32Array;
  const C = i.inChannels;
  const M = i.outChannels / C;
  const dw = new Float32Array(a.filterShape.reduce((p, d) => p * d, 1));
  eachTap(i, (xo, dyo, wo) => {
    for (let c = 0; c < C; c++) {
      const xv = xs[xo + c]!;
      const k = c * M;
      for (let m = 0; m < M; m++) dw[wo + k + m]! += xv * dys[dyo + k + m]!;
    }
  });
  return { dataId: wasm.write(dw, a.filterShape, 'float32'), shape: a.filterShape, dtype: 'float32' };
}

export function depthwiseBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as Backend;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  const i = info(a.inputShape, filter.shape, a);
  const dys = wasm.readSync(dy.dataId) as Float32Array;
  const ws = wasm.readSync(filter.dataId) as Float32Array;
  const C = i.inChannels;
  const M = i.outChannels / C;
  const dx = new Float32Array(a.inputShape.reduce((p, d) => p * d, 1));
  eachTap(i, (xo, dyo, wo) => {
    for (let c = 0; c < C; c++) {
      const k = c * M;
      let s = 0;
      for (let m = 0; m < M; m++) s += dys[dyo + k + m]! * ws[wo + k + m]!;
      dx[xo + c]! += s;
    }
  });
  return { dataId: wasm.write(dx, a.inputShape, 'float32'), shape: a.inputShape, dtype: 'float32' };
}
