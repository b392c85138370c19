// Grouped convolution (1-D and 2-D), which tfjs 4.22's Conv1D/Conv2D lack (no `groups`): the
// channels split into `groups` equal parts, each convolved with its own filters/groups filters,
// outputs concatenated in group order — Keras' Conv2D(groups=…) and PyTorch's nn.Conv2d(groups=…).
// Weights keep Keras' layout: kernel [k…, in/groups, filters] (output channel j belongs to group
// j ÷ (filters/groups)), bias [filters]. A depthwise case (in/groups = 1) runs as one
// depthwiseConv2d (the kernel reshapes to [kh, kw, in, filters/in] with the same element order);
// otherwise split → conv per group → concat. 1-D runs as 2-D with a height of 1.
// The activation is a separate layer after this one (blocks/convCommon.ts).
import * as tf from '@tensorflow/tfjs';
import { initializer, type LayerArgs } from './common';
import { convOutputLength } from '../shapes';

export interface GroupedConvArgs extends LayerArgs {
  rank: 1 | 2;
  filters: number;
  kernelSize: number[];
  strides: number[];
  dilationRate: number[];
  padding: 'valid' | 'same';
  groups: number;
  useBias: boolean;
  kernelInitializer?: string;
}

export class GroupedConv extends tf.layers.Layer {
  static className = 'GroupedConv';
  readonly cfg: Omit<GroupedConvArgs, keyof LayerArgs>;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: GroupedConvArgs) {
    super(args);
    const { rank, filters, kernelSize, strides, dilationRate, padding, groups, useBias, kernelInitializer } = args;
    this.cfg = { rank, filters, kernelSize, strides, dilationRate, padding, groups, useBias, kernelInitializer };
    if (!Number.isInteger(groups) || groups < 1 || filters % groups !== 0)
      throw new Error(`GroupedConv "${this.name}": groups ${JSON.stringify(groups)} must be an integer ≥ 1 that divides filters ${filters}`);
  }

  private inChannels(inputShape: tf.Shape | tf.Shape[]): number {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const cin = s[s.length - 1];
    if (cin == null || cin % this.cfg.groups !== 0)
      throw new Error(`GroupedConv "${this.name}": ${cin} input channels do not split into groups ${this.cfg.groups}`);
    return cin;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const { rank, kernelSize, padding, strides, dilationRate, filters } = this.cfg;
    const spatial = Array.from({ length: rank }, (_, i) => convOutputLength(s[1 + i] ?? null, kernelSize[i]!, padding, strides[i]!, dilationRate[i]!));
    return [s[0] ?? null, ...spatial, filters];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const cin = this.inChannels(inputShape);
    const { kernelSize, groups, filters, useBias, kernelInitializer } = this.cfg;
    this.kernel = this.addWeight('kernel', [...kernelSize, cin / groups, filters], 'float32', initializer(kernelInitializer), undefined, true);
    if (useBias) this.bias = this.addWeight('bias', [filters], 'float32', tf.initializers.zeros(), undefined, true);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const { rank, strides, dilationRate, padding, groups, filters } = this.cfg;
      let x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      let k = this.kernel!.read() as tf.Tensor4D;
      let st = strides as [number, number];
      let dil = dilationRate as [number, number];
      if (rank === 1) {
        x = tf.expandDims(x, 1) as tf.Tensor4D;
        k = tf.expandDims(k, 0) as tf.Tensor4D;
        st = [1, strides[0]!];
        dil = [1, dilationRate[0]!];
      }
      const [kh, kw, perGroup] = k.shape;
      let y: tf.Tensor4D;
      if (perGroup === 1) {
        y = tf.depthwiseConv2d(x, tf.reshape(k, [kh, kw, groups, filters / groups]) as tf.Tensor4D, st, padding, 'NHWC', dil);
      } else {
        const xs = tf.split(x, groups, 3);
        const ks = tf.split(k, groups, 3);
        y = tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ks[i] as tf.Tensor4D, st, padding, 'NHWC', dil)), 3);
      }
      let out: tf.Tensor = y;
      if (this.bias) out = tf.add(out, this.bias.read());
      return rank === 1 ? tf.squeeze(out, [1]) : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { kernelInitializer, ...rest } = this.cfg;
    return { ...super.getConfig(), ...rest, ...(kernelInitializer ? { kernelInitializer } : {}) };
  }
}
