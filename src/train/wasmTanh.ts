// tanh on tfjs' WASM backend as 2·σ(2x) − 1. tfjs-wasm 4.22 computes Tanh with a scalar std::tanh
// loop (2.6 ms for LeNet-5's first activation, [32,28,28,6]) while its Sigmoid is XNNPACK's
// vectorised kernel (0.17 ms); the four kernels below take ~0.5 ms together. The identity is
// exact; in float32 it differs from std::tanh by at most ~2e-7 (absolute), which for x near 0
// means a relative error, irrelevant to training and far below the 1e-4 the parity tests allow.
import * as tf from '@tensorflow/tfjs';
import { runWasmKernel as run } from './wasmRun';

type Backend = tf.KernelBackend & {
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
};

export function tanhViaSigmoid({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const wasm = backend as Backend;
  const { x } = inputs as { x: tf.TensorInfo };
  if (x.dtype !== 'float32') throw new Error(`Tanh on WASM: expected float32 input, got ${x.dtype}`);
  const scalar = (v: number): tf.TensorInfo => ({ dataId: wasm.write(new Float32Array([v]), [], 'float32'), shape: [], dtype: 'float32' });
  const two = scalar(2);
  const one = scalar(1);
  const temps = [two, one];
  try {
    const x2 = run(wasm, 'Multiply', { a: x, b: two });
    temps.push(x2);
    const s = run(wasm, 'Sigmoid', { x: x2 });
    temps.push(s);
    const s2 = run(wasm, 'Multiply', { a: s, b: two });
    temps.push(s2);
    return run(wasm, 'Sub', { a: s2, b: one });
  } finally {
    for (const t of temps) wasm.disposeData(t.dataId, true);
  }
}
