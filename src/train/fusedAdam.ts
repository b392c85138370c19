// Adam as one kernel per weight tensor on the backends that run on the CPU (WASM, CPU). tfjs'
// AdamOptimizer spends 14 kernel calls per weight tensor (the moments, their bias correction, the
// square root, the step) plus six scalar uploads, and on these backends every call costs 10–20 µs
// whatever its size: for LeNet-5's 10 weight tensors that is ~140 calls a step, about as many as
// the forward and backward passes together. Here one pass over the typed arrays computes the new
// weight and both moments.
//
// Same numbers as tfjs' Adam: every operation is rounded to float32 in the same order as its
// kernels compute it (Math.fround after each), so the weights and moments are bit for bit those
// of tf.train.adam (src/train/fusedAdam.test.ts). The moments are the same slot variables, with
// the same names, so snapshots, Train more and resume read and restore them unchanged, and each
// update assigns new tensors as tfjs does (an UndoPoint finds what a step wrote by its data ids).
// GPU backends keep tfjs' kernels: a GPU runs many small kernels in one submission.
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'NbAdamStep';
/**
 * Tensors up to this size take the one-pass kernel. The JS loop costs ~13 ns a weight (three
 * divisions and a square root in doubles) against XNNPACK's vectorised ops, and ~14 calls save
 * ~0.2–0.3 ms: measured per tensor, 150 weights 0.30 → 0.08 ms, 10,080 0.28 → 0.27 ms, 48,000
 * 0.37 → 0.70 ms. Larger tensors keep tfjs' ops.
 */
const FUSED_MAX = 12_000;

type Heap = tf.backend_util.TypedArray;
interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Heap;
}
interface CpuLike {
  data: { get(id: tf.DataId): { values: Heap } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Heap): tf.TensorInfo;
}
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
interface StepAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

const f = Math.fround;

/** The update, written into p2, m2, v2; acc1/acc2 are βᵗ so far (tfjs' accBeta1/2). */
function adamPass(p: Heap, g: Heap, m: Heap, v: Heap, acc1: number, acc2: number, a: StepAttrs, p2: Heap, m2: Heap, v2: Heap): void {
  const b1 = f(a.beta1);
  const b2 = f(a.beta2);
  const c1 = f(1 - a.beta1);
  const c2 = f(1 - a.beta2);
  const d1 = f(1 - acc1);
  const d2 = f(1 - acc2);
  const eps = f(a.epsilon);
  const step = f(-a.learningRate);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * b1) + f(gi * c1));
    const vi = f(f(v[i]! * b2) + f(f(gi * gi) * c2));
    m2[i] = mi;
    v2[i] = vi;
    const mHat = f(mi / d1);
    const vHat = f(vi / d2);
    p2[i] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + eps)) * step) + p[i]!);
  }
}

function onWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const b = backend as WasmLike;
  const { value, grad, m, v, acc1, acc2 } = inputs as Record<string, tf.TensorInfo>;
  // Outputs first: making one may grow the WASM memory, which detaches earlier views of it.
  const outs = [value, m, v].map((t) => b.makeOutput(t!.shape, 'float32'));
  const heap = (t: tf.TensorInfo) => b.typedArrayFromHeap(t);
  adamPass(heap(value!), heap(grad!), heap(m!), heap(v!), heap(acc1!)[0]!, heap(acc2!)[0]!, attrs as unknown as StepAttrs, heap(outs[0]!), heap(outs[1]!), heap(outs[2]!));
  return outs;
}

function onCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const b = backend as CpuLike;
  const { value, grad, m, v, acc1, acc2 } = inputs as Record<string, tf.TensorInfo>;
  const vals = (t: tf.TensorInfo) => b.data.get(t.dataId).values;
  const n = vals(value!).length;
  const outs = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
  adamPass(vals(value!), vals(grad!), vals(m!), vals(v!), vals(acc1!)[0]!, vals(acc2!)[0]!, attrs as unknown as StepAttrs, ...outs);
  return outs.map((o) => b.makeTensorInfo(value!.shape, 'float32', o));
}

let registered = false;
/** Registers the kernel for the backends that have it (idempotent). */
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: onWasm as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: KERNEL, backendName: 'cpu', kernelFunc: onCpu as unknown as tf.KernelFunc });
}

/** The backends the fused step runs on. */
const fusedHere = () => {
  const b = tf.getBackend();
  return b === 'wasm' || b === 'cpu';
};

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

/** tf.train.adam's optimizer, with its step fused on WASM and CPU (see the top of this file). */
export class FusedAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
    register();
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    const float = (t: tf.Tensor | undefined) => !t || t.dtype === 'float32';
    const list: { name: string; tensor: tf.Tensor }[] = Array.isArray(variableGradients) ? variableGradients : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name]! }));
    const vars = tf.engine().registeredVariables;
    if (!fusedHere() || !list.every((g) => float(g.tensor) && float(vars[g.name]))) return super.applyGradients(variableGradients);
    const self = this as unknown as AdamInternals;
    const attrs = { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, learningRate: this.learningRate };
    tf.tidy(() => {
      let oneMinus: [tf.Tensor, tf.Tensor] | undefined;
      list.forEach(({ name, tensor: grad }, i) => {
        const value = vars[name]!;
        // The slots as tfjs makes them (same names, not trainable), by position in the list.
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (grad == null) return;
        const m = self.accumulatedFirstMoment[i]!.variable;
        const v = self.accumulatedSecondMoment[i]!.variable;
        const [p2, m2, v2] = value.size <= FUSED_MAX ? (tf.engine().runKernel(KERNEL, { value, grad, m, v, acc1: self.accBeta1, acc2: self.accBeta2 }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]) : this.byOps(value, grad, m, v, (oneMinus ??= [tf.sub(1, self.accBeta1), tf.sub(1, self.accBeta2)]));
        m.assign(m2!);
        v.assign(v2!);
        value.assign(p2!);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
    });
    self.incrementIterations();
  }

  /** tfjs' own formula, op for op (XNNPACK's vectorised ops beat the JS loop on large tensors). */
  private byOps(value: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, [d1, d2]: [tf.Tensor, tf.Tensor]): tf.Tensor[] {
    const m2 = tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1));
    const v2 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
    const mHat = tf.div(m2, d1);
    const vHat = tf.div(v2, d2);
    return [tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate), value), m2, v2];
  }
}
