// Convolution: Conv (2-D, NCHW) → Conv2D (with groups for a grouped Conv), or DepthwiseConv2D
// when group = channels; ONNX pads that are not tfjs "same" become a ZeroPadding2D before it.
// Conv on [N, C, L] (PyTorch's Conv1d) → Conv1D with padding "same" or "causal" where the pads
// are those; other pads zero-pad the steps first (there is no 1-D padding block: Reshape to
// [L, 1, C], ZeroPadding2D, Reshape back). Weights are moved to tfjs' layouts.
import { transposeData } from '../../../onnx/ops';
import type { Converter, OpTable } from '../converter';
import { image, sequence } from '../layout';
import { Unsupported, attrInt, attrInts, attrString, type Attrs, type PNode } from '../proto';
import type { Dim, TensorVal } from '../values';
import { padMode, tfSamePads, windowOut, zeroPad } from '../window';

function convertConv(cv: Converter, n: PNode, a: Attrs): TensorVal {
  const inp = n.input ?? [];
  const t0 = cv.tensor(inp[0]!);
  if (t0.shape.length === 3) return convertConv1d(cv, n, a, t0);
  if (t0.shape.length !== 4) throw new Unsupported(`Conv on a rank-${t0.shape.length} input: only 1-D ([N, C, L], Conv1d) and 2-D ([N, C, H, W], Conv2d) convolutions are mapped`);
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
/** PyTorch's Conv1d: ONNX Conv on [N, C, L] → Conv1D on our [N, L, C]. */
function convertConv1d(cv: Converter, n: PNode, a: Attrs, t0: TensorVal): TensorVal {
  const inp = n.input ?? [];
  const x = sequence(cv, inp[0]!, t0);
  const W = cv.constant(inp[1], 'weight W');
  const w = cv.floats(W, 'W');
  const [cout, cinPerGroup, k] = W.dims as [number, number, number];
  const B = inp[2] ? cv.floats(cv.constant(inp[2], 'bias B'), 'B') : undefined;
  const s = attrInts(a, 'strides')?.[0] ?? 1;
  const d = attrInts(a, 'dilations')?.[0] ?? 1;
  const group = attrInt(a, 'group', 1);
  const cin = x.shape[1];
  const L = x.shape[2] ?? null;
  if (s > 1 && d > 1) throw new Unsupported(`stride ${s} with dilation ${d}: tfjs convolutions cannot do both`);
  if (cin == null || cin % group !== 0 || cout % group !== 0 || cin / group !== cinPerGroup)
    throw new Unsupported(`grouped 1-D convolution (group ${group}) of ${cin ?? 'an unknown number of'} input channels into ${cout}: group must divide both, with ${cinPerGroup} input channels per group in W`);
  const auto = attrString(a, 'auto_pad') ?? 'NOTSET';
  const pads = attrInts(a, 'pads') ?? [0, 0];
  const eff = (k - 1) * d + 1;
  let padding: string;
  if (auto === 'VALID' || (auto === 'NOTSET' && pads.every((p) => p === 0))) padding = 'valid';
  else if (auto === 'SAME_UPPER') padding = 'same';
  else if (auto === 'NOTSET' && pads[0] === eff - 1 && pads[1] === 0) padding = 'causal';
  else if (auto === 'NOTSET' && L != null && tfSamePads(L, k, s, d).join() === pads.join()) padding = 'same';
  else if (auto === 'NOTSET' && L != null && pads.length === 2 && pads.every((p) => p >= 0)) padding = 'explicit';
  else throw new Unsupported(`Conv1d padding ${JSON.stringify(pads)}${auto !== 'NOTSET' ? ` (auto_pad ${auto})` : ''} on a sequence of length ${L ?? 'unknown'}: mapped are no padding, TF's "same", "causal" (${eff - 1} before), or explicit pads on a sequence of known length`);
  let src = x.ref;
  if (padding === 'explicit') {
    const r = cv.add('Reshape', { targetShape: [L, 1, cin] }, [src], `${cv.current}_steps`);
    const z = cv.add('ZeroPadding2D', { padding: [[pads[0]!, pads[1]!], [0, 0]] }, [{ node: r, port: 'out' }], `${cv.current}_pad`);
    src = { node: cv.add('Reshape', { targetShape: [L! + pads[0]! + pads[1]!, cin] }, [{ node: z, port: 'out' }], `${cv.current}_padded`), port: 'out' };
  }
  const id = cv.add('Conv1D', { filters: cout, kernelSize: [k], strides: [s], padding: padding === 'explicit' ? 'valid' : padding, dilationRate: [d], useBias: !!B, ...(group !== 1 ? { groups: group } : {}) }, [src]);
  // ONNX [filters, C/groups, k] → tfjs [k, C/groups, filters].
  cv.weight(id, 'kernel', [k, cinPerGroup, cout], transposeData(w, W.dims, [2, 1, 0]).data);
  if (B) cv.weight(id, 'bias', [cout], B);
  const padded = padding === 'causal' ? eff - 1 : padding === 'explicit' ? pads[0]! + pads[1]! : 0;
  const out = L == null ? null : padding === 'same' ? Math.ceil(L / s) : Math.floor((L + padded - eff) / s) + 1;
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'ncl', shape: [x.shape[0]!, cout, out] };
}

export const CONV_OPS: OpTable = { Conv: convertConv };
