import { BlockError, defineBlock, type Shape, type SymbolicTensor } from '../src/core/spec';
import { grid } from '../src/core/fixtures';
import {
  RNN_ACTIVATIONS,
  applyRnn,
  makeTfjsRnn,
  rnnMacs,
  rnnOutputShapes,
  rnnParams,
  rnnWeightCount,
  requireAllOrNone,
  requireSequence,
  requireState,
  stateNames,
  tfjsRnnConfig,
  type RnnKind,
} from './recurrentCommon';
import { emitOnnxRnn, rnnOnnxUnsupported } from './recurrentOnnx';
import { GRU_RESET_AFTER_CLASSES } from '../src/core/layers/gruResetAfter';
import { BIDIRECTIONAL_PY, recurrentToPytorch } from './recurrentTorch';

const { goBackwards: _goBackwards, ...shared } = rnnParams;

/** Ports of the initial states: forward h0 (c0), then backward h0Back (c0Back), as tfjs orders them. */
function statePorts(kind: RnnKind): string[] {
  const s = stateNames(kind).map((n) => `${n}0`);
  return [...s, ...s.map((n) => `${n}Back`)];
}
/** Ports of the final states: h (c), then hBack (cBack). */
function stateOuts(kind: RnnKind): string[] {
  const s = stateNames(kind);
  return [...s, ...s.map((n) => `${n}Back`)];
}

export default defineBlock({
  type: 'Bidirectional',
  category: 'recurrent',
  label: 'Bidirectional',
  docs:
    'Runs a recurrent layer (SimpleRNN, LSTM or GRU) over the sequence both forwards and backwards and merges the two results, so every step sees both its past and its future. Use it for tagging and classifying whole sequences; not for generating text step by step. The backward half is re-aligned to the original time order before merging.',
  params: {
    layer: { kind: 'enum', options: ['LSTM', 'GRU', 'SimpleRNN'], default: 'LSTM', doc: 'The recurrent layer run in each direction.', key: true },
    ...shared,
    mergeMode: { kind: 'enum', options: ['concat', 'sum', 'mul', 'ave'], default: 'concat', doc: 'How the two directions combine: concat (2 × units features), sum, mul (product) or ave (mean).', key: true },
    recurrentActivation: {
      kind: 'enum',
      options: RNN_ACTIVATIONS,
      default: 'sigmoid',
      doc: 'Gate activation of LSTM and GRU (unused by SimpleRNN). Defaults to "sigmoid" as in Keras and PyTorch; tfjs\' "hardSigmoid" stays selectable.',
    },
    resetAfter: {
      kind: 'bool',
      default: false,
      doc: 'GRU only: apply the reset gate after the recurrent matmul with a separate recurrent bias, as PyTorch\'s nn.GRU (see the GRU block). Off = tfjs\' GRU.',
    },
    returnState: {
      kind: 'bool',
      default: false,
      doc: 'Also output the final states of both directions: "h" (and "c" for LSTM) for the forward one, "hBack" (and "cBack") for the backward one.',
    },
  },
  inputs: (p) => [
    { name: 'in', doc: 'The sequence [time, features].' },
    ...statePorts(p.layer as RnnKind).map((name) => ({ name, optional: true, doc: `Optional initial state ${name} [units] (zeros when unfed).` })),
  ],
  outputs: (p) => (p.returnState ? ['out', ...stateOuts(p.layer as RnnKind)] : ['out']),
  checkParams(p) {
    if (p.resetAfter && p.layer !== 'GRU') throw new BlockError(`resetAfter applies to a GRU only, but layer is ${p.layer}: turn resetAfter off or set layer to GRU`, { param: 'resetAfter' });
  },
  inferShape([x, ...init], p) {
    const kind = p.layer as RnnKind;
    const { steps } = requireSequence(x, 'Bidirectional');
    const ports = statePorts(kind);
    ports.forEach((port, i) => requireState(init[i], p.units, 'Bidirectional', port));
    requireAllOrNone(init.slice(0, ports.length), ports, 'Bidirectional');
    const [out, ...states] = rnnOutputShapes(kind, steps, p, p.mergeMode === 'concat' ? 2 * p.units : p.units);
    return [out!, ...states, ...states.map((s): Shape => [...s])];
  },
  paramCount([x], p) {
    return { trainable: 2 * rnnWeightCount(p.layer as RnnKind, requireSequence(x, 'Bidirectional').features, p), nonTrainable: 0 };
  },
  macs([x], p) {
    const { steps, features } = requireSequence(x, 'Bidirectional');
    return 2 * rnnMacs(p.layer as RnnKind, steps, features, p.units);
  },
  toTfjs([x, ...init], p, ctx) {
    const kind = p.layer as RnnKind;
    // tfjs clones this layer into forward_… and backward_… copies; only the wrapper holds weights.
    const inner = makeTfjsRnn(ctx.tf, kind, { ...tfjsRnnConfig(kind, p, ctx), name: `${ctx.name}_rnn` });
    const layer = ctx.register(ctx.tf.layers.bidirectional({ layer: inner as never, mergeMode: p.mergeMode as 'concat', name: ctx.name }));
    return applyRnn(layer, x as SymbolicTensor, init);
  },
  onnxUnsupported: (p, inputShapes) => rnnOnnxUnsupported(p.layer as RnnKind, p, inputShapes?.[0]),
  toOnnx(ctx, { params: p, inputs, inputShapes, weights }) {
    const kind = p.layer as RnnKind;
    const [x, ...init] = inputs;
    // Value names are already scoped by the node id.
    const hint = kind.toLowerCase();
    const half = weights.length / 2;
    const ns = stateNames(kind).length;
    const fed = init.some((s) => s !== undefined);
    const r = emitOnnxRnn(ctx, {
      kind,
      p,
      x: x!,
      steps: inputShapes[0]?.[1] ?? null,
      dirWeights: [weights.slice(0, half), weights.slice(half)],
      direction: 'bidirectional',
      // Ports: forward states then backward states.
      initial: fed ? { h: [init[0]!, init[ns]!], c: kind === 'LSTM' ? [init[1]!, init[ns + 1]!] : undefined } : undefined,
      hint,
    });
    // Both directions in ONNX's Y are in the original time order, as tfjs merges them.
    let out: string;
    if (p.mergeMode === 'concat') {
      if (p.returnSequences) {
        // [time, 2, batch, u] → [batch, time, 2, u] → [batch, time, 2u] (forward features first).
        const t = ctx.node('Transpose', [r.Y], { perm: { ints: [2, 0, 1, 3] } })[0]!;
        out = ctx.node('Reshape', [t, ctx.constInt64(`${hint}_shape_seq`, [0, 0, -1])])[0]!;
      } else {
        // [2, batch, u] → [batch, 2, u] → [batch, 2u].
        const t = ctx.node('Transpose', [r.Yh], { perm: { ints: [1, 0, 2] } })[0]!;
        out = ctx.node('Reshape', [t, ctx.constInt64(`${hint}_shape_last`, [0, -1])])[0]!;
      }
    } else {
      // Reduce over the direction axis.
      const src = p.returnSequences ? r.Y : r.Yh;
      const axis = p.returnSequences ? 1 : 0;
      const fwd = ctx.node('Gather', [src, ctx.constInt64(`${hint}_fwd`, [0], [])], { axis: { i: axis } })[0]!;
      const bwd = ctx.node('Gather', [src, ctx.constInt64(`${hint}_bwd`, [1], [])], { axis: { i: axis } })[0]!;
      let merged: string;
      if (p.mergeMode === 'mul') merged = ctx.node('Mul', [fwd, bwd])[0]!;
      else {
        merged = ctx.node('Add', [fwd, bwd])[0]!;
        // tfjs: 0.5 · (y + yRev).
        if (p.mergeMode === 'ave') merged = ctx.node('Mul', [merged, ctx.constFloat(`${hint}_half`, [0.5], [])])[0]!;
      }
      // [time, batch, u] → [batch, time, u]; the last state is already [batch, u].
      out = p.returnSequences ? ctx.node('Transpose', [merged], { perm: { ints: [1, 0, 2] } })[0]! : merged;
    }
    if (!p.returnState) return [out];
    const state = (S: string, d: number) => ctx.node('Gather', [S, ctx.constInt64(`${hint}_dir${d}`, [d], [])], { axis: { i: 0 } })[0]!;
    const outs = [out, state(r.Yh, 0)];
    if (kind === 'LSTM') outs.push(state(r.Yc!, 0));
    outs.push(state(r.Yh, 1));
    if (kind === 'LSTM') outs.push(state(r.Yc!, 1));
    return outs;
  },
  outputActivation: (p) => p.activation,
  pytorchPrelude: [BIDIRECTIONAL_PY],
  tfjsLayers: GRU_RESET_AFTER_CLASSES,
  toPytorch: (a) => recurrentToPytorch(a, a.params.layer, a.params, { mergeMode: a.params.mergeMode }),
  fixtures: [
    ...grid({ layer: ['LSTM', 'GRU', 'SimpleRNN'], mergeMode: ['concat', 'sum', 'mul', 'ave'], returnSequences: [false, true] }, (p) => ({ params: { units: 3, ...p }, inputs: [[null, 5, 4]] })),
    ...grid({ layer: ['LSTM', 'GRU', 'SimpleRNN'] }, (p) => ({ params: { units: 3, returnState: true, returnSequences: true, ...p }, inputs: [[null, 6, 2]], note: 'states' })),
    { params: { layer: 'LSTM', units: 4, returnState: true }, inputs: [[null, 5, 3], [null, 4], [null, 4], [null, 4], [null, 4]], note: 'initial state' },
    { params: { layer: 'GRU', units: 4, returnSequences: true, mergeMode: 'ave' }, inputs: [[null, 5, 3], [null, 4], [null, 4]], note: 'initial state' },
    { params: { layer: 'GRU', units: 5, returnSequences: true, useBias: false }, inputs: [[null, null, 3]], note: 'unknown length' },
    { params: { layer: 'LSTM', units: 3, returnSequences: true, recurrentActivation: 'hardSigmoid', mergeMode: 'sum' }, inputs: [[null, 4, 3]], note: 'hardSigmoid gates' },
    { params: { layer: 'SimpleRNN', units: 2, activation: 'relu', dropout: 0.2 }, inputs: [[null, 7, 5]] },
    ...grid({ mergeMode: ['concat', 'sum'], returnSequences: [false, true] }, (p) => ({ params: { layer: 'GRU', resetAfter: true, units: 3, ...p }, inputs: [[null, 5, 4]], note: 'resetAfter' })),
    { params: { layer: 'GRU', resetAfter: true, units: 3, returnState: true, returnSequences: true }, inputs: [[null, 4, 2], [null, 3], [null, 3]], note: 'resetAfter initial state' },
    { params: { layer: 'GRU', resetAfter: true, units: 2, recurrentActivation: 'hardSigmoid', mergeMode: 'ave' }, inputs: [[null, 3, 2]], note: 'resetAfter hardSigmoid gates' },
  ],
});
