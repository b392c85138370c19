// Channel ops of ShuffleNet-style models: Slice / Split of equal channel parts → ChannelSplit (one
// block per split input, its ports read by each Slice), a Slice of height / width → Cropping2D,
// and torchvision's channel shuffle — Reshape [N,C,H,W] → [N,g,C/g,H,W], Transpose
// [0,2,1,3,4], Reshape back to [N,C,H,W] — → ChannelShuffle. The two middle values of the shuffle
// are layouts ("chgroups", "chgroupsT") that cost no block; any other use of them is refused.
import type { Converter, OpTable } from '../converter';
import { Unsupported, attrInt, attrInts, type Attrs, type PNode } from '../proto';
import { fmt, type Dim, type Sym, type TensorVal } from '../values';
import { sliceStates } from './recurrent';

/** Per converter: "node\0port\0parts" → the ChannelSplit block made for that input. */
const splits = new WeakMap<Converter, Map<string, string>>();

/** The ONNX axis holding our last (channel) axis: 1 of an NCHW image, the last of a plain value. */
function channelAxis(t: TensorVal): number | undefined {
  if (t.layout === 'nchw') return 1;
  if (t.layout === 'plain' && t.shape.length >= 2) return t.shape.length - 1;
  return undefined;
}

/** Part `k` of `t` split into `parts` equal channel parts (one ChannelSplit per input and parts). */
function channelPart(cv: Converter, t: TensorVal, axis: number, parts: number, k: number): TensorVal {
  const C = t.shape[axis] as number;
  if (parts < 2 || parts > 64) throw new Unsupported(`a split of ${C} channels into ${parts} parts: the ChannelSplit block takes 2 to 64 parts`);
  let made = splits.get(cv);
  if (!made) splits.set(cv, (made = new Map()));
  const key = `${t.ref.node}\0${t.ref.port}\0${parts}`;
  let id = made.get(key);
  if (!id) {
    // Not the bare node name: the block names its tfjs layers <id>_<k>, as newId dedupes ids.
    id = cv.add('ChannelSplit', { parts }, [t.ref], `${cv.current}_split`);
    made.set(key, id);
  }
  const shape = t.shape.slice();
  shape[axis] = C / parts;
  return { ...t, ref: { node: id, port: `out${k}` }, shape, seqOf: undefined };
}

/** Clamps an ONNX Slice bound to [0, dim]. */
const clampBound = (v: number, dim: number) => Math.max(0, Math.min(dim, v < 0 ? v + dim : v));

function convertSlice(cv: Converter, n: PNode, a: Attrs): TensorVal {
  const inp = n.input ?? [];
  const t0 = cv.tensor(inp[0]!);
  const rank = t0.shape.length;
  const ints = (k: number, what: string) => (inp[k] ? (cv.ints(cv.constant(inp[k], what), what) as Sym[]) : undefined);
  const starts = ints(1, 'starts') ?? attrInts(a, 'starts');
  const ends = ints(2, 'ends') ?? attrInts(a, 'ends');
  if (!starts || !ends) throw new Unsupported('Slice without starts / ends');
  const axes = (ints(3, 'axes') ?? attrInts(a, 'axes') ?? starts.map((_, i) => i)).map((x) => (typeof x === 'number' && x < 0 ? x + rank : x));
  const steps = ints(4, 'steps') ?? starts.map(() => 1);
  // One layer's initial state out of PyTorch's [layers·directions, N, H] h_0.
  const states = steps.every((q) => q === 1) ? sliceStates(t0, axes, starts, ends) : undefined;
  if (states) return states;
  // The axes actually cut: [axis, start, end] with bounds clamped to the known size.
  const cuts: [number, number, number][] = [];
  axes.forEach((ax, i) => {
    if (typeof ax !== 'number' || typeof starts[i] !== 'number' || typeof ends[i] !== 'number') throw new Unsupported(`Slice bounds ${fmt(starts)}…${fmt(ends)} depend on the batch size`);
    if (steps[i] !== 1) throw new Unsupported(`Slice with step ${String(steps[i])} on axis ${ax} has no block (only contiguous ranges are mapped)`);
    const dim = t0.shape[ax];
    if (dim == null) throw new Unsupported(`Slice on axis ${ax} of ${fmt(t0.shape)}: the size of that axis is unknown`);
    const s = clampBound(starts[i] as number, dim);
    const e = clampBound(ends[i] as number, dim);
    if (s !== 0 || e !== dim) cuts.push([ax, s, Math.max(s, e)]);
  });
  if (!cuts.length) return t0;
  const what = `Slice of ${fmt(t0.shape)} along ${cuts.map(([ax, s, e]) => `axis ${ax} [${s}:${e}]`).join(', ')}`;
  if (cuts.some(([, s, e]) => s === e)) throw new Unsupported(`${what} is empty`);
  const chAxis = channelAxis(t0);
  let t = t0;
  const ch = cuts.find(([ax]) => ax === chAxis);
  if (ch) {
    const [ax, s, e] = ch;
    const C = t0.shape[ax] as number;
    const size = e - s;
    if (C % size !== 0 || s % size !== 0) throw new Unsupported(`${what}: only an equal part of the channels (ChannelSplit: ${C} channels into parts that divide them) is mapped`);
    t = channelPart(cv, t0, ax, C / size, s / size);
  }
  const rest = cuts.filter((c) => c !== ch);
  if (!rest.length) return t;
  // Height / width: axes 2, 3 of an NCHW image, or 1, 2 of a channels-last one (our own exports).
  const hw = t.layout === 'nchw' ? [2, 3] : [1, 2];
  if (rank === 4 && (t.layout === 'nchw' || t.layout === 'plain') && rest.every(([ax]) => hw.includes(ax))) {
    const crop = hw.map((ax) => {
      const c = rest.find(([q]) => q === ax);
      return c ? [c[1], (t.shape[ax] as number) - c[2]] : [0, 0];
    });
    const id = cv.add('Cropping2D', { cropping: crop }, [t.ref], ch ? `${cv.current}_crop` : cv.current);
    const shape: Dim[] = t.shape.slice();
    for (const [ax, s, e] of rest) shape[ax] = e - s;
    return { ...t, ref: { node: id, port: 'out' }, shape };
  }
  throw new Unsupported(`${what} has no block: only an equal part of the channels (ChannelSplit) and a crop of an NCHW image's height / width (Cropping2D) are mapped`);
}

/** Split (torch.split / torch.chunk) of the channels into equal parts → ChannelSplit. */
function convertSplit(cv: Converter, n: PNode, a: Attrs): TensorVal[] {
  const inp = n.input ?? [];
  const t = cv.tensor(inp[0]!);
  const rank = t.shape.length;
  let axis = attrInt(a, 'axis', 0);
  if (axis < 0) axis += rank;
  const outs = n.output ?? [];
  const sizes = inp[1] ? (cv.ints(cv.constant(inp[1], 'split'), 'split') as number[]) : attrInts(a, 'split');
  const C = t.shape[axis];
  if (axis !== channelAxis(t) || C == null) throw new Unsupported(`Split of ${fmt(t.shape)} on axis ${axis}: only a split of the channels (ChannelSplit) is mapped`);
  const parts = outs.length;
  if ((sizes && sizes.some((v) => v !== C / parts)) || C % parts !== 0)
    throw new Unsupported(`Split of ${C} channels into sizes ${JSON.stringify(sizes ?? [])}: only equal parts (ChannelSplit) are mapped`);
  return outs.map((_, k) => channelPart(cv, t, axis, parts, k));
}

/**
 * Reshape of an NCHW image to [N, g, C/g, H, W] (the start of a channel shuffle), or of its
 * transpose [N, C/g, g, H, W] back to [N, C, H, W] (the shuffle: a ChannelShuffle block).
 * Undefined when `t` and `shape` are not one of those.
 */
export function shuffleReshape(cv: Converter, t: TensorVal, shape: Sym[]): TensorVal | undefined {
  const batch = (d: Sym) => d === 'N' || d === 0 || d === -1;
  if (t.layout === 'nchw' && shape.length === 5 && batch(shape[0]!)) {
    const [, C, H, W] = t.shape;
    const [, g, cg, h, w] = shape;
    if (C == null || typeof g !== 'number' || g < 1 || C % g !== 0) return undefined;
    if ((cg === C / g || cg === -1) && (h === H || h === 0) && (w === W || w === 0)) return { ...t, layout: 'chgroups', shape: [t.shape[0]!, g, C / g, H!, W!] };
    return undefined;
  }
  if (t.layout !== 'chgroups' && t.layout !== 'chgroupsT') return undefined;
  const [N, p, q, H, W] = t.shape as [Dim, number, number, Dim, Dim];
  const C = p * q;
  const ok = shape.length === 4 && batch(shape[0]!) && (shape[1] === C || shape[1] === -1) && shape[2] === H && shape[3] === W;
  if (!ok) throw new Unsupported(`Reshape of a grouped channel view ${fmt(t.shape)} to ${fmt(shape)}: only back to [N, ${C}, ${H}, ${W}] (a channel shuffle) is mapped`);
  const out: TensorVal = { ...t, layout: 'nchw', shape: [N, C, H, W] };
  if (t.layout === 'chgroups') return out; // viewed and put back: nothing moved
  // [N, C/g, g, H, W] flattened: output channel j·g + i is input channel i·C/g + j.
  const id = cv.add('ChannelShuffle', { groups: q }, [t.ref]);
  return { ...out, ref: { node: id, port: 'out' } };
}

/** Transpose [0,2,1,3,4] of a grouped channel view: the middle of a channel shuffle. */
export function shuffleTranspose(t: TensorVal, perm: number[]): TensorVal | undefined {
  if (t.layout !== 'chgroups' && t.layout !== 'chgroupsT') return undefined;
  if (perm.join() !== '0,2,1,3,4') throw new Unsupported(`Transpose ${JSON.stringify(perm)} of a grouped channel view ${fmt(t.shape)}: only [0,2,1,3,4] (a channel shuffle) is mapped`);
  const [N, p, q, H, W] = t.shape;
  return { ...t, layout: t.layout === 'chgroups' ? 'chgroupsT' : 'chgroups', shape: [N!, q!, p!, H!, W!] };
}

export const CHANNEL_OPS: OpTable = { Slice: convertSlice, Split: convertSplit };
