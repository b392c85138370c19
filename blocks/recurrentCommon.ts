// What SimpleRNN, GRU, LSTM and Bidirectional share: their params, ports, shape rules, parameter
// and MAC counts, building the tfjs layer, and emitting ONNX (the RNN/GRU/LSTM op with tfjs'
// weights rearranged to ONNX's layout, or the recurrence unrolled; see the ONNX section).
//
// tfjs facts the ONNX emission depends on (checked against tfjs-layers 4.22's source and
// numerically by the ONNX contract leg):
// - Kernels are [in, gates·u], recurrent kernels [u, gates·u], biases [gates·u] (input side only).
// - LSTM gate order is i, f, c, o; ONNX wants i, o, f, c.
// - GRU gate order is z, r, h, the same as ONNX. tfjs' own GRU has no resetAfter (it throws when
//   asked): the candidate is act(x·Wh + b_h + (r ⊙ h)·Rh), i.e. ONNX linear_before_reset = 0.
//   resetAfter = true (PyTorch's nn.GRU, ONNX linear_before_reset = 1) uses our GRUResetAfter
//   layer (src/core/layers/gruResetAfter.ts): candidate act(x·Wh + b_in_h + r ⊙ (h·Rh + b_rec_h)),
//   bias [2, 3u] (input row, recurrent row).
// - goBackwards reads the sequence from the end and, with returnSequences, returns the outputs in
//   the order it computed them (reversed time). ONNX's "reverse" direction writes Y in the
//   original time order, so the exporter flips Y back along time to match tfjs.
// - Bidirectional reverses the backward layer's sequence before merging, so both halves are in
//   original time order: exactly ONNX's bidirectional Y.
import { FastOrthogonal } from '../src/core/layers/orthogonal';
import { GRUResetAfter } from '../src/core/layers/gruResetAfter';
import type * as tfjs from '@tensorflow/tfjs';
import {
  BlockError,
  type BlockSpec,
  type BlockWeight,
  type Fixture,
  type OnnxContext,
  type ParamSchema,
  type ResolvedParams,
  type Shape,
  type SymbolicTensor,
  type TfjsBuildContext,
  type OnnxAttr,
} from '../src/core/spec';
import { emitActivation, floatInit, weightInit } from '../src/onnx/ops';
import { fmtShape } from '../src/core/shapes';
import { recurrentToPytorch } from './recurrentTorch';

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

// ---------------------------------------------------------------------------------------------
// ONNX
// ---------------------------------------------------------------------------------------------
//
// Two exact emissions, both giving ONNX's layout (Y [time, dirs, batch, u], Y_h / Y_c
// [dirs, batch, u]) so the blocks post-process them the same way:
// - the native RNN / GRU / LSTM op: with ONNX's default activations (f = Sigmoid, g = h = Tanh)
//   no `activations` attribute is needed; other activations are named in `activations` (each
//   RNN_ACTIVATIONS entry has an ONNX recurrent counterpart, see onnxRnnActivation), which is
//   how a sequence of unknown length exports;
// - for a known number of steps and non-default activations, the recurrence unrolled, each gate
//   activation emitted exactly as tfjs computes it (src/onnx/ops.ts): plain ops any runtime has.

/** The native op applies exactly these when no activations attribute is given. */
function defaultActivations(kind: RnnKind, p: RnnP): boolean {
  return p.activation === 'tanh' && (kind === 'SimpleRNN' || (p.recurrentActivation ?? 'sigmoid') === 'sigmoid');
}

/** ONNX's recurrent activation for a tfjs one, with the alpha/beta tfjs uses (see RNN_ACTIVATIONS). */
const ONNX_RNN_ACTIVATION: Record<RnnActivation, { name: string; alpha?: number; beta?: number }> = {
  tanh: { name: 'Tanh' },
  sigmoid: { name: 'Sigmoid' },
  hardSigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  relu: { name: 'Relu' },
  elu: { name: 'Elu', alpha: 1 },
  softplus: { name: 'Softplus' },
  softsign: { name: 'Softsign' },
  linear: { name: 'Affine', alpha: 1, beta: 0 },
};

/**
 * Why the recurrence cannot go to ONNX, or undefined. On an unknown number of steps it becomes
 * the native RNN / GRU / LSTM op, whose Softplus onnxruntime computes as log(1 + eˣ): ∞ once a
 * gate's input passes ~88, where tfjs' softplus stays finite (≈ x). A known length is unrolled
 * with the stable softplus instead (src/onnx/ops.ts), so only that case is refused.
 */
export function rnnOnnxUnsupported(kind: RnnKind, p: RnnP, x: Shape | undefined): string | undefined {
  if (!x || x[1] !== null) return undefined;
  const which = p.activation === 'softplus' ? 'activation' : kind !== 'SimpleRNN' && p.recurrentActivation === 'softplus' ? 'recurrentActivation' : undefined;
  if (!which) return undefined;
  return `${which} "softplus" on a sequence of unknown length: ONNX's ${kind === 'SimpleRNN' ? 'RNN' : kind} op computes Softplus as log(1 + eˣ), which onnxruntime overflows to ∞ for inputs above ~88 where tfjs stays finite; give the Input a known length (then the steps are unrolled with a stable softplus) or pick another ${which}`;
}

/**
 * The `activations` attribute (and activation_alpha / activation_beta, listed in order for the
 * functions that take them, never left to defaults) for every direction: f (and g, h) as ONNX
 * orders them — SimpleRNN [g], GRU [f, g], LSTM [f, g, h] with f the gate activation.
 */
export function onnxRnnActivationAttrs(kind: RnnKind, p: RnnP, directions: number): Record<string, OnnxAttr> {
  const act = (a: string) => {
    const m = ONNX_RNN_ACTIVATION[a as RnnActivation];
    if (!m) throw new BlockError(`activation ${JSON.stringify(a)} has no ONNX recurrent counterpart (use one of ${RNN_ACTIVATIONS.join(', ')})`, { param: 'activation' });
    return m;
  };
  const f = p.recurrentActivation ?? 'sigmoid';
  const one = kind === 'SimpleRNN' ? [p.activation] : kind === 'GRU' ? [f, p.activation] : [f, p.activation, p.activation];
  const all = Array.from({ length: directions }, () => one.map(act)).flat();
  const attrs: Record<string, OnnxAttr> = { activations: { strings: all.map((m) => m.name) } };
  const alphas = all.filter((m) => m.alpha !== undefined).map((m) => m.alpha!);
  const betas = all.filter((m) => m.beta !== undefined).map((m) => m.beta!);
  if (alphas.length) attrs.activation_alpha = { floats: alphas };
  if (betas.length) attrs.activation_beta = { floats: betas };
  return attrs;
}

/**
 * Rearranges one direction's tfjs weights (kernel [in, g·u], recurrent kernel [u, g·u], bias
 * [g·u]) into ONNX's W [g·u, in], R [g·u, u] and B [2·g·u] (input bias, then a zero recurrent
 * bias), with LSTM gates reordered from i,f,c,o to i,o,f,c. A resetAfter GRU's bias is [2, 3u]:
 * its rows are exactly ONNX's Wb and Rb (gate order z, r, h in both).
 */
export function onnxWeights(kind: RnnKind, units: number, weights: BlockWeight[], useBias: boolean): { W: Float32Array; R: Float32Array; B: Float32Array; inputSize: number } {
  const g = GATES[kind];
  const { kernel, recurrent, bias } = splitWeights(kind, weights, useBias);
  const inputSize = kernel.shape[0]!;
  // ONNX gate k takes tfjs gate order[k].
  const order = kind === 'LSTM' ? [0, 3, 1, 2] : Array.from({ length: g }, (_, k) => k);
  const transpose = (w: BlockWeight, rows: number): Float32Array => {
    const out = new Float32Array(g * units * rows);
    const cols = g * units;
    for (let k = 0; k < g; k++) {
      const src = order[k]! * units;
      for (let j = 0; j < units; j++) for (let r = 0; r < rows; r++) out[(k * units + j) * rows + r] = w.data[r * cols + src + j]!;
    }
    return out;
  };
  const B = new Float32Array(2 * g * units);
  if (bias && bias.shape.length === 2) {
    if (kind !== 'GRU' || bias.data.length !== 2 * g * units) throw new Error(`${kind}: a two-row bias ${JSON.stringify(bias.shape)} is only expected for a resetAfter GRU with ${units} units`);
    B.set(bias.data);
  } else if (bias) for (let k = 0; k < g; k++) B.set(bias.data.subarray(order[k]! * units, (order[k]! + 1) * units), k * units);
  return { W: transpose(kernel, inputSize), R: transpose(recurrent, units), B, inputSize };
}

function splitWeights(kind: RnnKind, weights: BlockWeight[], useBias: boolean): { kernel: BlockWeight; recurrent: BlockWeight; bias?: BlockWeight } {
  const [kernel, recurrent, bias] = weights;
  if (!kernel || !recurrent || (useBias && !bias) || weights.length !== (useBias ? 3 : 2))
    throw new Error(`${kind}: expected kernel, recurrent kernel${useBias ? ' and bias' : ''}, got ${JSON.stringify(weights.map((w) => w.name))}`);
  return { kernel, recurrent, bias: useBias ? bias : undefined };
}

export interface OnnxRnnArgs {
  kind: RnnKind;
  p: RnnP;
  /** Input [batch, time, features]. */
  x: string;
  /** Its time steps (null when unknown). */
  steps: number | null;
  /** One weight list per direction (forward first), in tfjs' getWeights() order. */
  dirWeights: BlockWeight[][];
  direction: 'forward' | 'reverse' | 'bidirectional';
  /** Initial states as [batch, units] values per direction (h, then c for LSTM), or undefined. */
  initial?: { h: string[]; c?: string[] };
  hint: string;
}

/**
 * Emits the recurrence. Returns Y as [time, num_directions, batch, units] (each direction's
 * outputs in the original time order, as ONNX defines it) and the final states Y_h (and Y_c) as
 * [num_directions, batch, units].
 */
export function emitOnnxRnn(ctx: OnnxContext, a: OnnxRnnArgs): { Y: string; Yh: string; Yc?: string } {
  const custom = !defaultActivations(a.kind, a.p);
  if (custom && a.steps !== null) return emitUnrolled(ctx, a);
  const { kind, p } = a;
  const dirs = a.dirWeights.map((w) => onnxWeights(kind, p.units, w, p.useBias));
  const nd = dirs.length;
  const inputSize = dirs[0]!.inputSize;
  const g = GATES[kind];
  const W = ctx.initializer(`${a.hint}_W`, { dtype: 'float32', dims: [nd, g * p.units, inputSize], data: cat(dirs.map((d) => d.W)) });
  const R = ctx.initializer(`${a.hint}_R`, { dtype: 'float32', dims: [nd, g * p.units, p.units], data: cat(dirs.map((d) => d.R)) });
  const B = ctx.initializer(`${a.hint}_B`, { dtype: 'float32', dims: [nd, 2 * g * p.units], data: cat(dirs.map((d) => d.B)) });
  // [batch, time, features] → [time, batch, features] (layout 0).
  const xT = ctx.node('Transpose', [a.x], { perm: { ints: [1, 0, 2] } })[0]!;
  // Initial states [batch, units] per direction → [num_directions, batch, units].
  const stack = (vals: string[]): string => {
    const us = vals.map((v) => ctx.node('Unsqueeze', [v, ctx.constInt64(`${a.hint}_axis0`, [0])])[0]!);
    return us.length === 1 ? us[0]! : ctx.node('Concat', us, { axis: { i: 0 } })[0]!;
  };
  const initH = a.initial ? stack(a.initial.h) : '';
  const initC = a.initial?.c ? stack(a.initial.c) : '';
  const attrs: Record<string, OnnxAttr> = { hidden_size: { i: p.units }, direction: { s: a.direction } };
  if (custom) Object.assign(attrs, onnxRnnActivationAttrs(kind, p, nd));
  // tfjs' GRU applies the reset gate before the recurrent matmul; resetAfter applies it after.
  if (kind === 'GRU') attrs.linear_before_reset = { i: isResetAfter(kind, p) ? 1 : 0 };
  // Inputs: X, W, R, B, sequence_lens ('' = every sequence full length), initial_h, initial_c.
  const inputs = [xT, W, R, B, '', initH];
  if (kind === 'LSTM') inputs.push(initC);
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const outs = ctx.node(kind === 'SimpleRNN' ? 'RNN' : kind, inputs, attrs, { outputs: kind === 'LSTM' ? 3 : 2 });
  return { Y: outs[0]!, Yh: outs[1]!, Yc: kind === 'LSTM' ? outs[2] : undefined };
}

function cat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, q) => n + q.length, 0));
  let o = 0;
  for (const q of parts) {
    out.set(q, o);
    o += q.length;
  }
  return out;
}

/**
 * The recurrence step by step, with tfjs' weights as they are and tfjs' formulas (see
 * tfjs-layers' SimpleRNNCell, GRUCell and LSTMCell). A missing initial state is zero, so the
 * first step simply leaves out the terms it would multiply.
 */
function emitUnrolled(ctx: OnnxContext, a: OnnxRnnArgs): { Y: string; Yh: string; Yc?: string } {
  const { kind, p, hint } = a;
  const T = a.steps!;
  const u = p.units;
  const f = p.recurrentActivation ?? 'sigmoid';
  const act = (name: string, v: string) => emitActivation(ctx, name, v);
  const Y: string[][] = []; // per direction, per original time step: [1, 1, batch, u]
  const finalH: string[] = [];
  const finalC: string[] = [];
  a.dirWeights.forEach((weights, d) => {
    const { kernel, recurrent, bias } = splitWeights(kind, weights, p.useBias);
    const reverse = a.direction === 'reverse' || (a.direction === 'bidirectional' && d === 1);
    // x·W (+ b) for all steps at once: [batch, time, g·u].
    let xw = ctx.node('MatMul', [a.x, weightInit(ctx, `${hint}_kernel`, kernel)])[0]!;
    const after = isResetAfter(kind, p);
    // A resetAfter GRU's bias [2, 3u]: row 0 joins the input side, row 1 the recurrent side.
    const inBias = bias && after ? floatInit(ctx, `${hint}_bias_in`, { data: bias.data.slice(0, 3 * u), dims: [3 * u] }) : bias ? weightInit(ctx, `${hint}_bias`, bias) : '';
    const recBias = bias && after ? floatInit(ctx, `${hint}_bias_rec`, { data: bias.data.slice(3 * u), dims: [3 * u] }) : '';
    if (inBias) xw = ctx.node('Add', [xw, inBias])[0]!;
    // GRU's recurrent kernel splits into the z,r part and the candidate part (unless resetAfter,
    // which multiplies the whole recurrent kernel before the reset gate).
    let R = '';
    let Rzr = '';
    let Rh = '';
    // One step from a zero state never reads the recurrent kernel: no initializer nothing uses.
    const recurs = T > 1 || a.initial?.h[d] !== undefined;
    if (recurs && kind === 'GRU' && !after) {
      const rows = recurrent.shape[0]!;
      const zr = new Float32Array(rows * 2 * u);
      const hh = new Float32Array(rows * u);
      for (let r = 0; r < rows; r++) {
        zr.set(recurrent.data.subarray(r * 3 * u, r * 3 * u + 2 * u), r * 2 * u);
        hh.set(recurrent.data.subarray(r * 3 * u + 2 * u, (r + 1) * 3 * u), r * u);
      }
      Rzr = floatInit(ctx, `${hint}_recurrent_zr`, { data: zr, dims: [rows, 2 * u] });
      Rh = floatInit(ctx, `${hint}_recurrent_h`, { data: hh, dims: [rows, u] });
    } else if (recurs) R = weightInit(ctx, `${hint}_recurrent_kernel`, recurrent);
    let h: string | undefined = a.initial?.h[d];
    let c: string | undefined = a.initial?.c?.[d];
    const outs: string[] = new Array<string>(T);
    for (let k = 0; k < T; k++) {
      const t = reverse ? T - 1 - k : k;
      const xt = ctx.node('Gather', [xw, ctx.constInt64(`${hint}_t${t}`, [t], [])], { axis: { i: 1 } })[0]!;
      if (kind === 'SimpleRNN') {
        const z = h ? ctx.node('Add', [xt, ctx.node('MatMul', [h, R])[0]!])[0]! : xt;
        h = act(p.activation, z);
      } else if (kind === 'LSTM') {
        const z = h ? ctx.node('Add', [xt, ctx.node('MatMul', [h, R])[0]!])[0]! : xt;
        const [z0, z1, z2, z3] = ctx.node('Split', [z], { axis: { i: 1 } }, { outputs: 4 });
        const ig = act(f, z0!);
        const fg = act(f, z1!);
        const cand = ctx.node('Mul', [ig, act(p.activation, z2!)])[0]!;
        c = c ? ctx.node('Add', [ctx.node('Mul', [fg, c])[0]!, cand])[0]! : cand;
        const og = act(f, z3!);
        h = ctx.node('Mul', [og, act(p.activation, c)])[0]!;
      } else {
        const [xz, xr, xh] = ctx.node('Split', [xt], { axis: { i: 1 } }, { outputs: 3 });
        let zg: string;
        let rg: string;
        let cand: string;
        if (after) {
          // The recurrent part (h·R + b_rec) is just b_rec when h is the zero initial state.
          let hr = h ? ctx.node('MatMul', [h, R])[0]! : '';
          if (recBias) hr = hr ? ctx.node('Add', [hr, recBias])[0]! : recBias;
          if (hr) {
            const [rz, rr, rh] = ctx.node('Split', [hr], { axis: { i: -1 } }, { outputs: 3 });
            zg = act(f, ctx.node('Add', [xz!, rz!])[0]!);
            rg = act(f, ctx.node('Add', [xr!, rr!])[0]!);
            cand = act(p.activation, ctx.node('Add', [xh!, ctx.node('Mul', [rg, rh!])[0]!])[0]!);
          } else {
            zg = act(f, xz!);
            cand = act(p.activation, xh!);
          }
        } else if (h) {
          const [hz, hr] = ctx.node('Split', [ctx.node('MatMul', [h, Rzr])[0]!], { axis: { i: 1 } }, { outputs: 2 });
          zg = act(f, ctx.node('Add', [xz!, hz!])[0]!);
          rg = act(f, ctx.node('Add', [xr!, hr!])[0]!);
          const rh = ctx.node('MatMul', [ctx.node('Mul', [rg, h])[0]!, Rh])[0]!;
          cand = act(p.activation, ctx.node('Add', [xh!, rh])[0]!);
        } else {
          zg = act(f, xz!);
          cand = act(p.activation, xh!);
        }
        // h = z·h + (1 − z)·candidate.
        const keep = ctx.node('Sub', [ctx.constFloat(`${hint}_one`, [1], []), zg])[0]!;
        const fresh = ctx.node('Mul', [keep, cand])[0]!;
        h = h ? ctx.node('Add', [ctx.node('Mul', [zg, h])[0]!, fresh])[0]! : fresh;
      }
      outs[t] = ctx.node('Unsqueeze', [h, ctx.constInt64(`${hint}_axes01`, [0, 1])])[0]!;
    }
    Y.push(outs);
    finalH.push(ctx.node('Unsqueeze', [h!, ctx.constInt64(`${hint}_axis0`, [0])])[0]!);
    if (c) finalC.push(ctx.node('Unsqueeze', [c, ctx.constInt64(`${hint}_axis0`, [0])])[0]!);
  });
  const concat = (vals: string[], axis: number) => (vals.length === 1 ? vals[0]! : ctx.node('Concat', vals, { axis: { i: axis } })[0]!);
  // [1, 1, batch, u] per step and direction → [time, dirs, batch, u].
  const perStep = Array.from({ length: T }, (_, t) => concat(Y.map((dir) => dir[t]!), 1));
  return { Y: concat(perStep, 0), Yh: concat(finalH, 0), Yc: kind === 'LSTM' ? concat(finalC, 0) : undefined };
}

/** Y [time, dirs, batch, u] of direction d → [batch, time, u]. */
export function onnxSequence(ctx: OnnxContext, Y: string, d: number, hint: string): string {
  const sliced = ctx.node('Gather', [Y, ctx.constInt64(`${hint}_dir${d}`, [d], [])], { axis: { i: 1 } })[0]!;
  return ctx.node('Transpose', [sliced], { perm: { ints: [1, 0, 2] } })[0]!;
}

/** A state [dirs, batch, u] of direction d → [batch, u]. */
export function onnxState(ctx: OnnxContext, S: string, d: number, hint: string): string {
  return ctx.node('Gather', [S, ctx.constInt64(`${hint}_dir${d}`, [d], [])], { axis: { i: 0 } })[0]!;
}

/** Reverses [batch, time, u] along time (tfjs' goBackwards output order). */
export function onnxReverseTime(ctx: OnnxContext, x: string, hint: string): string {
  const big = 2 ** 62;
  return ctx.node('Slice', [
    x,
    ctx.constInt64(`${hint}_rev_start`, [-1]),
    ctx.constInt64(`${hint}_rev_end`, [-big]),
    ctx.constInt64(`${hint}_rev_axis`, [1]),
    ctx.constInt64(`${hint}_rev_step`, [-1]),
  ])[0]!;
}

// ---------------------------------------------------------------------------------------------
// The SimpleRNN / GRU / LSTM block factory
// ---------------------------------------------------------------------------------------------

export interface RecurrentBlockOptions<S extends ParamSchema> {
  kind: RnnKind;
  label: string;
  docs: string;
  params: S;
  fixtures: Fixture[];
}

export function recurrentBlock<S extends ParamSchema>(o: RecurrentBlockOptions<S>): BlockSpec<S> {
  const { kind } = o;
  const states = stateNames(kind);
  const statePorts = states.map((s) => `${s}0`);
  const rp = (p: ResolvedParams<S>) => p as unknown as RnnP;
  return {
    type: kind,
    category: 'recurrent',
    label: o.label,
    docs: o.docs,
    params: o.params,
    inputs: () => [
      { name: 'in', doc: 'The sequence [time, features].' },
      ...statePorts.map((name) => ({ name, optional: true, doc: `Optional initial ${name[0]} state [units] (zeros when unfed).` })),
    ],
    outputs: (p) => (rp(p).returnState ? ['out', ...states] : ['out']),
    inferShape([x, ...init], pp) {
      const p = rp(pp);
      const { steps } = requireSequence(x, kind);
      statePorts.forEach((port, i) => requireState(init[i], p.units, kind, port));
      requireAllOrNone(init.slice(0, statePorts.length), statePorts, kind);
      return rnnOutputShapes(kind, steps, p);
    },
    paramCount([x], p) {
      return { trainable: rnnWeightCount(kind, requireSequence(x, kind).features, rp(p)), nonTrainable: 0 };
    },
    macs([x], p) {
      const { steps, features } = requireSequence(x, kind);
      return rnnMacs(kind, steps, features, rp(p).units);
    },
    toTfjs([x, ...init], p, ctx) {
      const layer = ctx.register(makeTfjsRnn(ctx.tf, kind, { ...tfjsRnnConfig(kind, rp(p), ctx), name: ctx.name }));
      return applyRnn(layer, x!, init);
    },
    toOnnx(ctx, { params, inputs, inputShapes, weights }) {
      const p = rp(params);
      const [x, ...init] = inputs;
      // Value names are already scoped by the node id.
      const hint = kind.toLowerCase();
      const fed = init.some((s) => s !== undefined);
      const r = emitOnnxRnn(ctx, {
        kind,
        p,
        x: x!,
        steps: inputShapes[0]?.[1] ?? null,
        dirWeights: [weights],
        direction: p.goBackwards ? 'reverse' : 'forward',
        initial: fed ? { h: [init[0]!], c: kind === 'LSTM' ? [init[1]!] : undefined } : undefined,
        hint,
      });
      let out: string;
      if (p.returnSequences) {
        out = onnxSequence(ctx, r.Y, 0, hint);
        // tfjs returns a backwards layer's steps in the order it computed them.
        if (p.goBackwards) out = onnxReverseTime(ctx, out, hint);
      } else out = onnxState(ctx, r.Yh, 0, hint);
      if (!p.returnState) return [out];
      const hs = [onnxState(ctx, r.Yh, 0, hint)];
      if (kind === 'LSTM') hs.push(onnxState(ctx, r.Yc!, 0, hint));
      return [out, ...hs];
    },
    onnxUnsupported: (p, inputShapes) => rnnOnnxUnsupported(kind, rp(p), inputShapes?.[0]),
    // A sigmoid candidate keeps the outputs in (0, 1): the trainer accepts it for binary labels.
    outputActivation: (p) => rp(p).activation,
    toPytorch: (a) => recurrentToPytorch(a, kind, rp(a.params)),
    fixtures: o.fixtures,
  };
}
