// Convolution: Conv (2-D, NCHW) → Conv2D (with groups for a grouped Conv), or DepthwiseConv2D
// when group = channels; ONNX pads that are not tfjs "same" become a ZeroPadding2D before it.
// Weights are moved to tfjs' layouts.
import { transposeData } from '../../../onnx/ops';
import type { Converter, OpTable } from '../converter';
import { image } from '../layout';
import { Unsupported, attrInt, attrInts, type Attrs, type PNode } from '../proto';
import type { Dim, TensorVal } from '../values';
import { padMode, windowOut, zeroPad } from '../window';

function convertConv(cv: Converter, n: PNode, a: Attrs): TensorVal {
  const inp = n.input ?? [];
  const t0 = cv.tensor(inp[0]!);
  if (t0.shape.length !== 4) throw new Unsupported(`Conv on a rank-${t0.shape.length} input: only 2-D convolution (NCHW) is mapped`);
  const x = image(cv, inp[0]!, t0);
  const W = cv.constant(inp[1], 'weight W');
  const w = cv.floats(W, 'W');
  const [cout, cinPerGroup, kh, kw] = W.dims as [number, number, number, number];
  const B = inp[2] ? cv.floats(cv.constant(inp[2], 'bias B'), 'B') : undefined;
  const k = attrInts(a, 'kernel_shape') ?? [kh, kw];
  const s = attrInts(a, 'strides') ?? [1, 1];
  const d = attrInts(a, 'dilations') ?? [1, 1];
  const group = attrInt(a, 'group', 1);
  const cin = x.shape[1];
  if (s.some((v) => v > 1) && d.some((v) => v > 1)) throw new Unsupported(`strides ${JSON.stringify(s)} with dilations ${JSON.stringify(d)}: tfjs convolutions cannot do both`);
  const pm = padMode(a, x.shape.slice(2), k, s, d, 'Conv');
  let src = x;
  if (pm.mode === 'explicit') {
    src = zeroPad(cv, x, pm.pads);
  }
  const padding = pm.mode === 'same' ? 'same' : 'valid';
  let id: string;
  const depthwise = cin != null && group === cin && cinPerGroup === 1 && cout % cin === 0 && d.every((v) => v === 1);
  if (depthwise) {
    const m = cout / cin;
    id = cv.add('DepthwiseConv2D', { kernelSize: k, strides: s, padding, depthMultiplier: m, useBias: !!B }, [src.ref]);
    // ONNX [C·m, 1, kh, kw] (output channel c·m + j) → tfjs [kh, kw, C, m].
    const kt = transposeData(w, [cin, m, kh, kw], [2, 3, 0, 1]);
    cv.weight(id, 'depthwise_kernel', kt.dims, kt.data);
  } else {
    if (group !== 1 && (cin == null || cin % group !== 0 || cout % group !== 0 || cin / group !== cinPerGroup))
      throw new Unsupported(`grouped convolution (group ${group}) of ${cin ?? 'an unknown number of'} input channels into ${cout}: group must divide both, with ${cinPerGroup} input channels per group in W`);
    // Grouped (ResNeXt, RegNet) and dilated depthwise convolutions are Conv2D with groups; its
    // kernel [kh, kw, C/groups, filters] is ONNX's [filters, C/groups, kh, kw] transposed.
    id = cv.add('Conv2D', { filters: cout, kernelSize: k, strides: s, padding, dilationRate: d, useBias: !!B, ...(group !== 1 ? { groups: group } : {}) }, [src.ref]);
    const kt = transposeData(w, W.dims, [2, 3, 1, 0]);
    cv.weight(id, 'kernel', kt.dims, kt.data);
  }
  if (B) cv.weight(id, 'bias', [cout], B);
  const shape: Dim[] = [src.shape[0]!, cout, ...windowOut(src, pm.mode === 'same', k, s, d)];
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'nchw', shape };
}
export const CONV_OPS: OpTable = { Conv: convertConv };
