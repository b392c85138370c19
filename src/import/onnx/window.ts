// Window geometry shared by convolution and pooling: ONNX pads vs tfjs "same"/"valid" padding,
// and the output size of a window op.
import type { Converter } from './converter';
import { Unsupported, attrInts, attrString, type Attrs } from './proto';
import type { Dim, TensorVal } from './values';

/** TF "same" pads for one axis: [before, after]. */
export function tfSamePads(size: number, k: number, s: number, d: number): [number, number] {
  const eff = (k - 1) * d + 1;
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + eff - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export type PadMode = { mode: 'valid' } | { mode: 'same' } | { mode: 'explicit'; pads: [[number, number], [number, number]] };

export function padMode(a: Attrs, hw: Dim[], k: number[], s: number[], d: number[], what: string): PadMode {
  const auto = attrString(a, 'auto_pad') ?? 'NOTSET';
  if (auto === 'VALID') return { mode: 'valid' };
  if (auto === 'SAME_UPPER') return { mode: 'same' };
  if (auto === 'SAME_LOWER') throw new Unsupported(`auto_pad SAME_LOWER (extra padding before) has no block; tfjs "same" pads the extra row after`);
  const pads = attrInts(a, 'pads') ?? [0, 0, 0, 0];
  if (pads.length !== 4) throw new Unsupported(`${what} pads ${JSON.stringify(pads)}: only 2-D (4 pads) is mapped`);
  if (pads.some((p) => p < 0)) throw new Unsupported(`negative pads ${JSON.stringify(pads)} (cropping) are not mapped`);
  if (pads.every((p) => p === 0)) return { mode: 'valid' };
  if (hw[0] != null && hw[1] != null) {
    const sh = tfSamePads(hw[0], k[0]!, s[0]!, d[0]!);
    const sw = tfSamePads(hw[1], k[1]!, s[1]!, d[1]!);
    if (sh[0] === pads[0] && sw[0] === pads[1] && sh[1] === pads[2] && sw[1] === pads[3]) return { mode: 'same' };
  }
  return {
    mode: 'explicit',
    pads: [
      [pads[0]!, pads[2]!],
      [pads[1]!, pads[3]!],
    ],
  };
}

function outSize(size: Dim, k: number, s: number, d: number, before: number, after: number): Dim {
  if (size === null) return null;
  return Math.floor((size + before + after - (k - 1) * d - 1) / s) + 1;
}

// ---------------------------------------------------------------------------------------------

/** The NCHW image `x` zero-padded (a ZeroPadding2D) by [[top, bottom], [left, right]]. */
export function zeroPad(cv: Converter, x: TensorVal, pads: [[number, number], [number, number]]): TensorVal {
  const id = cv.add('ZeroPadding2D', { padding: pads }, [x.ref], `${cv.current}_pad`);
  const sh = x.shape;
  return { ...x, ref: { node: id, port: 'out' }, shape: [sh[0]!, sh[1]!, sh[2] == null ? null : sh[2] + pads[0][0] + pads[0][1], sh[3] == null ? null : sh[3] + pads[1][0] + pads[1][1]] };
}

/** Output [H, W] of a window op over the NCHW image `src` (padding "same" or "valid"). */
export function windowOut(src: TensorVal, same: boolean, k: number[], s: number[], d: number[]): [Dim, Dim] {
  const pads = same && src.shape[2] != null && src.shape[3] != null ? [tfSamePads(src.shape[2], k[0]!, s[0]!, d[0]!), tfSamePads(src.shape[3], k[1]!, s[1]!, d[1]!)] : [[0, 0], [0, 0]];
  return [outSize(src.shape[2]!, k[0]!, s[0]!, d[0]!, pads[0]![0]!, pads[0]![1]!), outSize(src.shape[3]!, k[1]!, s[1]!, d[1]!, pads[1]![0]!, pads[1]![1]!)];
}
