// A Conv2D layer with a ReLU, tanh, sigmoid or no activation, trained on WASM, as one fused forward
// kernel and one backward pass over its output. While a gradient is being recorded, tfjs-core's fused.conv2d
// gives up fusing any activation but 'linear' and runs conv2d, then add(bias), then relu; their
// gradients are ReLU's Step, Cast and Multiply and the bias add's Sum over batch and pixels. On
// WASM each is a separate pass over the layer's output: for VGG-mini's 32×28×28×8 maps the bias
// add alone took 0.7 ms, its Sum 0.54, ReLU's three 0.6 (tf.profile, Node). Here the forward is
// tfjs-wasm's FusedConv2D (XNNPACK adds the bias and clamps in the same pass), and the backward is
// dy · step(y) (no Cast), the bias gradient as one loop over channels (tfjs-wasm's Sum over the
// leading axes transposes first: 0.5 vs 0.17 ms), then the convolution's two gradient kernels
// (wasmConvGrads.ts). tf.profile on VGG-mini in one process: these passes about 6 → 2 ms a step.
//
// The numbers are those of tfjs' path up to float rounding: the bias gradient is summed in doubles
// (tfjs' Sum in float32); ReLU's mask is taken from the output (y > 0 ⇔ conv + bias > 0, as tfjs'
// own fused gradient does), with Step's NaN for a NaN output.
import * as tf from '@tensorflow/tfjs';
import { trainingConv, type ConvLayer } from './lazyConvGrads';

const KERNEL = 'NbChannelSums';

type Backend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.backend_util.TypedArray;
};
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/**
 * Σ over rows of an [n/C, C] matrix into out[C], in doubles. Eight channels at a time in local
 * variables (the rest one by one): a loop over a Float64Array indexed by channel was 5× slower here
 * (0.5 vs 0.1 ms for 32×28×28×8 values).
 */
function columnSums(a: Float32Array, C: number, out: Float32Array): void {
  const n = a.length;
  let c0 = 0;
  for (; c0 + 8 <= C; c0 += 8) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0; // prettier-ignore
    for (let i = c0; i < n; i += C) {
      s0 += a[i]!; s1 += a[i + 1]!; s2 += a[i + 2]!; s3 += a[i + 3]!; // prettier-ignore
      s4 += a[i + 4]!; s5 += a[i + 5]!; s6 += a[i + 6]!; s7 += a[i + 7]!; // prettier-ignore
    }
    out[c0] = s0; out[c0 + 1] = s1; out[c0 + 2] = s2; out[c0 + 3] = s3; // prettier-ignore
    out[c0 + 4] = s4; out[c0 + 5] = s5; out[c0 + 6] = s6; out[c0 + 7] = s7; // prettier-ignore
  }
  for (; c0 < C; c0++) {
    let s = 0;
    for (let i = c0; i < n; i += C) s += a[i]!;
    out[c0] = s;
  }
}

/** Σ of x over all but its last (channel) axis, in doubles, rounded once to float32. */
function channelSums({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const wasm = backend as Backend;
  const x = inputs.x as tf.TensorInfo;
  const C = x.shape[x.shape.length - 1]!;
  // The output first: making it may grow the WASM memory, which detaches earlier views of it.
  const out = wasm.makeOutput([C], 'float32');
  columnSums(wasm.typedArrayFromHeap(x) as Float32Array, C, wasm.typedArrayFromHeap(out) as Float32Array);
  return out;
}

let registered = false;

/** The activations a routed layer can have. */
export type ConvAct = 'relu' | 'linear' | 'tanh' | 'sigmoid';

interface ConvAttrs {
  strides: [number, number];
  pad: 'same' | 'valid';
  act: ConvAct;
}

/**
 * conv2d(x, w) + b, then the activation, with a gradient for w, b and (unless `xIsData`: the
 * network's input, whose gradient nobody needs) x. WASM only; NHWC, no dilation.
 */
export function convTrain(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D | null, a: ConvAttrs, xIsData: boolean): tf.Tensor4D {
  if (!registered) {
    registered = true;
    tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: channelSums as unknown as tf.KernelFunc });
  }
  const convAttrs = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dilations: [1, 1] };
  // XNNPACK fuses relu and sigmoid into the convolution; tanh follows it (wasmTanh.ts's kernel).
  const fusedAct = a.act === 'tanh' ? 'linear' : a.act;
  const forward = (xx: tf.Tensor4D, ww: tf.Tensor4D, bb: tf.Tensor1D | null) => {
    const z = tf.engine().runKernel('FusedConv2D', bb ? { x: xx, filter: ww, bias: bb } : { x: xx, filter: ww }, { ...convAttrs, activation: fusedAct } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    if (a.act !== 'tanh') return z;
    const y = tf.tanh(z);
    z.dispose();
    return y;
  };
  const backward = (dy: tf.Tensor4D, y: tf.Tensor4D, xx: tf.Tensor4D, ww: tf.Tensor4D) => {
    // ReLU's gradient as tfjs' fused gradient computes it, dy · step(y), without the float32 → float32
    // Cast of tfjs' Relu gradient (a copy in JS on WASM): two XNNPACK passes, 0.14 ms for 32×28×28×8.
    // tanh′ = 1 − y², σ′ = y(1 − y), as tfjs' own gradients: XNNPACK passes (a JS loop over the WASM
    // heap was 3× slower than these three here).
    const dz = a.act === 'relu' ? tf.mul(dy, tf.step(y)) : a.act === 'linear' ? dy : a.act === 'tanh' ? tf.mul(dy, tf.sub(1, tf.square(y))) : tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    const db = b ? (tf.engine().runKernel(KERNEL, { x: dz }) as tf.Tensor1D) : undefined;
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xx, dy: dz }, { ...convAttrs, filterShape: ww.shape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    const dx = xIsData ? undefined : (tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter: ww }, { ...convAttrs, inputShape: xx.shape } as unknown as tf.NamedAttrMap) as tf.Tensor4D);
    return { dx, dw, db };
  };
  // tf.customGrad takes tensors only and returns one gradient per input: x is an input only when
  // its gradient is wanted, b only when the layer has one.
  const inputs: tf.Tensor[] = [...(xIsData ? [] : [x]), w, ...(b ? [b] : [])];
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const ts = args as tf.Tensor[];
    const xx = (xIsData ? x : ts[0]) as tf.Tensor4D;
    const ww = ts[xIsData ? 0 : 1] as tf.Tensor4D;
    const bb = b ? (ts[ts.length - 1] as tf.Tensor1D) : null;
    const y = forward(xx, ww, bb);
    save([y, xx, ww]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const g = backward(dy, saved[0] as tf.Tensor4D, saved[1] as tf.Tensor4D, saved[2] as tf.Tensor4D);
        return [...(xIsData ? [] : [g.dx!]), g.dw, ...(g.db ? [g.db] : [])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (...t: tf.Tensor[]) => tf.Tensor4D)(...inputs);
}

/** Off: Conv2D layers train through tfjs' own ops on WASM again (the tests compare both). `routed` counts the layer calls taken. */
export const wasmConvTraining = { enabled: true, routed: 0 };

const ones = (v: number | number[]) => (Array.isArray(v) ? v : [v]).every((d) => d === 1);

/** Routes a Conv2D layer's training forward pass through convTrain on WASM (once; see lazyConvGrads.ts). */
export function installWasmConvTraining(): void {
  trainingConv.route = (layer: ConvLayer, x: tf.Tensor4D, xIsData: boolean) => {
    if (!wasmConvTraining.enabled || tf.getBackend() !== 'wasm') return undefined;
    if (layer.rank !== 2 || layer.dataFormat !== 'channelsLast' || layer.padding === 'causal' || !ones(layer.dilationRate)) return undefined;
    const act = (layer.activation?.getClassName() ?? 'linear') as ConvAct;
    if (!['relu', 'linear', 'tanh', 'sigmoid'].includes(act) || x.dtype !== 'float32') return undefined;
    wasmConvTraining.routed++;
    return convTrain(x, layer.kernel.read() as tf.Tensor4D, layer.bias ? (layer.bias.read() as tf.Tensor1D) : null, { strides: layer.strides as [number, number], pad: layer.padding as 'same' | 'valid', act }, xIsData);
  };
}
