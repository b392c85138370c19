import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type Shape } from '../src/core/spec';
import { fmtShape } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { assign } from '../src/pytorch/emit';
import { singleShape, type LayerArgs } from '../src/core/layers/common';

// The tfjs layer: view the C channels as [groups, C/groups], transpose, flatten, so output channel
// j·groups + g is input channel g·(C/groups) + j (torchvision's channel_shuffle on NCHW).
export interface ChannelShuffleArgs extends LayerArgs {
  groups: number;
}

export class ChannelShuffle extends tf.layers.Layer {
  static className = 'ChannelShuffle';
  readonly groups: number;
  constructor(args: ChannelShuffleArgs) {
    super(args);
    this.groups = args.groups;
    if (!Number.isInteger(this.groups) || this.groups < 1) throw new Error(`ChannelShuffle groups must be an integer ≥ 1, got ${JSON.stringify(args.groups)}`);
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape).slice();
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const lead = x.shape.slice(0, -1);
      const c = x.shape[x.rank - 1]!;
      const g = this.groups;
      if (c % g !== 0) throw new Error(`ChannelShuffle "${this.name}": ${c} channels do not split into ${g} groups`);
      const perm = [...lead.map((_, i) => i), x.rank, x.rank - 1];
      return tf.reshape(tf.transpose(tf.reshape(x, [...lead, g, c / g]), perm), x.shape);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups };
  }
}

/** Channels per group; the channel count (last axis) must be known and divisible by groups. */
function perGroup(x: Shape | undefined, groups: number): number {
  if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
  const c = x.length >= 2 ? x[x.length - 1] : undefined;
  if (c === null || c === undefined) throw new BlockError(`ChannelShuffle needs a known channel count (last axis), got ${fmtShape(x)}`, { port: 'in' });
  if (c % groups !== 0) throw new BlockError(`ChannelShuffle cannot shuffle ${c} channels in ${groups} groups (input ${fmtShape(x)}): pick groups that divides ${c}`, { param: 'groups' });
  return c / groups;
}

export default defineBlock({
  type: 'ChannelShuffle',
  category: 'reshape',
  label: 'Channel shuffle',
  docs:
    "ShuffleNet's channel shuffle: views the C channels as groups × C/groups, transposes and flattens, so the next grouped convolution sees channels from every group (output channel j·groups + g is input channel g·C/groups + j, as torchvision's channel_shuffle). No weights; the shape is unchanged.",
  params: {
    groups: { kind: 'int', default: 2, min: 1, doc: 'Number of channel groups to interleave; must divide the channel count.', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    perGroup(x, p.groups);
    return [[null, ...x!.slice(1)]];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  tfjsLayers: [ChannelShuffle],
  toTfjs: ([x], p, ctx) => [ctx.register(new ChannelShuffle({ groups: p.groups, name: ctx.name })).apply(x!) as never],
  toOnnx(ctx, { params: p, inputs: [x], inputShapes: [xs] }) {
    const per = perGroup(xs, p.groups);
    const keep = new Array<number>(xs!.length - 1).fill(0); // Reshape's 0 copies the input's dim (batch, unknown lengths)
    const split = ctx.node('Reshape', [x!, ctx.constInt64('groups_shape', [...keep, p.groups, per])])[0]!;
    const r = xs!.length + 1;
    const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
    const t = ctx.node('Transpose', [split], { perm: { ints: perm } })[0]!;
    return ctx.node('Reshape', [t, ctx.constInt64('channels_shape', [...keep, p.groups * per])]);
  },
  toPytorch: (a) => {
    const x = a.inputs[0]!;
    return assign(a, `${x}.reshape(*${x}.shape[:-1], ${a.params.groups}, ${perGroup(a.inputShapes[0], a.params.groups)}).transpose(-1, -2).reshape(${x}.shape)`);
  },
  fixtures: [
    ...grid({ groups: [1, 2, 3, 6] }, (params) => ({ params, inputs: [[null, 4, 5, 6]] })),
    { params: { groups: 4 }, inputs: [[null, 8]], note: 'features' },
    { params: { groups: 2 }, inputs: [[null, null, 4]], note: 'variable length' },
  ],
});
