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
    // Four running sums: one waits on each addition before the next (a chain of float adds), four
    // overlap; 61,706 values (LeNet-5's gradients) in WASM memory 0.10–0.14 → 0.07 ms here.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const n = a.length;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const v0 = a[i]!;
      const v1 = a[i + 1]!;
      const v2 = a[i + 2]!;
      const v3 = a[i + 3]!;
      s0 += v0 * v0;
      s1 += v1 * v1;
      s2 += v2 * v2;
      s3 += v3 * v3;
    }
    for (; i < n; i++) s0 += a[i]! * a[i]!;
    total += s0 + s1 + s2 + s3;
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
