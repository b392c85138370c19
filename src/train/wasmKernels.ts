// tfjs' WASM backend (XNNPACK) is the fastest CPU backend for dense layers and convolutions, but it
// has no kernels for some gradients: Conv2DBackpropFilter (every conv's weight gradient) and
// UnsortedSegmentSum (an Embedding's gradient), among others. Without them it cannot train a CNN
// or anything with an Embedding. This bridge registers, for each kernel the CPU backend has and the
// WASM backend lacks, a WASM kernel that copies its inputs to the CPU backend, runs the CPU kernel
// there and copies the result back. The forward pass and every other gradient stay on XNNPACK.
// No DOM: runs in Node (CLI, measuring script) and in the browser alike.
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilter, conv2dBackpropInput } from './wasmConvGrads';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './wasmDepthwiseGrads';
import { avgPoolGrad, maxPoolGrad } from './wasmPoolGrads';
import { tanhViaSigmoid } from './wasmTanh';
import { untransposed } from './wasmMatMul';
import { installWasmConvTraining } from './wasmConvTrain';
import { installLazyConvInputGradient } from './lazyConvGrads';

type Backend = tf.KernelBackend & {
  readSync(dataId: object): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
};

/** The kernels bridged, by name (after the first call). */
export const bridgedKernels: string[] = [];

/** tfjs-wasm's own kernels that bridgeWasmKernels replaced, by name (bench/trainNode.ts times them against ours). */
export const replacedKernels: Record<string, tf.KernelConfig> = {};

/**
 * Registers the CPU backend's kernels that the WASM backend lacks as WASM kernels (once). Call after
 * the WASM backend is registered (importing @tensorflow/tfjs-backend-wasm) and before training.
 * Returns the names bridged.
 */
export function bridgeWasmKernels(): string[] {
  if (bridgedKernels.length) return bridgedKernels;
  installLazyConvInputGradient();
  // Conv2D layers with ReLU or no activation: one fused forward kernel and one backward pass (wasmConvTrain.ts).
  installWasmConvTraining();
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  if (!have.size) throw new Error('the tfjs WASM backend is not registered: import @tensorflow/tfjs-backend-wasm first');
  const cpu = tf.engine().findBackend('cpu') as Backend | null;
  if (!cpu) throw new Error('the tfjs CPU backend is not available to stand in for missing WASM kernels');
  // A convolution's two gradients as im2col + XNNPACK's matrix product (wasmConvGrads.ts): the
  // CPU backend's filter gradient is ~30× slower than the rest of a LeNet step together, and
  // tfjs-wasm's own input gradient is a naive loop as slow as that.
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInput });
  // An Embedding's gradient: the CPU kernel's per-row tensor ops cost ~200 ms a step of the
  // transformer templates; this loop, about 1 ms.
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum });
  // A depthwise convolution's gradients (MobileNet, EfficientNet, ConvNeXt): loops over typed
  // arrays, ~1000× faster than the CPU kernels' per-element TensorBuffer reads (wasmDepthwiseGrads.ts).
  // Pooling gradients: tfjs-wasm's own are C++ loops that try every filter tap per input pixel and
  // send a tied maximum's gradient elsewhere than the CPU backend; wasmPoolGrads.ts scatters once
  // per window instead: 0.3–0.6× the time, and bit for bit the CPU backend's gradients.
  for (const [kernelName, kernelFunc] of [
    ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
    ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
    ['AvgPoolGrad', avgPoolGrad],
    ['MaxPoolGrad', maxPoolGrad],
  ] as const) {
    if (have.has(kernelName)) {
      replacedKernels[kernelName] = tf.getKernel(kernelName, 'wasm')!;
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    have.add(kernelName);
  }
  // tanh (LeNet-5, every LSTM/GRU): XNNPACK's sigmoid instead of tfjs-wasm's scalar loop, ~5× faster.
  tf.unregisterKernel('Tanh', 'wasm');
  tf.registerKernel({ kernelName: 'Tanh', backendName: 'wasm', kernelFunc: tanhViaSigmoid });
  // Matrix products with a transposed operand (every Dense layer's gradients, attention): tfjs-wasm
  // leaves XNNPACK for a scalar loop 5–10× slower; transposed first, they stay on XNNPACK (wasmMatMul.ts).
  for (const kernelName of ['BatchMatMul', '_FusedMatMul']) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (!original) continue;
    replacedKernels[kernelName] = original;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: untransposed(original), setupFunc: original.setupFunc, disposeFunc: original.disposeFunc });
    bridgedKernels.push(kernelName);
  }
  // Identity: tfjs saves every tensor a gradient needs through it (49 a LeNet-5 step), and
  // tfjs-wasm's copies the data (up to 600 kB each). Tensors are immutable, so the copy can share
  // the input's memory, as the CPU and WebGL backends' Identity does.
  replacedKernels.Identity = tf.getKernel('Identity', 'wasm')!;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: identityShared });
  bridgedKernels.push('Identity', 'Tanh', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'UnsortedSegmentSum', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'AvgPoolGrad', 'MaxPoolGrad');
  have.add('Conv2DBackpropFilter').add('UnsortedSegmentSum');
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (have.has(k.kernelName)) continue;
    tf.registerKernel({
      kernelName: k.kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const wasm = backend as Backend;
        // Inputs onto the CPU backend (one copy each), the CPU kernel, the result(s) back.
        const cpuInputs: Record<string, tf.TensorInfo> = {};
        const made: object[] = [];
        for (const [name, t] of Object.entries(inputs)) {
          if (!t) continue;
          const dataId = cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype);
          made.push(dataId);
          cpuInputs[name] = { dataId, shape: t.shape, dtype: t.dtype };
        }
        try {
          const out = k.kernelFunc({ inputs: cpuInputs as tf.NamedTensorInfoMap, backend: cpu, attrs });
          const back = (o: tf.TensorInfo): tf.TensorInfo => {
            const values = cpu.readSync(o.dataId);
            cpu.disposeData(o.dataId, true);
            return { dataId: wasm.write(values, o.shape, o.dtype), shape: o.shape, dtype: o.dtype };
          };
          return Array.isArray(out) ? out.map(back) : back(out as tf.TensorInfo);
        } finally {
          for (const d of made) cpu.disposeData(d, true);
        }
      },
    });
    bridgedKernels.push(k.kernelName);
  }
  return bridgedKernels;
}

/** out[s, …] = Σ over rows i with segmentIds[i] = s of x[i, …] (ids outside [0, numSegments) dropped, as in tfjs). */
function unsortedSegmentSum({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const wasm = backend as Backend;
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const xs = wasm.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = wasm.readSync(segmentIds.dataId) as Int32Array;
  // segmentIds covers the leading dimensions of x; each id owns one row of the rest
  const rows = ids.length;
  const inner = rows ? xs.length / rows : 0;
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < rows; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const from = i * inner;
    for (let j = 0; j < inner; j++) out[o + j]! += xs[from + j]!;
  }
  return { dataId: wasm.write(out, shape, x.dtype), shape, dtype: x.dtype };
}

/** Identity as a second reference to the input's data (strings, which live outside the heap, are copied as before). */
function identityShared(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return replacedKernels.Identity!.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  (args.backend as { incRef(id: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
