// 1-D pooling of a Conv1d's [N, C, L] output (PyTorch's MaxPool1d / AvgPool1d) → MaxPooling1D /
// AveragePooling1D on our [N, L, C], and the mean / max over L (x.mean(dim=2)) → global 1-D
// pooling. Called by ops/pooling.ts for rank-3 inputs. Padding: none or TF "same" (for an
// average only with count_include_pad 0, which is tfjs'); ceil_mode only where it changes
// nothing.
import type { Converter } from '../converter';
import { sequence } from '../layout';
import { Unsupported, attrInt, attrInts, attrString, type Attrs, type PNode } from '../proto';
import type { Dim, TensorVal } from '../values';
import { tfSamePads } from '../window';

export function convertPool1d(cv: Converter, n: PNode, a: Attrs, t0: TensorVal): TensorVal {
  const inp = n.input ?? [];
  const x = sequence(cv, inp[0]!, t0);
  const max = n.op_type === 'MaxPool';
  const k = attrInts(a, 'kernel_shape')![0]!;
  const s = attrInts(a, 'strides')?.[0] ?? 1;
  if ((attrInts(a, 'dilations') ?? [1]).some((v) => v !== 1)) throw new Unsupported('1-D pooling with dilation has no block');
  const indices = (n.output ?? [])[1];
  if (indices && (cv.uses.get(indices) ?? 0) > 0) throw new Unsupported('MaxPool with an Indices output has no block');
  const L = x.shape[2] ?? null;
  const pads = attrInts(a, 'pads') ?? [0, 0];
  const auto = attrString(a, 'auto_pad') ?? 'NOTSET';
  let padding: 'valid' | 'same';
  if (auto === 'VALID' || (auto === 'NOTSET' && pads.every((p) => p === 0))) padding = 'valid';
  else if (auto === 'SAME_UPPER' || (auto === 'NOTSET' && L != null && tfSamePads(L, k, s, 1).join() === pads.join())) padding = 'same';
  else throw new Unsupported(`1-D ${n.op_type} pads ${JSON.stringify(pads)} on a sequence of length ${L ?? 'unknown'}: only none or TF "same" pads are mapped`);
  if (padding === 'same' && !max && attrInt(a, 'count_include_pad', 0) === 1) throw new Unsupported('1-D AveragePool with count_include_pad 1 and padding: AveragePooling1D leaves the padding out of the average');
  const floorLen = L == null ? null : padding === 'same' ? Math.ceil(L / s) : Math.floor((L - k) / s) + 1;
  if (attrInt(a, 'ceil_mode', 0) === 1 && (L == null || padding !== 'valid' || Math.ceil((L - k) / s) + 1 !== floorLen))
    throw new Unsupported(`1-D ${n.op_type} with ceil_mode 1 that adds a partial window (length ${L ?? 'unknown'}, kernel ${k}, stride ${s}): the 1-D pooling blocks are mapped without it`);
  const id = cv.add(max ? 'MaxPooling1D' : 'AveragePooling1D', { poolSize: [k], strides: [s], padding }, [x.ref]);
  const shape: Dim[] = [x.shape[0]!, x.shape[1]!, floorLen];
  return { ...x, ref: { node: id, port: 'out' }, shape };
}

/** ReduceMean / ReduceMax over L (axis 2, keepdims 0) of a [N, C, L] value → global 1-D pooling. */
export function reduceSequence(cv: Converter, op: string, t: TensorVal, axes: number[], keep: boolean): TensorVal | undefined {
  if (t.layout !== 'ncl' || axes.join() !== '2' || keep) return undefined;
  const id = cv.add(op === 'ReduceMean' ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D', {}, [t.ref]);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape: [t.shape[0]!, t.shape[1]!], nonNeg: t.nonNeg };
}
