import * as tf from '@tensorflow/tfjs';
import { BlockError, defineBlock, type Shape } from '../src/core/spec';
import { fmtShape } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { singleShape, type LayerArgs } from '../src/core/layers/common';

// The tfjs layer behind each output: channels [begin, begin + size) of a channels-last tensor of any rank ≥ 2.
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
    const s = singleShape(inputShape);
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

/** The channel count per part; the input must have a known last axis that `parts` divides. */
function partSize(x: Shape | undefined, parts: number): number {
  if (!x) throw new BlockError('input "in" is not connected: connect a tensor to it', { port: 'in' });
  if (x.length < 2) throw new BlockError(`ChannelSplit needs an input with channels on its last axis, got ${fmtShape(x)}`, { port: 'in' });
  const c = x[x.length - 1];
  if (c === null || c === undefined) throw new BlockError(`ChannelSplit needs a known channel count (last axis), got ${fmtShape(x)}`, { port: 'in' });
  if (c % parts !== 0) throw new BlockError(`ChannelSplit cannot split ${c} channels into ${parts} equal parts (input ${fmtShape(x)}): pick parts that divides ${c}`, { param: 'parts' });
  return c / parts;
}

export default defineBlock({
  type: 'ChannelSplit',
  category: 'reshape',
  label: 'Channel split',
  docs:
    'Splits the channels (last axis) into equal parts, one output port each: [N, H, W, C] → parts × [N, H, W, C/parts]. ShuffleNetV2 units send one half through a branch and pass the other by; Concatenate joins them again. Part k holds channels k·C/parts … (k+1)·C/parts − 1, as torch.split / torch.chunk on the channel axis.',
  params: {
    parts: { kind: 'int', default: 2, min: 2, max: 64, doc: 'Number of equal parts (and output ports out0, out1, …); must divide the channel count.', key: true },
  },
  inputs: () => [{ name: 'in' }],
  outputs: (p) => Array.from({ length: p.parts }, (_, k) => `out${k}`),
  inferShape([x], p) {
    const size = partSize(x, p.parts);
    return Array.from({ length: p.parts }, () => [null, ...x!.slice(1, -1), size]);
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  macs: () => 0,
  tfjsLayers: [ChannelSlice],
  toTfjs([x], p, ctx) {
    const size = partSize(x!.shape as Shape, p.parts);
    return Array.from({ length: p.parts }, (_, k) => ctx.register(new ChannelSlice({ begin: k * size, size, name: `${ctx.name}_${k}` })).apply(x!) as never);
  },
  toOnnx(ctx, { params: p, inputs: [x], inputShapes: [xs] }) {
    const size = partSize(xs, p.parts);
    return ctx.node('Split', [x!, ctx.constInt64('split', new Array<number>(p.parts).fill(size))], { axis: { i: -1 } }, { outputs: p.parts });
  },
  toPytorch: (a) => ({ lines: [`${a.outputs.join(', ')} = torch.split(${a.inputs[0]}, ${partSize(a.inputShapes[0], a.params.parts)}, dim=-1)`] }),
  fixtures: [
    ...grid({ parts: [2, 3] }, (params) => ({ params, inputs: [[null, 5, 4, 6]] })),
    { params: { parts: 4 }, inputs: [[null, 8]], note: 'features' },
    { params: { parts: 2 }, inputs: [[null, null, 6]], note: 'variable length' },
  ],
});
