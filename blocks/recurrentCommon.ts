// What SimpleRNN, GRU, LSTM and Bidirectional share: their params, ports, shape rules, parameter
// and MAC counts, and building the tfjs layer. Emitting ONNX is in recurrentOnnx.ts, PyTorch in
// recurrentTorch.ts, and the block factory that puts them together in recurrentBlock.ts.
import { FastOrthogonal } from '../src/core/layers/orthogonal';
import { GRUResetAfter } from '../src/core/layers/gruResetAfter';
import type * as tfjs from '@tensorflow/tfjs';
import { BlockError, type ParamSchema, type Shape, type SymbolicTensor, type TfjsBuildContext } from '../src/core/spec';
import { fmtShape } from '../src/core/shapes';

export type RnnKind = 'SimpleRNN' | 'GRU' | 'LSTM';

/** Weight blocks per step: one per gate (SimpleRNN has a single "gate"). */
export const GATES: Record<RnnKind, number> = { SimpleRNN: 1, GRU: 3, LSTM: 4 };

/**
 * Activations a recurrent block may use: those tfjs has that ONNX's RNN/GRU/LSTM ops can also
 * express through their `activations` attribute (linear = Affine 1/0, hardSigmoid = HardSigmoid
 * 0.2/0.5, elu = Elu 1). gelu, selu, swish, relu6, mish and softmax have no ONNX recurrent
 * counterpart, so they are not offered.
 */
export const RNN_ACTIVATIONS = ['tanh', 'sigmoid', 'hardSigmoid', 'relu', 'elu', 'softplus', 'softsign', 'linear'] as const;
export type RnnActivation = (typeof RNN_ACTIVATIONS)[number];

/** Params every recurrent layer takes (SimpleRNN uses exactly these). */
export const rnnParams = {
  units: { kind: 'int', default: 32, min: 1, doc: 'Size of the hidden state (and of each output step).', key: true },
  activation: { kind: 'enum', options: RNN_ACTIVATIONS, default: 'tanh', doc: 'Activation of the candidate state and output (tanh in almost every model).' },
  useBias: { kind: 'bool', default: true, doc: 'Add a learned bias to each gate.' },
  returnSequences: { kind: 'bool', default: false, doc: 'Output every time step ([time, units]) instead of only the last one ([units]). Turn on to stack another recurrent layer or to tag every token.', key: true },
  returnState: { kind: 'bool', default: false, doc: 'Also output the final state on extra ports ("h", and "c" for LSTM), e.g. to start a decoder from the encoder.' },
  goBackwards: { kind: 'bool', default: false, doc: 'Read the sequence from the last step to the first. With returnSequences the outputs come in that reversed order, as in tfjs and Keras.' },
  dropout: { kind: 'float', default: 0, min: 0, max: 1, exclusiveMax: true, doc: 'Fraction of the input features dropped during training (0 = none). No effect at inference.' },
  recurrentDropout: { kind: 'float', default: 0, min: 0, max: 1, exclusiveMax: true, doc: 'Fraction of the recurrent state dropped during training (0 = none). No effect at inference.' },
} satisfies ParamSchema;

/** GRU and LSTM add the gate activation. */
export const gatedParams = {
  ...rnnParams,
  recurrentActivation: {
    kind: 'enum',
    options: RNN_ACTIVATIONS,
    default: 'sigmoid',
    doc: 'Activation of the gates. Defaults to "sigmoid" as in Keras and PyTorch (tfjs itself defaults to "hardSigmoid", which stays selectable).',
  },
} satisfies ParamSchema;

/** GRU adds where the reset gate acts. */
export const gruParams = {
  ...gatedParams,
  resetAfter: {
    kind: 'bool',
    default: false,
    doc: 'Apply the reset gate after the recurrent matmul, with a separate recurrent bias (PyTorch nn.GRU, ONNX linear_before_reset = 1, Keras reset_after = True). Off = tfjs\' GRU (reset before the matmul, one bias per gate).',
  },
} satisfies ParamSchema;

/** The resolved params the shared code reads (SimpleRNN has no recurrentActivation). */
export interface RnnP {
  units: number;
  activation: string;
  recurrentActivation?: string;
  useBias: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards?: boolean;
  dropout: number;
  recurrentDropout: number;
  /** GRU only: reset gate after the recurrent matmul (two bias rows). */
  resetAfter?: boolean;
}

/** Whether this recurrent layer is a GRU with resetAfter (then its bias is [2, 3u]). */
export function isResetAfter(kind: RnnKind, p: RnnP): boolean {
  return kind === 'GRU' && p.resetAfter === true;
}

/** Names of the state ports: h (and c for LSTM). */
export function stateNames(kind: RnnKind): string[] {
  return kind === 'LSTM' ? ['h', 'c'] : ['h'];
}

/** Requires a [batch, time, features] input; says how to get one otherwise. */
export function requireSequence(x: Shape | undefined, what: string, port = 'in'): { steps: number | null; features: number } {
  if (!x) throw new BlockError(`input "${port}" is not connected: connect a sequence [time, features] to it`, { port });
  if (x.length !== 3) {
    let hint: string;
    if (x.length > 3) {
      const rest = x.slice(2);
      const known = rest.every((d) => d !== null);
      const feat = known ? rest.reduce((a, b) => a * (b as number), 1) : null;
      hint = ` — add a Reshape to [time, features] before it (e.g. [${x[1] ?? -1}, ${feat ?? -1}] to read ${x.length === 4 ? 'an image row by row' : 'the first axis as time'})`;
    } else {
      hint = ` — add a Reshape to [${x[1] ?? -1}, 1] (one feature per step) or a RepeatVector before it, or an Embedding for token ids`;
    }
    throw new BlockError(`${what} needs a 2-D (3 with batch) input [time, features] on "${port}", got ${fmtShape(x)}${hint}`, { port });
  }
  const f = x[2];
  if (f === null || f === undefined) throw new BlockError(`${what} needs a known feature size (last dimension) on "${port}", got ${fmtShape(x)}`, { port });
  return { steps: x[1] ?? null, features: f };
}

/** Checks an initial-state input: [batch, units]. */
export function requireState(s: Shape | undefined, units: number, what: string, port: string): void {
  if (!s) return;
  if (s.length !== 2 || s[1] !== units)
    throw new BlockError(`${what}'s initial state "${port}" must be [null, ${units}] (batch × units), got ${fmtShape(s)} — feed a state of size ${units} (e.g. the "h"/"c" output of a recurrent block with the same units) or set units to ${s[s.length - 1] ?? '?'}`, { port });
}

/** All of the given optional state ports fed, or none (tfjs needs every state or no state). */
export function requireAllOrNone(shapes: (Shape | undefined)[], names: string[], what: string): boolean {
  const fed = shapes.map((s) => s !== undefined);
  if (fed.every((f) => !f)) return false;
  const missing = names.filter((_, i) => !fed[i]);
  if (missing.length)
    throw new BlockError(`${what} got initial state on ${names.filter((_, i) => fed[i]).map((n) => `"${n}"`).join(', ')} but not on ${missing.map((n) => `"${n}"`).join(', ')} — feed every initial state or none`, { port: missing[0] });
  return true;
}

/** Output shapes of one recurrent layer: out, then (returnState) its states. */
export function rnnOutputShapes(kind: RnnKind, steps: number | null, p: RnnP, outWidth = p.units): Shape[] {
  const out: Shape = p.returnSequences ? [null, steps, outWidth] : [null, outWidth];
  return p.returnState ? [out, ...stateNames(kind).map((): Shape => [null, p.units])] : [out];
}

/** Trainable weights of one direction: kernels, recurrent kernels and biases of every gate. */
export function rnnWeightCount(kind: RnnKind, features: number, p: RnnP): number {
  const g = GATES[kind];
  const biases = p.useBias ? (isResetAfter(kind, p) ? 2 : 1) : 0;
  return g * (features * p.units + p.units * p.units + biases * p.units);
}

/**
 * MACs of one direction: the input and recurrent matmuls of every gate, per step, times the
 * steps (an unknown length counts as one step, so the figure is per time step then).
 */
export function rnnMacs(kind: RnnKind, steps: number | null, features: number, units: number): number {
  return GATES[kind] * (features * units + units * units) * (steps ?? 1);
}

/** The tfjs layer config (without name) for one recurrent layer. */
export function tfjsRnnConfig(kind: RnnKind, p: RnnP, ctx: TfjsBuildContext): Record<string, unknown> {
  const cfg: Record<string, unknown> = {
    units: p.units,
    activation: p.activation,
    useBias: p.useBias,
    returnSequences: p.returnSequences,
    returnState: p.returnState,
    goBackwards: p.goBackwards ?? false,
    dropout: p.dropout,
    recurrentDropout: p.recurrentDropout,
  };
  if (kind !== 'SimpleRNN') cfg.recurrentActivation = p.recurrentActivation ?? 'sigmoid';
  if (isResetAfter(kind, p)) cfg.resetAfter = true;
  if (ctx.kernelInitializer) cfg.kernelInitializer = ctx.kernelInitializer;
  // tfjs' own orthogonal init takes seconds to minutes on the CPU backend; same distribution, fast.
  cfg.recurrentInitializer = new FastOrthogonal();
  return cfg;
}

export function makeTfjsRnn(tf: typeof tfjs, kind: RnnKind, cfg: Record<string, unknown>): tfjs.layers.Layer {
  switch (kind) {
    case 'LSTM':
      return tf.layers.lstm(cfg as never);
    case 'GRU':
      // tfjs' GRU throws on resetAfter; ours implements it (and serializes as GRUResetAfter).
      return cfg.resetAfter ? new GRUResetAfter(cfg as never) : tf.layers.gru(cfg as never);
    case 'SimpleRNN':
      return tf.layers.simpleRNN(cfg as never);
  }
}

/** Applies a recurrent layer (or Bidirectional) with optional initial states; one tensor per port. */
export function applyRnn(layer: tfjs.layers.Layer, x: SymbolicTensor, states: (SymbolicTensor | undefined)[]): SymbolicTensor[] {
  const fed = states.filter((s): s is SymbolicTensor => s !== undefined);
  const y = fed.length ? layer.apply(x, { initialState: fed }) : layer.apply(x);
  return (Array.isArray(y) ? y : [y]) as SymbolicTensor[];
}
