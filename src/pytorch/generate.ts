// CompiledModel → a readable PyTorch model.py (one nn.Module, a member per block, forward in
// graph order with a shape comment per line), train.py, README.md, and the weights converted to
// torch layouts. Pure TypeScript: runs in the browser and in Node (the CLI writes the files).
// Tensors stay channels-last between blocks, exactly as in tfjs (see prelude.ts).
import type { CompiledModel } from '../core/compile';
import { nodeWeights } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import type { BlockWeight, Shape } from '../core/spec';
import type { NodeInfo } from '../core/infer';
import { parseTrainingConfig, type TrainingConfig } from '../train/config';
import { PRELUDE } from './prelude';
import { permuteData, transpose2d, type TorchWeight } from './weights';
import { trainScript } from './train';
import { readme } from './readme';

export class PytorchExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PytorchExportError';
  }
}

export interface PytorchExport {
  files: { 'model.py': string; 'train.py': string; 'README.md': string };
  /** Tensors by state_dict name, already in torch layout. */
  weights: Record<string, TorchWeight>;
  /** Names of the forward() arguments and the returned outputs, in the compiled model's order. */
  inputs: string[];
  outputs: string[];
}

const PY_KEYWORDS = new Set(
  [
    // Python keywords and names forward() itself uses
    'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield self x _',
    // modules and prelude helpers the generated code calls (a local of that name would shadow them)
    'torch nn F math os json ACTIVATIONS hard_sigmoid same_pads pad_same_nchw to_cf to_cl max_pool avg_pool upsample_bilinear causal_mask load_weights kl_losses Model List Optional Tuple',
    // nn.Module attributes a member must not replace
    'forward training train eval parameters named_parameters buffers named_buffers modules named_modules children named_children to cuda cpu float double half type apply state_dict load_state_dict zero_grad register_buffer register_parameter register_module add_module get_submodule requires_grad_ share_memory extra_repr input_names output_names input_dtypes',
  ]
    .join(' ')
    .split(' '),
);

/** A valid, unique Python identifier for a node id ("r1/c1" → "r1_c1"). */
function identifiers(ids: string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const id of ids) {
    let s = id.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(s)) s = `n_${s}`;
    if (PY_KEYWORDS.has(s) || s.startsWith('__')) s = `${s}_`;
    let u = s;
    for (let k = 2; used.has(u); k++) u = `${s}_${k}`;
    used.add(u);
    out.set(id, u);
  }
  return out;
}

function fmtShape(s: Shape | undefined): string {
  if (!s) return '(?)';
  return `(${s.map((d, i) => (i === 0 ? 'B' : d === null ? 'T' : String(d))).join(', ')})`;
}

const py = (v: unknown): string => {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'float("nan")' : v > 0 ? 'float("inf")' : 'float("-inf")';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  throw new Error(`cannot write ${JSON.stringify(v)} as Python`);
};

interface Ctx {
  id: string;
  self: string;
  p: Record<string, unknown>;
  info: NodeInfo;
  inShapes: (Shape | undefined)[];
  outShapes: Shape[];
  ins: (string | undefined)[];
  outs: string[];
  tw: BlockWeight[];
}
interface Emitted {
  member?: string;
  weights?: Record<string, TorchWeight>;
  /** Forward lines; the last one gets the output shape comment. */
  lines: string[];
}

function pick(ws: BlockWeight[], suffix: string, c: Ctx): BlockWeight {
  const w = ws.find((x) => x.name === suffix || x.name.endsWith(`/${suffix}`));
  if (!w) throw new PytorchExportError(`node "${c.id}" (${c.info.type}): no weight named "${suffix}" among ${ws.map((x) => x.name).join(', ') || 'none'}`);
  return w;
}
const asIs = (w: BlockWeight): TorchWeight => ({ shape: w.shape.slice(), data: w.data });
const perm = (w: BlockWeight, order: number[]): TorchWeight => permuteData(w.data, w.shape, order);

function axisOf(a: number, rank: number): number {
  return a < 0 ? rank + a : a;
}

function poolArgs(c: Ctx, rank: number): { pool: number[]; strides: number[] } {
  const pool = c.p.poolSize as number[];
  // Unset strides (null, or 0 in older graphs) mean "the pool size", as in tfjs.
  const given = c.p.strides as number[] | null;
  const strides = pool.map((k, i) => (given && given[i] ? given[i]! : k));
  if (pool.length !== rank) throw new PytorchExportError(`node "${c.id}": poolSize ${JSON.stringify(pool)} is not ${rank}-D`);
  return { pool, strides };
}

/**
 * Converts one recurrent direction's tfjs weights (kernel, recurrent_kernel, bias) for the
 * prelude's Recurrent. A resetAfter GRU's bias [2, 3u] splits into bias (input row) and bias_hh.
 */
function rnnWeights(ws: BlockWeight[], prefix: string, useBias: boolean): Record<string, TorchWeight> {
  const [k, r, b] = ws;
  const out: Record<string, TorchWeight> = {
    [`${prefix}weight_ih`]: transpose2d(k!.data, k!.shape[0]!, k!.shape[1]!),
    [`${prefix}weight_hh`]: transpose2d(r!.data, r!.shape[0]!, r!.shape[1]!),
  };
  if (useBias && b!.shape.length === 2) {
    const n = b!.shape[1]!;
    out[`${prefix}bias`] = { shape: [n], data: b!.data.slice(0, n) };
    out[`${prefix}bias_hh`] = { shape: [n], data: b!.data.slice(n) };
  } else if (useBias) out[`${prefix}bias`] = asIs(b!);
  return out;
}

/**
 * A resetAfter GRU with sigmoid gates, tanh and no recurrent dropout is exactly torch's nn.GRU
 * (the prelude's GRU wrapper); other gate activations need the prelude's Recurrent cell.
 */
function nativeGru(kind: string, p: Record<string, unknown>): boolean {
  return kind === 'GRU' && p.resetAfter === true && p.activation === 'tanh' && (p.recurrentActivation ?? 'sigmoid') === 'sigmoid' && !p.recurrentDropout;
}

/** tfjs gate blocks z, r, h → torch's r, z, n, along the rows of a [3u, …] matrix (or a [3u] vector). */
function torchGateOrder(w: TorchWeight): TorchWeight {
  const rows = w.shape[0]!;
  const u = rows / 3;
  const cols = w.data.length / rows;
  const out = new Float32Array(w.data.length);
  // torch gate g takes tfjs gate from[g].
  const from = [1, 0, 2];
  for (let g = 0; g < 3; g++) out.set(w.data.subarray(from[g]! * u * cols, (from[g]! + 1) * u * cols), g * u * cols);
  return { shape: w.shape.slice(), data: out };
}

/** One direction's weights for the prelude's GRU (nn.GRU: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0). */
function nativeGruWeights(ws: BlockWeight[], prefix: string, useBias: boolean): Record<string, TorchWeight> {
  const [k, r, b] = ws;
  const out: Record<string, TorchWeight> = {
    [`${prefix}gru.weight_ih_l0`]: torchGateOrder(transpose2d(k!.data, k!.shape[0]!, k!.shape[1]!)),
    [`${prefix}gru.weight_hh_l0`]: torchGateOrder(transpose2d(r!.data, r!.shape[0]!, r!.shape[1]!)),
  };
  if (useBias) {
    const n = b!.shape[1]!;
    out[`${prefix}gru.bias_ih_l0`] = torchGateOrder({ shape: [n], data: b!.data.slice(0, n) });
    out[`${prefix}gru.bias_hh_l0`] = torchGateOrder({ shape: [n], data: b!.data.slice(n) });
  }
  return out;
}

function rnnKwargs(kind: string, features: number, p: Record<string, unknown>, goBackwards: boolean): string {
  return [
    `kind=${py(kind)}`,
    `input_size=${features}`,
    `units=${py(p.units)}`,
    `activation=${py(p.activation)}`,
    `recurrent_activation=${py(p.recurrentActivation ?? 'sigmoid')}`,
    `bias=${py(p.useBias)}`,
    `return_sequences=${py(p.returnSequences)}`,
    ...(goBackwards ? ['go_backwards=True'] : []),
    ...(p.dropout ? [`dropout=${py(p.dropout)}`] : []),
    ...(p.recurrentDropout ? [`recurrent_dropout=${py(p.recurrentDropout)}`] : []),
    ...(kind === 'GRU' && p.resetAfter ? ['reset_after=True'] : []),
  ].join(', ');
}

const MERGES: Record<string, (xs: string[]) => string> = {
  Add: (xs) => xs.join(' + '),
  Subtract: (xs) => `${xs[0]} - ${xs[1]}`,
  Multiply: (xs) => xs.join(' * '),
  Average: (xs) => `(${xs.join(' + ')}) / ${xs.length}`,
  Maximum: (xs) => xs.slice(1).reduce((a, b) => `torch.maximum(${a}, ${b})`, xs[0]!),
};

function emit(c: Ctx): Emitted {
  const { p, ins, outs, self } = c;
  const x = ins[0]!;
  const o = outs[0]!;
  const xs = c.inShapes[0]!;
  const rank = xs?.length ?? 0;
  const t = c.info.type;
  if (t in MERGES) return { lines: [`${o} = ${MERGES[t]!(ins as string[])}`] };
  switch (t) {
    case 'Dense': {
      const k = pick(c.tw, 'kernel', c);
      const w: Record<string, TorchWeight> = { weight: transpose2d(k.data, k.shape[0]!, k.shape[1]!) };
      if (p.useBias) w.bias = asIs(pick(c.tw, 'bias', c));
      const y = `self.${self}(${x})`;
      return { member: `nn.Linear(${k.shape[0]}, ${k.shape[1]}, bias=${py(p.useBias)})`, weights: w, lines: [`${o} = ${act(p.activation as string, y)}`] };
    }
    case 'Conv2D':
    case 'Conv1D': {
      const r = t === 'Conv2D' ? 2 : 1;
      const k = pick(c.tw, 'kernel', c);
      const w: Record<string, TorchWeight> = { weight: perm(k, r === 2 ? [3, 2, 0, 1] : [2, 1, 0]) };
      if (p.useBias) w.bias = asIs(pick(c.tw, 'bias', c));
      const cin = k.shape[r]!;
      const cout = k.shape[r + 1]!;
      return {
        member: `ConvNd(${r}, ${cin}, ${cout}, kernel=${py(p.kernelSize)}, strides=${py(p.strides)}, dilation=${py(p.dilationRate)}, padding=${py(p.padding)}, bias=${py(p.useBias)}, activation=${py(p.activation)})`,
        weights: w,
        lines: [`${o} = self.${self}(${x})`],
      };
    }
    case 'DepthwiseConv2D': {
      const k = pick(c.tw, 'depthwise_kernel', c);
      const [kh, kw, cin, m] = k.shape as [number, number, number, number];
      const pk = perm(k, [2, 3, 0, 1]);
      const w: Record<string, TorchWeight> = { weight: { shape: [cin * m, 1, kh, kw], data: pk.data } };
      if (p.useBias) w.bias = asIs(pick(c.tw, 'bias', c));
      return {
        member: `ConvNd(2, ${cin}, ${cin * m}, kernel=${py(p.kernelSize)}, strides=${py(p.strides)}, dilation=[1, 1], padding=${py(p.padding)}, groups=${cin}, bias=${py(p.useBias)}, activation=${py(p.activation)})`,
        weights: w,
        lines: [`${o} = self.${self}(${x})`],
      };
    }
    case 'SeparableConv2D': {
      const k = pick(c.tw, 'depthwise_kernel', c);
      const pw = pick(c.tw, 'pointwise_kernel', c);
      const [kh, kw, cin, m] = k.shape as [number, number, number, number];
      const cout = pw.shape[3]!;
      const w: Record<string, TorchWeight> = {
        'depthwise.weight': { shape: [cin * m, 1, kh, kw], data: perm(k, [2, 3, 0, 1]).data },
        pointwise: perm(pw, [3, 2, 0, 1]),
      };
      if (p.useBias) w.bias = asIs(pick(c.tw, 'bias', c));
      return {
        member: `SeparableConv2d(${cin}, ${cout}, kernel=${py(p.kernelSize)}, strides=${py(p.strides)}, dilation=${py(p.dilationRate)}, padding=${py(p.padding)}, multiplier=${m}, bias=${py(p.useBias)}, activation=${py(p.activation)})`,
        weights: w,
        lines: [`${o} = self.${self}(${x})`],
      };
    }
    case 'Conv2DTranspose': {
      const k = pick(c.tw, 'kernel', c); // [kh, kw, cout, cin]
      const w: Record<string, TorchWeight> = { weight: perm(k, [3, 2, 0, 1]) };
      if (p.useBias) w.bias = asIs(pick(c.tw, 'bias', c));
      return {
        member: `ConvTranspose2d(${k.shape[3]}, ${k.shape[2]}, kernel=${py(p.kernelSize)}, strides=${py(p.strides)}, padding=${py(p.padding)}, bias=${py(p.useBias)}, activation=${py(p.activation)})`,
        weights: w,
        lines: [`${o} = self.${self}(${x})`],
      };
    }
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling1D':
    case 'AveragePooling2D': {
      const { pool, strides } = poolArgs(c, t.endsWith('1D') ? 1 : 2);
      const fn = t.startsWith('Max') ? 'max_pool' : 'avg_pool';
      return { lines: [`${o} = ${fn}(${x}, ${py(pool)}, ${py(strides)}, ${py(p.padding)})`] };
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
      return { lines: [`${o} = ${x}.mean(dim=${t.endsWith('1D') ? '1' : '(1, 2)'})`] };
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
      return { lines: [`${o} = ${x}.amax(dim=${t.endsWith('1D') ? '1' : '(1, 2)'})`] };
    case 'Activation':
      return { lines: [`${o} = ${act(p.activation as string, x)}`] };
    case 'LeakyReLU':
      return { lines: [`${o} = F.leaky_relu(${x}, ${py(p.alpha)})`] };
    case 'Softmax':
      return { lines: [`${o} = F.softmax(${x}, dim=${axisOf(p.axis as number, rank)})`] };
    case 'Dropout':
      return { member: `nn.Dropout(${py(p.rate)})`, lines: [`${o} = self.${self}(${x})`] };
    case 'SpatialDropout':
      return { member: `SpatialDropout(${py(p.rate)})`, lines: [`${o} = self.${self}(${x})`] };
    case 'GaussianNoise':
      return { member: `GaussianNoise(${py(p.stddev)})`, lines: [`${o} = self.${self}(${x})`] };
    case 'Flatten':
      // Channels-last like tfjs, so the flattened order is tfjs' (H, W, C).
      return { lines: [`${o} = ${x}.reshape(${x}.shape[0], -1)`] };
    case 'Reshape': {
      const target = c.outShapes[0]!.slice(1).map((d) => d ?? -1);
      return { lines: [`${o} = ${x}.reshape(${x}.shape[0], ${target.join(', ')})`] };
    }
    case 'Permute':
      return { lines: [`${o} = ${x}.permute(0, ${(p.dims as number[]).join(', ')})`] };
    case 'RepeatVector':
      return { lines: [`${o} = ${x}.unsqueeze(1).expand(-1, ${py(p.n)}, -1)`] };
    case 'Concatenate':
      return { lines: [`${o} = torch.cat([${ins.join(', ')}], dim=${axisOf(p.axis as number, rank)})`] };
    case 'BatchNormalization': {
      const a = axisOf(p.axis as number, rank);
      const size = xs[a]!;
      const w: Record<string, TorchWeight> = {};
      if (p.scale) w.weight = asIs(pick(c.tw, 'gamma', c));
      if (p.center) w.bias = asIs(pick(c.tw, 'beta', c));
      w.running_mean = asIs(pick(c.tw, 'moving_mean', c));
      w.running_var = asIs(pick(c.tw, 'moving_variance', c));
      const momentum = 1 - (p.momentum as number);
      return {
        member: `BatchNorm(${size}, axis=${a}, eps=${py(p.epsilon)}, momentum=${Number(momentum.toPrecision(12))}, center=${py(p.center)}, scale=${py(p.scale)})`,
        weights: w,
        lines: [`${o} = self.${self}(${x})`],
      };
    }
    case 'LayerNormalization': {
      const a = axisOf(p.axis as number, rank);
      const w: Record<string, TorchWeight> = {};
      if (p.scale) w.weight = asIs(pick(c.tw, 'gamma', c));
      if (p.center) w.bias = asIs(pick(c.tw, 'beta', c));
      return {
        member: `LayerNorm(${xs[a]}, axis=${a}, eps=${py(p.epsilon)}, center=${py(p.center)}, scale=${py(p.scale)})`,
        weights: w,
        lines: [`${o} = self.${self}(${x})`],
      };
    }
    case 'Embedding': {
      const e = pick(c.tw, 'embeddings', c);
      // tfjs casts float ids to int32 (truncating); .long() does the same.
      return { member: `nn.Embedding(${p.inputDim}, ${p.outputDim})`, weights: { weight: asIs(e) }, lines: [`${o} = self.${self}(${x}.long())`] };
    }
    case 'UpSampling2D': {
      const [sh, sw] = p.size as number[];
      if (p.interpolation === 'bilinear') return { lines: [`${o} = upsample_bilinear(${x}, ${sh}, ${sw})`] };
      return { lines: [`${o} = ${x}.repeat_interleave(${sh}, dim=1).repeat_interleave(${sw}, dim=2)`] };
    }
    case 'ZeroPadding2D': {
      const [[tp, bt], [l, r]] = p.padding as [[number, number], [number, number]];
      return { lines: [`${o} = F.pad(${x}, [0, 0, ${l}, ${r}, ${tp}, ${bt}])`] };
    }
    case 'Cropping2D': {
      const [[tp, bt], [l, r]] = p.cropping as [[number, number], [number, number]];
      const end = (n: number) => (n ? String(-n) : '');
      return { lines: [`${o} = ${x}[:, ${tp}:${end(bt!)}, ${l}:${end(r!)}]`] };
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
    case 'Bidirectional': {
      const bi = t === 'Bidirectional';
      const kind = bi ? (p.layer as string) : t;
      const features = xs[2]!;
      const states = ins.slice(1).filter((s): s is string => s !== undefined);
      const call = `self.${self}(${x}${states.length ? `, [${states.join(', ')}]` : ''})`;
      let weights: Record<string, TorchWeight>;
      let member: string;
      const native = nativeGru(kind, p);
      const nativeArgs = [`${features}`, `${py(p.units)}`, `bias=${py(p.useBias)}`, `return_sequences=${py(p.returnSequences)}`, ...(p.dropout ? [`dropout=${py(p.dropout)}`] : [])];
      if (native && bi) {
        const half = c.tw.length / 2;
        weights = { ...nativeGruWeights(c.tw.slice(0, half), 'forward_layer.', p.useBias as boolean), ...nativeGruWeights(c.tw.slice(half), 'backward_layer.', p.useBias as boolean) };
        member = `Bidirectional(${py(p.mergeMode)}, native=True, input_size=${features}, units=${py(p.units)}, bias=${py(p.useBias)}, return_sequences=${py(p.returnSequences)}${p.dropout ? `, dropout=${py(p.dropout)}` : ''})`;
      } else if (native) {
        weights = nativeGruWeights(c.tw, '', p.useBias as boolean);
        member = `GRU(${[...nativeArgs, ...(p.goBackwards ? ['go_backwards=True'] : [])].join(', ')})`;
      } else if (bi) {
        const half = c.tw.length / 2;
        weights = { ...rnnWeights(c.tw.slice(0, half), 'forward_layer.', p.useBias as boolean), ...rnnWeights(c.tw.slice(half), 'backward_layer.', p.useBias as boolean) };
        member = `Bidirectional(${py(p.mergeMode)}, ${rnnKwargs(kind, features, p, false)})`;
      } else {
        weights = rnnWeights(c.tw, '', p.useBias as boolean);
        member = `Recurrent(${rnnKwargs(kind, features, p, p.goBackwards as boolean)})`;
      }
      const lines = p.returnState ? [`${o}, (${outs.slice(1).join(', ')},) = ${call}`] : [`${o}, _ = ${call}`];
      return { member, weights, lines };
    }
    case 'Attention':
    case 'AdditiveAttention':
    case 'MultiHeadAttention': {
      const args = ins.filter((s): s is string => s !== undefined).join(', ');
      const scores = outs[1] ?? '_';
      const w: Record<string, TorchWeight> = {};
      let member: string;
      if (t === 'Attention') {
        if (p.useScale) w.scale = asIs(pick(c.tw, 'scale', c));
        if (p.scoreMode === 'concat') w.concat_score_weight = asIs(pick(c.tw, 'concat_score_weight', c));
        member = `Attention(use_scale=${py(p.useScale)}, score_mode=${py(p.scoreMode)}, causal=${py(p.useCausalMask)}, dropout=${py(p.dropout)})`;
      } else if (t === 'AdditiveAttention') {
        if (p.useScale) w.scale = asIs(pick(c.tw, 'scale', c));
        member = `AdditiveAttention(${xs[2]}, use_scale=${py(p.useScale)}, causal=${py(p.useCausalMask)}, dropout=${py(p.dropout)})`;
      } else {
        const proj = (name: string) => {
          const k = pick(c.tw, `${name}_kernel`, c);
          const rows = name === 'output' ? k.shape[0]! * k.shape[1]! : k.shape[0]!;
          const cols = name === 'output' ? k.shape[2]! : k.shape[1]! * k.shape[2]!;
          w[`${name}.weight`] = transpose2d(k.data, rows, cols);
          if (p.useBias) {
            const b = pick(c.tw, `${name}_bias`, c);
            w[`${name}.bias`] = { shape: [b.data.length], data: b.data };
          }
          return { rows, cols };
        };
        const q = proj('query');
        const k = proj('key');
        const v = proj('value');
        const out = proj('output');
        const valueDim = (p.valueDim as number | null) ?? (p.keyDim as number);
        member = `MultiHeadAttention(${q.rows}, ${k.rows}, ${v.rows}, heads=${p.numHeads}, key_dim=${p.keyDim}, value_dim=${valueDim}, out_dim=${out.cols}, bias=${py(p.useBias)}, causal=${py(p.useCausalMask)}, dropout=${py(p.dropout)})`;
      }
      // Self-attention can feed one tensor to query and value; the key defaults to the value.
      return { member, weights: w, lines: [`${o}, ${scores} = self.${self}(${args})`] };
    }
    case 'PositionalEmbedding': {
      const e = pick(c.tw, 'embeddings', c);
      return { member: `PositionalEmbedding(${e.shape[0]}, ${e.shape[1]})`, weights: { embeddings: asIs(e) }, lines: [`${o} = self.${self}(${x})`] };
    }
    case 'SinePositionEncoding':
      return { member: `SinePositionEncoding(${py(p.maxWavelength)})`, lines: [`${o} = self.${self}(${x})`] };
    case 'Sampling':
      return { member: `Sampling(kl_weight=${py(p.klWeight)})`, lines: [`${o} = self.${self}(${ins[0]}, ${ins[1]})`] };
    default:
      throw new PytorchExportError(`PyTorch export does not support ${t} (node "${c.id}") because no PyTorch translation is written for it yet: replace it with a supported block or add a case to src/pytorch/generate.ts`);
  }
}

function act(name: string, x: string): string {
  if (name === 'linear') return x;
  if (name === 'softmax') return `F.softmax(${x}, dim=-1)`;
  return `ACTIVATIONS[${py(name)}](${x})`;
}

const PRELUDE_CLASSES = new Set([...PRELUDE.matchAll(/^class (\w+)/gm)].map((m) => m[1]!).concat(['Model']));

/** The Python class name from the document name. */
function className(doc: GraphDoc): string {
  const base = (doc.name ?? 'model').replace(/[^A-Za-z0-9]+/g, ' ').trim();
  const camel = base
    .split(' ')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  const name = /^[A-Za-z]/.test(camel) ? camel : `Model${camel}`;
  // Not the name of a prelude class (a graph called "Attention" must not shadow the layer).
  return PRELUDE_CLASSES.has(name) ? `${name}Model` : name;
}

export function generatePytorch(compiled: CompiledModel, doc: GraphDoc): PytorchExport {
  const a = compiled.analysis;
  const ids = identifiers(a.order);
  const valueName = new Map<string, string>(); // `${node}\0${port}` → python variable
  const members: string[] = [];
  const forward: string[] = [];
  const weights: Record<string, TorchWeight> = {};
  const inputs = a.inputs.map((id) => ids.get(id)!);
  for (const id of a.order) {
    const info = a.nodes.get(id)!;
    const self = ids.get(id)!;
    const outShapes = info.outputPorts.map((port) => info.outputShapes![port]!);
    const outs = info.outputPorts.map((port) => (info.outputPorts.length === 1 ? self : `${self}_${port}`));
    info.outputPorts.forEach((port, k) => valueName.set(`${id}\0${port}`, outs[k]!));
    if (info.type === 'Input') continue;
    const ins = info.inputPorts.map((port) => {
      const ei = info.inputEdges.get(port);
      if (ei === undefined) return undefined;
      const e = a.edges[ei]!;
      return valueName.get(`${e.source}\0${e.sourceHandle}`);
    });
    const e = emit({ id, self, p: info.params, info, inShapes: info.inputShapes, outShapes, ins, outs, tw: nodeWeights(compiled, id) });
    if (e.member) members.push(`        self.${self} = ${e.member}  # ${info.type} ${JSON.stringify(id)}`);
    for (const [k, w] of Object.entries(e.weights ?? {})) weights[`${self}.${k}`] = w;
    const comment = `  # ${outShapes.map(fmtShape).join(' ')}`;
    e.lines.forEach((l, i) => forward.push(`        ${l}${i === e.lines.length - 1 ? comment : ''}`));
  }
  const outputs = a.outputs.map((o) => valueName.get(`${o.node}\0${o.port}`)!);
  const cls = className(doc);
  const inDocs = a.inputs.map((id) => {
    const i = a.nodes.get(id)!;
    return `${ids.get(id)}: ${fmtShape(i.outputShapes!.out)} ${i.outputDtypes?.out ?? 'float32'}`;
  });
  const model = [
    `# ${cls}: generated by Neural Blocks from ${JSON.stringify(doc.name ?? 'model')}. Tensors are channels-last`,
    '# (as in TensorFlow.js) between blocks; the shape comments use B for the batch and T for an',
    '# unknown length. Weights: load_weights(model) reads model.pt (a state_dict) beside this file.',
    PRELUDE,
    '',
    `class ${cls}(nn.Module):`,
    `    """Inputs: ${inDocs.join('; ')}. Returns ${outputs.length === 1 ? 'one tensor' : `a tuple of ${outputs.length} tensors`} (${outputs.join(', ')})."""`,
    '',
    `    input_names = ${py(inputs)}`,
    `    output_names = ${py(a.outputs.map((o) => `${o.node}.${o.port}`))}`,
    `    input_dtypes = ${py(a.inputs.map((id) => a.nodes.get(id)!.outputDtypes?.out ?? 'float32'))}`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    ...(members.length ? members : ['        pass']),
    '',
    `    def forward(self, ${inputs.join(', ')}):`,
    ...forward,
    `        return ${outputs.length === 1 ? outputs[0] : `${outputs.join(', ')}`}`,
    '',
    '',
    `Model = ${cls}`,
    '',
    '',
    'if __name__ == "__main__":',
    '    model = load_weights(Model()).eval()',
    '    print(model)',
    '',
  ].join('\n');
  const { config } = parseTrainingConfig(doc.training as Record<string, unknown> | undefined);
  return {
    files: { 'model.py': model, 'train.py': trainScript(config, doc, a.outputs.map((o) => o.node)), 'README.md': readme(doc, cls, config) },
    weights,
    inputs,
    outputs,
  };
}

export type { TrainingConfig };
