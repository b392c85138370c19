// tfjs-wasm's BatchMatMul (and _FusedMatMul) run XNNPACK's fast path only when neither operand is
// transposed; with transposeA or transposeB they fall back to a scalar loop. Every Dense layer's
// two gradients are such products (dW = xᵀ·dy, dx = dy·Wᵀ), and so are attention's q·kᵀ and its
// gradients. Measured on this machine (Node, 1 thread): [288×32]·[32×128] 0.43 ms plain against
// 2.0–2.5 ms with either operand transposed, while transposing the 288×32 operand first costs
// 0.03–0.05 ms. So these wrappers transpose the flagged operands with the Transpose kernel (a
// copy of the last two axes) and call tfjs-wasm's own kernel with no transpose flags: the same
// products, summed by XNNPACK in its own order (equal up to float rounding).
import * as tf from '@tensorflow/tfjs';
import { runWasmKernel as run } from './wasmRun';

type Backend = tf.KernelBackend & { disposeData(dataId: object, force?: boolean): boolean };
type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type MatMulAttrs = { transposeA: boolean; transposeB: boolean };

/** x with its last two axes swapped, as a new tensor in WASM memory. */
function swapLastTwo(backend: Backend, x: tf.TensorInfo): tf.TensorInfo {
  const r = x.shape.length;
  return run(backend, 'Transpose', { x }, { perm: [...Array(r - 2).keys(), r - 1, r - 2] });
}

/** A matrix-product kernel that hands `original` only untransposed operands. */
export function untransposed(original: tf.KernelConfig): tf.KernelFunc {
  return ((args: Args) => {
    const attrs = args.attrs as unknown as MatMulAttrs;
    if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    const backend = args.backend as Backend;
    const temps: tf.TensorInfo[] = [];
    const plain = (t: tf.TensorInfo, flag: boolean) => (flag ? (temps.push(swapLastTwo(backend, t)), temps[temps.length - 1]!) : t);
    try {
      const inputs = { ...args.inputs, a: plain(args.inputs.a as tf.TensorInfo, attrs.transposeA), b: plain(args.inputs.b as tf.TensorInfo, attrs.transposeB) };
      return original.kernelFunc({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } } as Parameters<tf.KernelFunc>[0]);
    } finally {
      for (const t of temps) backend.disposeData(t.dataId, true);
    }
  }) as unknown as tf.KernelFunc;
}
