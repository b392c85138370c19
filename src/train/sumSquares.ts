// The squared global norm of all gradients, Σ over tensors of Σ g², as one kernel call on the
// backends that run on the CPU (WASM, CPU). As tensor ops it is a reshape per gradient, a concat,
// a square, a sum: 14 calls for LeNet-5, each 5–20 µs whatever its size, plus a copy of every
// gradient; here one pass reads each gradient where it lies and sums in doubles (so the result is
// at least as accurate as the float32 ops, and the same whatever the order of the tensors).
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'NbSumSquares';

type Heap = tf.backend_util.TypedArray;
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown };

function sumSquares(arrays: Heap[]): number {
  let total = 0;
  for (const a of arrays) {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
    total += s;
  }
  return total;
}

function onWasm({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): Heap };
  // The output first: making it may grow the WASM memory, which detaches earlier views of it.
  const out = b.makeOutput([], 'float32');
  const total = sumSquares(Object.values(inputs).map((t) => b.typedArrayFromHeap(t as tf.TensorInfo)));
  b.typedArrayFromHeap(out)[0] = total;
  return out;
}

function onCpu({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as { data: { get(id: tf.DataId): { values: Heap } }; makeTensorInfo(shape: number[], dtype: tf.DataType, values: Heap): tf.TensorInfo };
  const total = sumSquares(Object.values(inputs).map((t) => b.data.get((t as tf.TensorInfo).dataId).values));
  return b.makeTensorInfo([], 'float32', Float32Array.of(total));
}

let registered = false;

/** Σ over the tensors of Σ x² (float32 tensors, on WASM or CPU), one kernel call. */
export function sumOfSquares(ts: tf.Tensor[]): tf.Scalar {
  if (!registered) {
    registered = true;
    tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: onWasm as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: KERNEL, backendName: 'cpu', kernelFunc: onCpu as unknown as tf.KernelFunc });
  }
  const inputs: tf.NamedTensorMap = {};
  ts.forEach((t, i) => (inputs[`x${i}`] = t));
  return tf.engine().runKernel(KERNEL, inputs) as tf.Scalar;
}
