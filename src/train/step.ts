// One training step in two halves, so the loop (loop.ts) can apply a batch's update before its
// numbers are read back: gradients (with the loss, the gradient norm and the accuracy counts as
// one small tensor), then the update, clipped by global norm on the device. A read-back stalls the
// GPU and the loop until the queue drains; deferred, it overlaps the next batch's work.
//
// An update applied before its numbers are known can be a NaN one; an UndoPoint taken before it
// puts back every variable the update writes (the weights and the optimizer's slots) and the
// optimizer's step count, without copying: it holds the old tensors' data, which the update
// would otherwise free, so it costs one extra copy of the weights and slots in memory, no time.
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../data/dataset';
import { Sampling, samplingLosses } from '../../blocks/sampling';
import { accuracyCount, lossValue } from './losses';
import { batchTensors, type Plan } from './plan';
import { installLazyConvInputGradient } from './lazyConvGrads';
import { sumOfSquares } from './sumSquares';

export interface StepTensors {
  /** [loss, gradient norm (or, without clipping, gradientCheck's sum), correct, counted positions], to be read back. */
  nums: tf.Tensor1D;
  /** The gradients, in the order of the loop's variables. */
  grads: tf.Tensor[];
  /** The factor the gradients are clipped by (global norm); none without clipping. */
  scale: tf.Scalar | undefined;
  /** Whether the outputs count accuracy (classification losses). */
  counted: boolean;
}

/** What one batch's numbers read back as. */
export interface StepNumbers {
  loss: number;
  /** The gradient norm, or without clipping a number only as finite as the gradients (gradientCheck). */
  norm: number;
  correct: number;
  total: number;
}

/** The forward pass and the gradients of one batch (training mode); nothing is applied. */
export function computeStep(model: tf.LayersModel, plan: Plan, batch: Split, vars: tf.Variable[], clipNorm: number | null): StepTensors {
  installLazyConvInputGradient();
  let counted = false;
  const out = tf.tidy(() => {
    const { xs, ys } = batchTensors(plan, batch);
    let acc: tf.Scalar[] = [];
    let tot: tf.Scalar[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(xs.length === 1 ? xs[0]! : xs, { training: true }) as tf.Tensor | tf.Tensor[];
      const outs = Array.isArray(out) ? out : [out];
      let loss: tf.Tensor | undefined;
      acc = [];
      tot = [];
      plan.outputs.forEach((o, k) => {
        const l = lossValue(o.loss, ys[k]!, outs[k]!, o.ignore);
        loss = loss ? tf.add(loss, l) : l;
        const a = accuracyCount(o.loss, ys[k]!, outs[k]!, o.ignore);
        if (a) {
          acc.push(tf.keep(a.correct));
          tot.push(tf.keep(a.total));
        }
      });
      counted = acc.length > 0;
      // Layer losses: the VAE's KL term from Sampling blocks (none in most models: no kernel call then).
      if (model.layers.some((l) => l instanceof Sampling)) loss = tf.add(loss!, samplingLosses(model));
      return loss as tf.Scalar;
    }, vars);
    const gs = vars.map((v) => grads[v.name]!);
    // The norm where clipping needs it; else only a finiteness check (cheaper on GPU backends).
    const norm = clipNorm === null ? gradientCheck(gs) : globalNorm(gs);
    // One output's counts as they are (no kernel call); several summed. Stacked (copied) below,
    // then freed with the rest of this tidy.
    const sum = (ts: tf.Scalar[]): tf.Tensor => (ts.length ? ts.slice(1).reduce<tf.Tensor>((a, b) => tf.add(a, b), ts[0]!) : tf.scalar(0));
    const correct = sum(acc);
    const total = sum(tot);
    // clip / max(norm, clip): exactly 1 up to the limit, clip / norm past it; NaN for a NaN norm
    // (the update is then undone when the numbers are read).
    const scale = clipNorm === null ? undefined : (tf.div(clipNorm, tf.maximum(norm, clipNorm)) as tf.Scalar);
    const nums = tf.stack([value, norm, correct, total]) as tf.Tensor1D;
    // Kept out of variableGrads' scope with tf.keep, so this tidy does not free them by itself.
    tf.dispose([...acc, ...tot]);
    return { nums, grads: gs, scale };
  });
  return { ...out, counted };
}

/**
 * √Σ‖g‖² over all gradients. On the backends that run on the CPU (WASM, CPU) every kernel call
 * costs ~5–20 µs whatever its size, and the per-tensor form below is 3 calls a weight tensor (31
 * for LeNet-5, ~5% of its 12 ms WASM step): there one kernel sums the squares of every gradient
 * where it lies (sumSquares.ts; float32 gradients). On GPU backends: a square and a sum per
 * tensor, then one addition of the per-tensor sums (sumScalars).
 */
export function globalNorm(gs: tf.Tensor[], backend = tf.getBackend()): tf.Scalar {
  return tf.tidy(() => {
    if (!gs.length) return tf.scalar(0);
    if ((backend === 'wasm' || backend === 'cpu') && gs.every((g) => g.dtype === 'float32')) return tf.sqrt(sumOfSquares(gs)) as tf.Scalar;
    return tf.sqrt(sumScalars(gs.map((g) => tf.sum(tf.square(g))), backend)) as tf.Scalar;
  });
}

/**
 * Where no clipping needs the norm, the NaN check needs only a number that is not finite when a
 * gradient is not: Σ over tensors of Σ g (one reduction a tensor, no squares). On GPU backends
 * every kernel is a shader pass, and the loop's own passes are what it costs over a bare step: on
 * SwiftShader's WebGL each was ~0.7 ms of a 315 ms LeNet-5 step, and the norm's 31 passes for
 * LeNet-5 become 11. (It can only be non-finite more rarely than the norm, whose squares overflow
 * first.) On WASM and CPU the norm is one kernel already.
 */
export function gradientCheck(gs: tf.Tensor[], backend = tf.getBackend()): tf.Scalar {
  if (backend === 'wasm' || backend === 'cpu') return globalNorm(gs, backend);
  return tf.tidy(() => (gs.length ? sumScalars(gs.map((g) => tf.sum(g)), backend) : tf.scalar(0)) as tf.Scalar);
}

/**
 * Σ of scalars in few kernel calls: one tf.addN on WebGL (it splits past the shader's texture
 * limit itself); on WebGPU addN binds every input as a storage buffer, and past the device's limit
 * (8 on many adapters, SwiftShader's among them) the work is dropped and the sum reads back as 0,
 * so there in groups of at most 6.
 */
export function sumScalars(ts: tf.Tensor[], backend = tf.getBackend()): tf.Tensor {
  let parts = ts;
  const group = backend === 'webgpu' ? 6 : Infinity;
  while (parts.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < parts.length; i += Math.min(group, parts.length)) {
      const chunk = parts.slice(i, i + Math.min(group, parts.length));
      next.push(chunk.length === 1 ? chunk[0]! : tf.addN(chunk));
    }
    parts = next;
  }
  return parts[0]!;
}

export const stepTensors = (s: StepTensors): tf.Tensor[] => [s.nums, ...s.grads, ...(s.scale ? [s.scale] : [])];

/** Reads a step's numbers back (asynchronously: reliable on WebGPU, and it lets the GPU run on). */
export async function readStep(s: Pick<StepTensors, 'nums' | 'counted'>): Promise<StepNumbers> {
  const v = await s.nums.data();
  return { loss: v[0]!, norm: v[1]!, correct: v[2]!, total: s.counted ? v[3]! : 0 };
}

export const finite = (n: StepNumbers): boolean => Number.isFinite(n.loss) && Number.isFinite(n.norm);

/** Applies a step's (clipped) gradients with the optimizer. */
export function applyStep(optimizer: tf.Optimizer, vars: tf.Variable[], s: StepTensors): void {
  tf.tidy(() => {
    const named: tf.NamedTensorMap = {};
    vars.forEach((v, i) => (named[v.name] = s.scale ? tf.mul(s.grads[i]!, s.scale) : s.grads[i]!));
    optimizer.applyGradients(named);
  });
}

/** The engine's variables by name (the model's, the optimizers', any other model's). */
const registered = (): Record<string, tf.Variable> => (tf.engine().state as unknown as { registeredVariables: Record<string, tf.Variable> }).registeredVariables;

/**
 * Applies a step and returns the variables it wrote: those whose data changed and those it made
 * (an optimizer's slots on its first step). These are what an UndoPoint must hold.
 */
export function applyAndFindWritten(optimizer: tf.Optimizer, vars: tf.Variable[], s: StepTensors): tf.Variable[] {
  const before = new Map(Object.values(registered()).map((v) => [v, v.dataId]));
  applyStep(optimizer, vars, s);
  return Object.values(registered()).filter((v) => before.get(v) !== v.dataId);
}

/** A second reference to a tensor's data: kept alive past an assign, no copy (tf.clone copies on WASM). */
function hold(t: tf.Tensor): tf.Tensor {
  const engine = tf.engine();
  const backend = engine.backend as { incRef?: (id: object) => void };
  if (typeof backend.incRef !== 'function') return tf.clone(t);
  const h = engine.makeTensorFromDataId(t.dataId, t.shape, t.dtype);
  backend.incRef(t.dataId);
  return h;
}

type Counted = { iterations_?: number };

/** The state before an update: `undo` puts it back, `release` lets it go. */
export class UndoPoint {
  private readonly held: [tf.Variable, tf.Tensor][];
  private readonly iterations: number | undefined;
  constructor(
    written: tf.Variable[],
    private readonly optimizer: tf.Optimizer,
  ) {
    this.held = written.filter((v) => !v.isDisposed).map((v) => [v, hold(v)]);
    this.iterations = (optimizer as unknown as Counted).iterations_;
  }
  undo(): void {
    for (const [v, h] of this.held) if (!v.isDisposed) v.assign(h);
    (this.optimizer as unknown as Counted).iterations_ = this.iterations;
    this.release();
  }
  release(): void {
    for (const [, h] of this.held) h.dispose();
    this.held.length = 0;
  }
}
