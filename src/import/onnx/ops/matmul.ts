// Matrix products: Gemm and MatMul of a computed input with a constant weight → Dense (with
// MatMul + Add(bias) folding into its bias in merge.ts). The base for attention ops to come.
import { transposeData } from '../../../onnx/ops';
import type { Converter, OpTable } from '../converter';
import { Unsupported, attrFloat, attrInt, type Attrs, type PNode } from '../proto';
import { attentionMatMul } from './seqAttention';
import { describeLayout, fmt, type TensorVal } from '../values';

function denseInput(cv: Converter, name: string, what: string): TensorVal {
  const t = cv.tensor(name);
  if (t.layout === 'pooled') return { ...t, layout: 'plain', shape: [t.shape[0]!, t.shape[1]!] };
  if (t.layout !== 'plain') throw new Unsupported(`${what} of ${describeLayout(t.layout)}: only batch-major features are mapped to Dense`);
  return t;
}

function convertGemm(cv: Converter, n: PNode, a: Attrs): TensorVal {
  const inp = n.input ?? [];
  if (attrInt(a, 'transA', 0) !== 0) throw new Unsupported('Gemm with transA 1 (a transposed input) has no block');
  const x = denseInput(cv, inp[0]!, 'Gemm');
  if (x.shape.length !== 2) throw new Unsupported(`Gemm on ${fmt(x.shape)}: a 2-D input is expected`);
  const Bc = cv.constant(inp[1], 'weight B');
  const Bf = cv.floats(Bc, 'B');
  const transB = attrInt(a, 'transB', 0) === 1;
  const alpha = attrFloat(a, 'alpha', 1);
  const beta = attrFloat(a, 'beta', 1);
  const [r, c] = Bc.dims as [number, number];
  const kernel = transB ? transposeData(Bf, [r, c], [1, 0]) : { data: Bf, dims: [r, c] };
  const units = kernel.dims[1]!;
  const kd = alpha === 1 ? kernel.data : kernel.data.map((v) => v * alpha);
  let bias: Float32Array | undefined;
  if (inp[2]) {
    const C = cv.constant(inp[2], 'bias C');
    const cf = cv.floats(C, 'C');
    if (cf.length !== units && cf.length !== 1) throw new Unsupported(`Gemm bias of dims ${fmt(C.dims)} does not broadcast per output unit (${units})`);
    if (C.dims.length === 2 && C.dims[0] !== 1) throw new Unsupported(`Gemm bias of dims ${fmt(C.dims)} varies over the batch`);
    bias = Float32Array.from({ length: units }, (_, i) => beta * cf[cf.length === 1 ? 0 : i]!);
  }
  const id = cv.add('Dense', { units, useBias: !!bias }, [x.ref]);
  cv.weight(id, 'kernel', kernel.dims, kd);
  if (bias) cv.weight(id, 'bias', [units], bias);
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: 'plain', shape: [x.shape[0]!, units] };
}

function convertMatMul(cv: Converter, n: PNode): TensorVal {
  const inp = n.input ?? [];
  const attention = attentionMatMul(cv, n);
  if (attention) return attention;
  const t = cv.tensor(inp[0]!);
  // A Linear on every step of a time-major sequence (batch_first=False): Dense acts on the last axis either way.
  const x = t.layout === 'tmajor' ? t : denseInput(cv, inp[0]!, 'MatMul');
  const B = cv.val(inp[1]!);
  if (B.kind !== 'const') throw new Unsupported('MatMul of two computed tensors has no block (only x · constant weight → Dense)');
  if (B.dims.length !== 2) throw new Unsupported(`MatMul with weight dims ${fmt(B.dims)}: a 2-D weight is expected`);
  const [, units] = B.dims as [number, number];
  const id = cv.add('Dense', { units, useBias: false }, [x.ref]);
  cv.weight(id, 'kernel', B.dims.slice(), cv.floats(B, 'B'));
  const shape = x.shape.slice();
  shape[shape.length - 1] = units;
  return { kind: 'tensor', ref: { node: id, port: 'out' }, layout: x.layout, shape };
}
export const MATMUL_OPS: OpTable = { Gemm: convertGemm, MatMul: convertMatMul };
