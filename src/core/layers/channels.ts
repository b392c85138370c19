// Channel rearrangements tfjs 4.22 has no layer for, on channels-last tensors of any rank ≥ 2:
//   ChannelSlice: channels [begin, begin + size) — one per output of a ChannelSplit block.
//   ChannelShuffle: ShuffleNet's shuffle with `groups` groups: view the C channels as
//     [groups, C/groups], transpose to [C/groups, groups], flatten, so output channel
//     j·groups + g is input channel g·(C/groups) + j — what torchvision's channel_shuffle does on NCHW.
import * as tf from '@tensorflow/tfjs';
import type { LayerArgs } from './common';

function single(s: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
}

export interface ChannelSliceArgs extends LayerArgs {
  begin: number;
  size: number;
}

export class ChannelSlice extends tf.layers.Layer {
  static className = 'ChannelSlice';
  readonly begin: number;
  readonly size: number;
  constructor(args: ChannelSliceArgs) {
    super(args);
    this.begin = args.begin;
    this.size = args.size;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = single(inputShape);
    return [...s.slice(0, -1), this.size];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const r = x.rank;
    return tf.slice(x, [...new Array<number>(r - 1).fill(0), this.begin], [...new Array<number>(r - 1).fill(-1), this.size]);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, size: this.size };
  }
}
tf.serialization.registerClass(ChannelSlice);

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
    return single(inputShape).slice();
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
tf.serialization.registerClass(ChannelShuffle);
