// The values an ONNX graph carries while it is converted: constants known at import time and
// computed tensors, each with the *layout* that tells how our (channels-last) tensor relates to
// the ONNX value (see layout.ts).
import { Unsupported } from './proto';

export type Sym = number | 'N' | null;
export type Dim = number | null;
/**
 * How our tensor relates to the ONNX value: "plain" (same order), "nchw" (ONNX [N,C,H,W] is our
 * [N,H,W,C]), "pooled" (ONNX [N,C,1,1] from a global pool is our [N,C]), "tmajor" (ONNX [T,N,F]
 * is our [N,T,F]), "rnnY" (ONNX LSTM/GRU Y [T,1,N,H] is our [N,T,H]), "dirN" (ONNX Y_h [1,N,H] is
 * our [N,H]) and, for a bidirectional op (the Bidirectional block, concat), "rnnY2" (Y [T,2,N,H]
 * is our [N,T,2H]), "rnnYT2" (Y transposed to [T,N,2,H], PyTorch's next step before its Reshape
 * to [T,N,2H]) and "dir2" (Y_h [2,N,H]: index 0 is our port h, index 1 our hBack). A channel
 * shuffle's middle values (ops/channels.ts): "chgroups" (ONNX [N,g,C/g,H,W] is our NHWC image
 * [N,H,W,C]) and "chgroupsT" (its transpose [N,C/g,g,H,W], the same our tensor). "ncl" (ONNX
 * [N,C,L] of a Conv1d is our channels-last [N,L,C]); "states" (final states of recurrent layers
 * stacked on axis 0, [layers·directions, N, H], as PyTorch's h_n: no tensor of ours, only the
 * `states` refs, one [N, H] port each); "scores" (bmm(q, kᵀ) of dot-product attention before its
 * softmax, ops/seqAttention.ts: no tensor of ours, `states` holds the q and k refs).
 */
export type Layout = 'plain' | 'nchw' | 'pooled' | 'tmajor' | 'rnnY' | 'dirN' | 'rnnY2' | 'rnnYT2' | 'dir2' | 'chgroups' | 'chgroupsT' | 'ncl' | 'states' | 'scores';

/** A layout in words, for messages. */
export function describeLayout(l: Layout): string {
  const words: Record<Layout, string> = {
    plain: 'a tensor',
    nchw: 'an NCHW image',
    pooled: 'a globally pooled [N, C, 1, 1] map',
    tmajor: 'a time-major sequence [T, N, F]',
    rnnY: "a recurrent layer's raw output [T, 1, N, H]",
    dirN: 'a state [1, N, H] (a recurrent layer\'s h_n, or x.unsqueeze(0))',
    rnnY2: "a bidirectional layer's raw output [T, 2, N, H]",
    rnnYT2: "a bidirectional layer's output [T, N, 2, H]",
    dir2: "a bidirectional layer's final states [2, N, H]",
    chgroups: "a grouped view of an image's channels",
    chgroupsT: "a grouped view of an image's channels",
    ncl: 'a channels-first sequence [N, C, L]',
    states: 'final states of recurrent layers stacked [layers, N, H]',
    scores: 'attention scores bmm(q, kᵀ), mapped only when a Softmax over the keys follows',
  };
  return words[l];
}

/** A value known at import time. Int tensors may hold the symbolic batch "N" (from Shape). */
export interface ConstVal {
  kind: 'const';
  dims: number[];
  float: boolean;
  data: Float32Array | Sym[];
  /** ConstantOfShape with a symbolic shape: every element equals `fill`; `data` is empty. */
  fill?: number;
}
export interface Ref {
  node: string;
  port: string;
}
export interface TensorVal {
  kind: 'tensor';
  ref: Ref;
  layout: Layout;
  /** The ONNX shape of the value (batch null). */
  shape: Dim[];
  /** Known ≥ 0 (after Relu and friends): zero padding then equals -inf padding for MaxPool. */
  nonNeg?: boolean;
  /** The value is (a relayout of) a recurrent node's full output sequence. */
  seqOf?: string;
  /** Layout "states": the [N, H] port of each entry along axis 0; "scores": q and k. */
  states?: Ref[];
}
export type Val = ConstVal | TensorVal;
export type RnnPort = 'seq' | 'last' | 'c' | 'lastBack' | 'cBack';
export type RnnUse = Record<RnnPort, boolean> & { bi: boolean };

export const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

export function fmt(s: readonly (Dim | Sym)[]): string {
  return `[${s.map((d) => (d === null ? 'null' : d)).join(', ')}]`;
}

/** The one number a constant holds (Clip bounds, Pad value, a Gather index). */
export function scalarOf(c: ConstVal, what: string): number {
  const d = c.fill !== undefined ? [c.fill] : Array.from(c.data as ArrayLike<Sym>);
  if (d.length !== 1 || typeof d[0] !== 'number') throw new Unsupported(`${what} must be a single number, got ${fmt(d as Sym[])}`);
  return d[0];
}

/** An int constant (shapes, axes); may hold the symbolic batch "N". */
export function constInts(dims: number[], data: Sym[]): ConstVal {
  return { kind: 'const', dims, float: false, data };
}
