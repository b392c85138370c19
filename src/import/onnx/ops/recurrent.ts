// Recurrent ops: LSTM and GRU (forward, or bidirectional as the Bidirectional block) over a
// batch-first sequence transposed to time-major (PyTorch batch_first=True). Which of Y / Y_h /
// Y_c are read decides the block's returnSequences / returnState (convert.ts finalises them).
import type { Converter, OpTable } from '../converter';
import { Unsupported, attrInt, attrString, type Attrs, type PNode } from '../proto';
import { fmt, type Sym, type Val } from '../values';

function convertRnn(cv: Converter, n: PNode, a: Attrs): Val[] {
  const inp = n.input ?? [];
  const lstm = n.op_type === 'LSTM';
  const G = lstm ? 4 : 3;
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
  const dflt1 = lstm ? ['Sigmoid', 'Tanh', 'Tanh'] : ['Sigmoid', 'Tanh'];
  const dflt = bi ? [...dflt1, ...dflt1] : dflt1;
  if (acts.length && acts.join() !== dflt.join()) throw new Unsupported(`activations ${acts.join(', ')} are not mapped (only the defaults ${dflt.join(', ')})`);
  if (inp[4]) throw new Unsupported('sequence_lens (per-example lengths) has no block');
  if (lstm && inp[7]) throw new Unsupported('peephole weights (P) have no block');
  for (const k of lstm ? [5, 6] : [5]) {
    if (!inp[k]) continue;
    const v = cv.val(inp[k]!);
    if (v.kind !== 'const' || (v.fill !== undefined ? v.fill !== 0 : Array.from(v.data as ArrayLike<Sym>).some((q) => q !== 0)))
      throw new Unsupported(`a non-zero initial ${k === 5 ? 'h' : 'c'} state is not mapped (feed it as a graph input to a block with h0/c0 instead)`);
  }
  const x = cv.tensor(inp[0]!, 'X');
  if (x.layout !== 'tmajor') throw new Unsupported('X must be a batch-first sequence transposed to time-major (PyTorch batch_first=True); a time-major graph input is not mapped');
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
  const order = lstm ? [0, 2, 3, 1] : [0, 1, 2];
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
  const kind = lstm ? 'LSTM' : 'GRU';
  const params: Record<string, unknown> = { units: H, ...(Bf ? {} : { useBias: false }), ...(resetAfter ? { resetAfter: true } : {}) };
  const id = bi ? cv.add('Bidirectional', { layer: kind, ...params, mergeMode: 'concat' }, [x.ref]) : cv.add(kind, params, [x.ref]);
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
// Entry points
// ---------------------------------------------------------------------------------------------
export const RECURRENT_OPS: OpTable = { LSTM: convertRnn, GRU: convertRnn };
