// Runs one of the WASM backend's registered kernels by name, from inside another kernel, on tensors
// already in WASM memory (no engine bookkeeping, no copies). Shared by the kernels this project
// adds to tfjs-wasm (wasmConvGrads, wasmPoolGrads, wasmTanh, wasmMatMul).
import * as tf from '@tensorflow/tfjs';

export function runWasmKernel(backend: unknown, name: string, inputs: tf.NamedTensorInfoMap, attrs: object = {}): tf.TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the WASM backend has no ${name} kernel`);
  return k.kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}
