// GroupNormalization (Wu & He 2018): the channels split into `groups` groups, each example's
// every group normalised over its channels and all positions, then a learned per-channel scale
// and shift. PyTorch's nn.GroupNorm on the channels-first view (eps 1e-5, biased variance), on
// the channels-last tensors every block here uses. tfjs 4.22 has no such layer, so this module
// brings its own (registered by the registry from tfjsLayers), its model.py class and its ONNX
// decomposition (opset 17 has no GroupNormalization op: Reshape + ReduceMean/Sub/Mul/Div).
import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, MAX_RANK, type PytorchSnippet, type Shape } from '../src/core/spec';
import { fmtShape, prod, requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { singleShape, singleTensor, type LayerArgs } from '../src/core/layers/common';
import { findWeight, weightInit } from '../src/onnx/ops';
import { affine, callMember, py } from '../src/pytorch/emit';

/** The channel count (last axis): known, and a multiple of `groups`; throws naming the fix. */
function channels(x: Shape | undefined, groups: number): number {
  const s = requireRank(x, Array.from({ length: MAX_RANK - 1 }, (_, i) => i + 2), 'GroupNormalization');
  const c = s[s.length - 1];
  if (c === null || c === undefined)
    throw new BlockError(`GroupNormalization needs a known channel count (last axis), got ${fmtShape(s)}: it learns one scale and shift per channel`, { port: 'in' });
  if (c % groups !== 0) throw new BlockError(`${c} channels do not split into ${groups} groups: use a groups value that divides ${c} (e.g. ${largestDivisor(c, groups)})`, { param: 'groups' });
  return c;
}

/** The largest divisor of c not above g (a group count that fits), for the error message. */
function largestDivisor(c: number, g: number): number {
  for (let d = Math.min(c, g); d > 1; d--) if (c % d === 0) return d;
  return 1;
}

interface GroupNormArgs extends LayerArgs {
  groups: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
}

// The tfjs layer: x [N, …, C] viewed as [N, positions, groups, C/groups]; mean and (biased)
// variance over axes 1 and 3 per example and group; (x − mean)/√(var + ε); then gamma, beta per channel.
export class GroupNormalization extends tf.layers.Layer {
  static className = 'GroupNormalization';
  readonly groups: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(args: GroupNormArgs) {
    super(args);
    this.groups = args.groups;
    this.epsilon = args.epsilon;
    this.center = args.center;
    this.scale = args.scale;
    if (!Number.isInteger(this.groups) || this.groups < 1) throw new Error(`GroupNormalization groups must be an integer ≥ 1, got ${JSON.stringify(args.groups)}`);
    if (!(this.epsilon > 0)) throw new Error(`GroupNormalization epsilon must be > 0, got ${JSON.stringify(args.epsilon)}`);
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(s).slice();
  }
  override build(s: tf.Shape | tf.Shape[]): void {
    const c = channels(singleShape(s) as Shape, this.groups);
    if (this.scale) this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones(), undefined, true);
    if (this.center) this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros(), undefined, true);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      const c = x.shape[x.rank - 1]!;
      const grouped = tf.reshape(x, [x.shape[0]!, -1, this.groups, c / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      let y: tf.Tensor = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, this.epsilon))), x.shape);
      if (this.gamma) y = tf.mul(y, this.gamma.read());
      if (this.beta) y = tf.add(y, this.beta.read());
      return y;
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

/** model.py's GroupNorm: torch's F.group_norm on the channels-first view of a channels-last tensor. */
const GROUP_NORM_PY: PytorchSnippet = {
  name: 'GroupNorm',
  source: String.raw`class GroupNorm(nn.Module):
    """nn.GroupNorm semantics on a channels-last (N, ..., C) tensor; weight/bias only when learned."""

    def __init__(self, groups, channels, eps, center, scale):
        super().__init__()
        self.groups, self.eps = groups, eps
        self.weight = nn.Parameter(torch.ones(channels)) if scale else None
        self.bias = nn.Parameter(torch.zeros(channels)) if center else None

    def forward(self, x):
        return to_cl(F.group_norm(to_cf(x), self.groups, self.weight, self.bias, self.eps))
`,
};

export default defineBlock({
  type: 'GroupNormalization',
  category: 'norm',
  label: 'Group Normalization',
  docs:
    'Splits the channels into groups and normalises each example\'s every group over its channels and all positions, then applies a learned per-channel scale (gamma) and shift (beta). It does not depend on the batch, so it works with batches of 1 or 2 where BatchNormalization fails (detection, segmentation, diffusion U-Nets). groups = 1 normalises over everything (like LayerNorm over C, H, W); groups = channels is instance normalisation. PyTorch\'s nn.GroupNorm.',
  params: {
    groups: { kind: 'int', default: 32, min: 1, doc: 'Number of channel groups; must divide the channel count (32 in most CNNs).', key: true },
    epsilon: { kind: 'float', default: 1e-5, min: 0, exclusiveMin: true, doc: 'Added to the variance before the square root (nn.GroupNorm\'s 1e-5).' },
    center: { kind: 'bool', default: true, doc: 'Learn a shift beta per channel.' },
    scale: { kind: 'bool', default: true, doc: 'Learn a scale gamma per channel.' },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    channels(x, p.groups);
    return [x!.slice()];
  },
  paramCount([x], p) {
    const c = channels(x, p.groups);
    return { trainable: (p.scale ? c : 0) + (p.center ? c : 0), nonTrainable: 0 };
  },
  // Per element: accumulate the mean and the variance, then one multiply-add.
  macs: ([x]) => 3 * prod(x!.slice(1)),
  tfjsLayers: [GroupNormalization],
  toTfjs: ([x], p, ctx) => [ctx.register(new GroupNormalization({ groups: p.groups, epsilon: p.epsilon, center: p.center, scale: p.scale, name: ctx.name })).apply(x!) as never],
  toOnnx(ctx, { inputs, params, inputShapes, weights, nodeId }) {
    const x = inputs[0]!;
    const c = channels(inputShapes[0], params.groups);
    // Channels-last throughout, so no transposes: [N, …, C] → [N, positions, G, C/G] (0 keeps N).
    const grouped = ctx.node('Reshape', [x, ctx.constInt64(`${nodeId}_groups`, [0, -1, params.groups, c / params.groups])])[0]!;
    const axes = { axes: { ints: [1, 3] }, keepdims: { i: 1 } };
    const mean = ctx.node('ReduceMean', [grouped], axes)[0]!;
    const d = ctx.node('Sub', [grouped, mean])[0]!;
    const variance = ctx.node('ReduceMean', [ctx.node('Mul', [d, d])[0]!], axes)[0]!;
    const std = ctx.node('Sqrt', [ctx.node('Add', [variance, ctx.constFloat(`${nodeId}_eps`, [params.epsilon], [])])[0]!])[0]!;
    let y = ctx.node('Reshape', [ctx.node('Div', [d, std])[0]!, ctx.node('Shape', [x])[0]!])[0]!;
    if (params.scale) y = ctx.node('Mul', [y, weightInit(ctx, `${nodeId}_gamma`, findWeight(weights, 'gamma', nodeId))])[0]!;
    if (params.center) y = ctx.node('Add', [y, weightInit(ctx, `${nodeId}_beta`, findWeight(weights, 'beta', nodeId))])[0]!;
    return [y];
  },
  pytorchPrelude: [GROUP_NORM_PY],
  toPytorch(a) {
    const p = a.params;
    const c = channels(a.inputShapes[0], p.groups);
    return callMember(a, `GroupNorm(${p.groups}, ${c}, eps=${py(p.epsilon)}, center=${py(p.center)}, scale=${py(p.scale)})`, affine(a));
  },
  fixtures: [
    ...grid({ center: [true, false], scale: [true, false] }, (flags) => ({ params: { groups: 4, ...flags }, inputs: [[null, 5, 6, 8]] })),
    { params: { groups: 32 }, inputs: [[null, 4, 4, 64]], note: 'the default 32 groups' },
    { params: { groups: 1 }, inputs: [[null, 3, 4, 6]], note: 'one group (LayerNorm over C, H, W)' },
    { params: { groups: 6 }, inputs: [[null, 3, 4, 6]], note: 'a group per channel (instance norm)' },
    { params: { groups: 3, epsilon: 1e-3 }, inputs: [[null, 7, 9]], note: 'a sequence' },
    { params: { groups: 2 }, inputs: [[null, 8]], note: 'features only' },
    { params: { groups: 2 }, inputs: [[null, null, null, 4]], note: 'unknown height and width' },
    { params: { groups: 2 }, inputs: [[null, 2, 3, 4, 4]], note: '3-D volume' },
  ],
});
