// ONNX for SimpleRNN, GRU, LSTM and Bidirectional: the RNN/GRU/LSTM op with tfjs' weights
// rearranged to ONNX's layout, or the recurrence unrolled.
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
import { BlockError, type BlockWeight, type OnnxAttr, type OnnxContext, type Shape } from '../src/core/spec';
import { emitActivation, floatInit, weightInit } from '../src/onnx/ops';
import { GATES, RNN_ACTIVATIONS, isResetAfter, type RnnActivation, type RnnKind, type RnnP } from './recurrentCommon';

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
