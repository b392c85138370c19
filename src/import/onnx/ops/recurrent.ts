// Recurrent ops: LSTM and GRU (forward, or bidirectional as the Bidirectional block) over a
// batch-first sequence transposed to time-major (PyTorch batch_first=True). Which of Y / Y_h /
// Y_c are read decides the block's returnSequences / returnState (convert.ts finalises them).
import type { Converter, OpTable } from '../converter';
import { Unsupported, attrInt, attrString, type Attrs, type PNode } from '../proto';
import { describeLayout, fmt, type ConstVal, type Ref, type Sym, type TensorVal, type Val } from '../values';

/** Whether constant `v` is all zeros (a zero initial state, which is the blocks' default). */
function isZero(v: ConstVal): boolean {
  return v.fill !== undefined ? v.fill === 0 : Array.from(v.data as ArrayLike<Sym>).every((q) => q === 0);
}

/**
 * The initial states (inputs 5, 6) as [N, H] ports per direction, or undefined when they are
 * zeros. Mapped: the final states of other recurrent layers (PyTorch's (h_n, c_n) passed on,
 * sliced per layer), which become edges into the block's h0 / c0 (h0Back / c0Back) ports.
 */
function initialStates(cv: Converter, inp: string[], lstm: boolean, D: number): { h: Ref[]; c?: Ref[] } | undefined {
  const keys = lstm ? [5, 6] : [5];
  const got = keys.map((k) => {
    const name = inp[k];
    if (!name) return undefined;
    const v = cv.val(name);
    if (v.kind === 'const') {
      if (isZero(v)) return undefined;
      throw new Unsupported(`a constant non-zero initial ${k === 5 ? 'h' : 'c'} state has no block (the h0 / c0 ports take the final state of another recurrent layer)`);
    }
    const refs = stateEntries(v);
    if (!refs) throw new Unsupported(`the initial ${k === 5 ? 'h' : 'c'} state "${name}" is ${describeLayout(v.layout)}; mapped are zeros or the final states of another LSTM / GRU (its (h_n, c_n) passed on)`);
    if (refs.length !== D) throw new Unsupported(`the initial ${k === 5 ? 'h' : 'c'} state "${name}" has ${refs.length} entries for ${D} direction(s)`);
    return refs;
  });
  if (got.every((g) => !g)) return undefined;
  if (got.some((g) => !g)) throw new Unsupported('an LSTM with an initial h state but a zero c state (or the reverse) is not mapped: the block takes both or neither');
  return { h: got[0]!, c: got[1] };
}

function convertRnn(cv: Converter, n: PNode, a: Attrs): Val[] {
  const inp = n.input ?? [];
  const lstm = n.op_type === 'LSTM';
  const simple = n.op_type === 'RNN';
  const G = lstm ? 4 : simple ? 1 : 3;
  const dir = attrString(a, 'direction') ?? 'forward';
  if (dir === 'reverse') throw new Unsupported('direction "reverse" is not mapped (forward, or bidirectional as the Bidirectional block)');
  const bi = dir === 'bidirectional';
  const D = bi ? 2 : 1;
  if (a.has('clip')) throw new Unsupported('cell clipping (clip) has no block');
  if (attrInt(a, 'layout', 0) !== 0) throw new Unsupported('layout 1 (batch-major X) is not mapped');
  if (lstm && attrInt(a, 'input_forget', 0) !== 0) throw new Unsupported('input_forget 1 (coupled gates) has no block');
  // linear_before_reset 1 (PyTorch's nn.GRU, Keras reset_after) is the GRU block's resetAfter.
  const resetAfter = !lstm && attrInt(a, 'linear_before_reset', 0) !== 0;
  const acts = (a.get('activations')?.strings ?? []).map((s) => new TextDecoder().decode(s));
  const dflt1 = lstm ? ['Sigmoid', 'Tanh', 'Tanh'] : simple ? ['Tanh'] : ['Sigmoid', 'Tanh'];
  const dflt = bi ? [...dflt1, ...dflt1] : dflt1;
  // nn.RNN(nonlinearity="relu") is a SimpleRNN with activation relu.
  const relu = simple && acts.length > 0 && acts.every((s) => s === 'Relu');
  if (acts.length && !relu && acts.join() !== dflt.join()) throw new Unsupported(`activations ${acts.join(', ')} are not mapped (only the defaults ${dflt.join(', ')}${simple ? ', or Relu' : ''})`);
  if (inp[4]) throw new Unsupported('sequence_lens (per-example lengths) has no block');
  if (lstm && inp[7]) throw new Unsupported('peephole weights (P) have no block');
  const x = cv.tensor(inp[0]!, 'X');
  if (x.layout !== 'tmajor') throw new Unsupported(`X is ${describeLayout(x.layout)}: a sequence is mapped when it is a graph input [T, N, F] (batch_first=False) or a batch-major tensor transposed to time-major (batch_first=True)`);
  const init = initialStates(cv, inp, lstm, D);
  const H = attrInt(a, 'hidden_size', 0);
  const W = cv.constant(inp[1], 'W');
  const R = cv.constant(inp[2], 'R');
  const Wf = cv.floats(W, 'W');
  const Rf = cv.floats(R, 'R');
  const F = W.dims[2]!;
  const Bf = inp[3] ? cv.floats(cv.constant(inp[3], 'B'), 'B') : undefined;
  if (W.dims[0] !== D || Wf.length !== D * G * H * F || Rf.length !== D * G * H * H || (Bf && Bf.length !== D * 2 * G * H))
    throw new Unsupported(`weights W ${fmt(W.dims)}, R ${fmt(R.dims)}${Bf ? `, B of ${Bf.length} values` : ''} do not fit ${D} direction(s) of ${G} gates × hidden_size ${H}`);
  // ONNX gate order: LSTM i, o, f, c; GRU z, r, h. tfjs: LSTM i, f, c, o; GRU z, r, h.
  const order = lstm ? [0, 2, 3, 1] : simple ? [0] : [0, 1, 2];
  /** One direction's weights in tfjs' layout (kernel [F, G·H], recurrent [H, G·H], bias). */
  const direction = (d: number) => {
    const w = Wf.subarray(d * G * H * F, (d + 1) * G * H * F);
    const r = Rf.subarray(d * G * H * H, (d + 1) * G * H * H);
    const b = Bf?.subarray(d * 2 * G * H, (d + 1) * 2 * G * H);
    const kernel = new Float32Array(F * G * H);
    const rec = new Float32Array(H * G * H);
    // resetAfter keeps the input bias (row 0) and the recurrent bias (row 1) apart; otherwise
    // they are summed, which is exact: ONNX adds Rb outside the reset gate when
    // linear_before_reset is 0.
    const bias = new Float32Array((resetAfter ? 2 : 1) * G * H);
    for (let g = 0; g < G; g++) {
      const og = order[g]!;
      for (let h = 0; h < H; h++) {
        const row = og * H + h;
        const col = g * H + h;
        for (let f = 0; f < F; f++) kernel[f * G * H + col] = w[row * F + f]!;
        for (let f = 0; f < H; f++) rec[f * G * H + col] = r[row * H + f]!;
        if (b && resetAfter) {
          bias[col] = b[row]!;
          bias[G * H + col] = b[G * H + row]!;
        } else if (b) bias[col] = b[row]! + b[G * H + row]!;
      }
    }
    return { kernel, rec, bias };
  };
  const kind = lstm ? 'LSTM' : simple ? 'SimpleRNN' : 'GRU';
  const params: Record<string, unknown> = { units: H, ...(Bf ? {} : { useBias: false }), ...(resetAfter ? { resetAfter: true } : {}), ...(relu ? { activation: 'relu' } : {}) };
  // Initial states on the ports tfjs orders h0 (c0), then h0Back (c0Back) for a Bidirectional.
  const dirs = Array.from({ length: init ? D : 0 }, (_, d) => d);
  const ports = dirs.flatMap((d) => (lstm ? ['h0', 'c0'] : ['h0']).map((p) => (d ? `${p}Back` : p)));
  const ins = [x.ref, ...dirs.flatMap((d) => (lstm ? [init!.h[d]!, init!.c![d]!] : [init!.h[d]!]))];
  const handles = ['in', ...ports];
  const id = bi ? cv.add('Bidirectional', { layer: kind, ...params, mergeMode: 'concat' }, ins, cv.current, handles) : cv.add(kind, params, ins, cv.current, handles);
  cv.rnn.set(id, { seq: false, last: false, c: false, lastBack: false, cBack: false, bi });
  const biasShape = resetAfter ? [2, G * H] : [G * H];
  for (let d = 0; d < D; d++) {
    const w = direction(d);
    // tfjs names a Bidirectional's weights after its forward_/backward_ copies of "<id>_rnn".
    const prefix = bi ? `${d === 0 ? 'forward' : 'backward'}_${id}_rnn/` : '';
    cv.weight(id, `${prefix}kernel`, [F, G * H], w.kernel);
    cv.weight(id, `${prefix}recurrent_kernel`, [H, G * H], w.rec);
    if (Bf) cv.weight(id, `${prefix}bias`, biasShape, w.bias);
  }
  const [T, N] = [x.shape[0]!, x.shape[1]!];
  const outs: Val[] = [
    bi ? { kind: 'tensor', ref: { node: id, port: 'seq' }, layout: 'rnnY2', shape: [T, 2, N, H] } : { kind: 'tensor', ref: { node: id, port: 'seq' }, layout: 'rnnY', shape: [T, 1, N, H], seqOf: id },
    { kind: 'tensor', ref: { node: id, port: 'last' }, layout: bi ? 'dir2' : 'dirN', shape: [D, N, H] },
  ];
  if (lstm) outs.push({ kind: 'tensor', ref: { node: id, port: 'c' }, layout: bi ? 'dir2' : 'dirN', shape: [D, N, H] });
  return outs;
}

// ---------------------------------------------------------------------------------------------
// Final states as PyTorch passes them on: h_n [layers·directions, N, H] is a Concat of each
// layer's Y_h on axis 0, and a multi-layer RNN slices its initial state per layer. Each entry
// along axis 0 is one [N, H] port of a recurrent block (h / hBack, c / cBack).

/** The [N, H] port of each entry along axis 0 of a final-state value, or undefined. */
export function stateEntries(t: TensorVal): Ref[] | undefined {
  if (t.layout === 'states') return t.states;
  if (t.layout === 'dirN') return [t.ref];
  if (t.layout === 'dir2') return [t.ref, { node: t.ref.node, port: t.ref.port === 'c' ? 'cBack' : 'lastBack' }];
  return undefined;
}

/** The value of entries `refs` (of the final states `like`) along axis 0. */
export function stateValue(like: TensorVal, refs: Ref[]): TensorVal {
  const shape = [refs.length, like.shape[1]!, like.shape[2]!];
  if (refs.length === 1) return { kind: 'tensor', ref: refs[0]!, layout: 'dirN', shape };
  const [f, b] = refs;
  if (refs.length === 2 && f!.node === b!.node && ((f!.port === 'last' && b!.port === 'lastBack') || (f!.port === 'c' && b!.port === 'cBack'))) return { kind: 'tensor', ref: f!, layout: 'dir2', shape };
  return { kind: 'tensor', ref: refs[0]!, layout: 'states', shape, states: refs };
}

/** Concat on axis 0 of final states (PyTorch's h_n of a multi-layer RNN), or undefined. */
export function concatStates(ts: TensorVal[], axis: number): TensorVal | undefined {
  const parts = ts.map(stateEntries);
  if (axis !== 0 || parts.some((p) => !p)) return undefined;
  return stateValue(ts[0]!, parts.flat() as Ref[]);
}

/** Entries [start, end) on axis 0 of final states (one layer's initial state), or undefined. */
export function sliceStates(t: TensorVal, axes: Sym[], starts: Sym[], ends: Sym[]): TensorVal | undefined {
  const refs = stateEntries(t);
  if (!refs || axes.length !== 1 || axes[0] !== 0 || typeof starts[0] !== 'number' || typeof ends[0] !== 'number') return undefined;
  const L = refs.length;
  const clamp = (v: number) => Math.max(0, Math.min(L, v < 0 ? v + L : v));
  const picked = refs.slice(clamp(starts[0]), clamp(ends[0]));
  if (!picked.length) throw new Unsupported(`Slice [${starts[0]}:${ends[0]}] of ${L} final states is empty`);
  return stateValue(t, picked);
}

/** h_n[i]: entry i of final states as a [N, H] tensor, or undefined. */
export function pickState(t: TensorVal, i: number): TensorVal | undefined {
  const refs = stateEntries(t);
  if (!refs || i < -refs.length || i >= refs.length) return undefined;
  return { kind: 'tensor', ref: refs[i < 0 ? i + refs.length : i]!, layout: 'plain', shape: t.shape.slice(1) };
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------
export const RECURRENT_OPS: OpTable = { LSTM: convertRnn, GRU: convertRnn, RNN: convertRnn };
