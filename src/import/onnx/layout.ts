// Layout inference: tensors in our graph are channels-last, ONNX images are channels-first. Each
// ONNX value carries a layout (values.ts) telling how our tensor relates to it; layout changes
// cost no block until an op needs the ONNX element order. Then `plain` inserts the relayout
// (Flatten/Reshape of an image gets Permute [3,1,2] first, so a Dense after it takes the weights
// unchanged) and `image` gives the NHWC form an image op reads. Each relayout is made once per
// ONNX value.
import type { Converter } from './converter';
import { Unsupported } from './proto';
import { describeLayout, fmt, type Layout, type TensorVal } from './values';

/** ONNX NCHW axis → our NHWC axis. */
export const NCHW_TO_OURS = [0, 3, 1, 2];
/** Layouts whose first ONNX axis is not the batch. */
export const NOT_BATCH_FIRST = new Set<Layout>(['tmajor', 'rnnY', 'dirN', 'rnnY2', 'rnnYT2', 'dir2']);

/** Our tensor as ONNX orders its elements (for Flatten, Reshape, generic ops). */
export function plain(cv: Converter, name: string, t: TensorVal): TensorVal {
  if (t.layout === 'plain') return t;
  if (t.layout === 'chgroups' || t.layout === 'chgroupsT')
    throw new Unsupported(`"${name}" is a grouped view of an image's channels ${fmt(t.shape)}; only a channel shuffle (Transpose [0,2,1,3,4], Reshape back to 4-D) is mapped on it`);
  if (t.layout === 'ncl') return relayout(cv, name, t, 'plain', [2, 1], (c) => [c, 1]);
  if (t.layout !== 'nchw' && t.layout !== 'pooled')
    throw new Unsupported(`"${name}" is ${describeLayout(t.layout)}; this op is only mapped on batch-major tensors`);
  return relayout(cv, name, t, 'plain', [3, 1, 2], (c) => [c, 1, 1]);
}

/** Our tensor as NHWC for an image op (ONNX NCHW). */
export function image(cv: Converter, name: string, t: TensorVal): TensorVal {
  if (t.layout === 'nchw') return t;
  if (t.shape.length !== 4) throw new Unsupported(`"${name}" has ONNX shape ${fmt(t.shape)}; this op is mapped on 4-D NCHW images only`);
  if (t.layout !== 'plain' && t.layout !== 'pooled') throw new Unsupported(`"${name}" is ${describeLayout(t.layout)}, which cannot be read as an image`);
  return relayout(cv, name, t, 'nchw', [2, 3, 1], (c) => [1, 1, c]);
}

/** Our tensor channels-last [N, L, C] for a 1-D conv on the ONNX [N, C, L] value. */
export function sequence(cv: Converter, name: string, t: TensorVal): TensorVal {
  if (t.layout === 'ncl') return t;
  if (t.layout !== 'plain') throw new Unsupported(`"${name}" is ${describeLayout(t.layout)}, which cannot be read as a [N, C, L] sequence`);
  return relayout(cv, name, t, 'ncl', [2, 1], (c) => [1, c]);
}

/**
 * `t` (plain / nchw: the other of the two, or pooled) in layout `to`, made once per ONNX value:
 * a Permute between channels-first and channels-last order, or a Reshape that restores a global
 * pool's [N, C] to ONNX's [N, C, 1, 1] in that order.
 */
function relayout(cv: Converter, name: string, t: TensorVal, to: 'plain' | 'nchw' | 'ncl', dims: number[], unpooled: (c: number) => number[]): TensorVal {
  const key = `${name}\0${to}`;
  const hit = cv.relayouts.get(key);
  if (hit) return hit;
  let id: string;
  if (t.layout === 'pooled') {
    const c = t.shape[1];
    if (c == null) throw new Unsupported(`channel count of "${name}" is unknown`);
    id = cv.add('Reshape', { targetShape: unpooled(c) }, [t.ref], `${cv.current}_unpool`);
  } else id = cv.add('Permute', { dims }, [t.ref], `${cv.current}_to_${to === 'plain' ? (t.layout === 'ncl' ? 'ncl' : 'nchw') : to === 'ncl' ? 'nlc' : 'nhwc'}`);
  const out: TensorVal = { ...t, ref: { node: id, port: 'out' }, layout: to };
  cv.relayouts.set(key, out);
  return out;
}
