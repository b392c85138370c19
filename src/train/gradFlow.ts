// Gradient flow: every few batches, per block, the norm of its weights' gradient, the size of
// the step the optimizer took relative to the weights (update/weight ratio), and the statistics of
// its output (mean, std, fraction of exact zeros — dead ReLUs). The training loop already holds
// every gradient; this reads them back only on the sampled batches (one read per sample), so
// between samples training pays nothing.
import * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from '../core/compile';

export interface ActivationStats {
  mean: number;
  std: number;
  /** Fraction of outputs that are exactly 0 (a ReLU that never fires). */
  zeros: number;
}

export interface BlockFlow {
  node: string;
  /** ‖∂loss/∂w‖ over all the block's trainable weights (before clipping). */
  gradNorm: number;
  weightNorm: number;
  /** ‖Δw‖ / ‖w‖ of this batch's step (≈1e-3 is healthy for most optimizers). */
  updateRatio: number;
  act?: ActivationStats;
}

export interface GradFlowSample {
  /** Epochs count from the start of training (Train more continues them). */
  epoch: number;
  batch: number;
  /** 1-based batch number over the whole training, the x axis the loss curve uses. */
  step: number;
  /** Blocks with trainable weights, in the compiled model's order (input side first). */
  blocks: BlockFlow[];
}

export interface GradFlowOptions {
  /** Sample every this many batches (default: about 20 samples per epoch, and always batch 0). */
  every?: number;
  /** Also measure each block's output (one extra forward pass in inference mode per sample). */
  activations?: boolean;
}

/** What train() calls on a sampled batch (see TrainOptions.gradFlow). */
export interface GradFlowHook {
  wants(batch: number, batchesPerEpoch: number): boolean;
  /** Before the step: copies of the weights (for the update ratio). */
  before(vars: tf.Variable[]): tf.Tensor[];
  /** After the step; disposes `prev` and the tensors of `inputs()`. */
  after(at: { epoch: number; batch: number; step: number }, vars: tf.Variable[], grads: tf.Tensor[], prev: tf.Tensor[], inputs: () => tf.Tensor[]): Promise<void>;
}

/** The block (graph node) each trainable variable belongs to, and each block's output tensor. */
function blockMaps(c: CompiledModel) {
  const owner = new Map<tf.Variable, string>();
  const outputs: { node: string; t: tf.SymbolicTensor }[] = [];
  for (const [node, layers] of c.layersByNode) {
    for (const l of layers) for (const w of l.trainableWeights) owner.set(w.read() as tf.Variable, node);
    const last = layers[layers.length - 1];
    if (!last || !layers.some((l) => l.trainableWeights.length)) continue;
    try {
      const out = last.output;
      // A layer used twice (shared) or with several outputs has no single output to measure.
      if (!Array.isArray(out)) outputs.push({ node, t: out });
    } catch {
      // as above
    }
  }
  return { owner, outputs };
}

export function createGradFlow(c: CompiledModel, opts: GradFlowOptions, emit: (s: GradFlowSample) => void | Promise<void>): GradFlowHook {
  const { owner, outputs } = blockMaps(c);
  let probe: tf.LayersModel | undefined;
  const probeModel = () =>
    // Shares the trained model's layers and weights; never disposed (that would dispose them too).
    (probe ??= tf.model({ inputs: c.model.inputs, outputs: outputs.map((o) => o.t) }));
  return {
    wants: (batch, per) => batch === 0 || batch % (opts.every ?? Math.max(1, Math.ceil(per / 20))) === 0,
    before: (vars) => vars.map((v) => tf.clone(v)),
    async after(at, vars, grads, prev, inputs) {
      const nodes: string[] = [];
      const index = new Map<string, number>();
      for (const v of vars) {
        const n = owner.get(v) ?? v.name;
        if (!index.has(n)) index.set(n, nodes.push(n) - 1);
      }
      const useAct = !!opts.activations && outputs.length > 0;
      const packed = tf.tidy(() => {
        const acc = (f: (i: number) => tf.Tensor) => {
          const sums = nodes.map(() => [] as tf.Tensor[]);
          vars.forEach((_, i) => sums[index.get(owner.get(vars[i]!) ?? vars[i]!.name)!]!.push(f(i)));
          return sums.map((s) => s.reduce((a, b) => tf.add(a, b)));
        };
        // Summed pairwise (not addN) for WebGPU's binding limit, as the loop does.
        const g = acc((i) => tf.sum(tf.square(grads[i]!)));
        const w = acc((i) => tf.sum(tf.square(vars[i]!)));
        const d = acc((i) => tf.sum(tf.square(tf.sub(vars[i]!, prev[i]!))));
        const parts = [tf.stack(g), tf.stack(w), tf.stack(d)];
        if (useAct) {
          const xs = inputs();
          const out = probeModel().predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
          for (const a of Array.isArray(out) ? out : [out]) {
            const { mean, variance } = tf.moments(a.toFloat());
            parts.push(tf.stack([mean, tf.sqrt(variance), tf.mean(tf.equal(a, 0).toFloat())]));
          }
        }
        return tf.concat(parts.map((p) => p.flatten()));
      });
      tf.dispose(prev);
      let nums: Float32Array;
      try {
        nums = (await packed.data()) as Float32Array;
      } finally {
        packed.dispose();
      }
      const k = nodes.length;
      const actAt = new Map(useAct ? outputs.map((o, j) => [o.node, 3 * k + 3 * j]) : []);
      const blocks = nodes.map((node, i): BlockFlow => {
        const weightNorm = Math.sqrt(nums[k + i]!);
        const b: BlockFlow = { node, gradNorm: Math.sqrt(nums[i]!), weightNorm, updateRatio: Math.sqrt(nums[2 * k + i]!) / Math.max(weightNorm, 1e-12) };
        const j = actAt.get(node);
        if (j !== undefined) b.act = { mean: nums[j]!, std: nums[j + 1]!, zeros: nums[j + 2]! };
        return b;
      });
      await emit({ ...at, blocks });
    },
  };
}

export interface FlowFlag {
  kind: 'vanishing' | 'exploding';
  node: string;
  message: string;
}

/** Below this fraction of the strongest block's gradient, a block's gradient is vanishing. */
export const VANISHING_RATIO = 1e-3;
/** A step larger than this fraction of the weights is exploding (healthy steps are ≈1e-3). */
export const EXPLODING_UPDATE = 0.5;
/** A gradient norm above this is exploding whatever the other blocks do. */
export const EXPLODING_NORM = 1e3;

const SUP: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
/** 10 to the rounded log10 of x, written as in "10⁻⁶". */
export function powerOfTen(x: number): string {
  if (!(x > 0) || !Number.isFinite(x)) return String(x);
  return `10${String(Math.round(Math.log10(x))).replace(/./g, (ch) => SUP[ch] ?? ch)}`;
}

/** Vanishing and exploding gradients in one sample, each naming the block (and the block it is compared with). */
export function diagnose(s: GradFlowSample): FlowFlag[] {
  const flags: FlowFlag[] = [];
  const live = s.blocks.filter((b) => Number.isFinite(b.gradNorm));
  if (!live.length) return flags;
  const top = live.reduce((a, b) => (b.gradNorm > a.gradNorm ? b : a));
  for (const b of live) {
    if (top.gradNorm > 0 && b.gradNorm / top.gradNorm < VANISHING_RATIO)
      flags.push({ kind: 'vanishing', node: b.node, message: `${b.node}'s gradients are ${powerOfTen(b.gradNorm / top.gradNorm)} of ${top.node}'s (vanishing: ${b.node} barely learns)` });
    else if (b.gradNorm > EXPLODING_NORM || b.updateRatio > EXPLODING_UPDATE)
      flags.push({
        kind: 'exploding',
        node: b.node,
        message: `${b.node}'s gradients are exploding: norm ${b.gradNorm.toExponential(1)}, each step changes its weights by ${(b.updateRatio * 100).toFixed(0)}% — lower the learning rate or clip (clipNorm)`,
      });
  }
  return flags;
}
