// The pooling blocks (MaxPooling1D/2D, AveragePooling1D/2D and the four global poolings) differ
// only in rank and reduction, so two factories build their specs. Pooling has no weights and
// no multiply–accumulates: MACs are 0 by the summary's definition (its comparisons and additions
// are not multiplies).
import type * as tfjs from '@tensorflow/tfjs';
import { BlockError, type BlockSpec, type BoolParam, type EnumParam, type Fixture, type IntsParam, type Shape, type PytorchSnippet } from '../src/core/spec';
import { convOutputLength, fmtShape, requirePositive, requireRank } from '../src/core/shapes';
import { grid } from '../src/core/fixtures';
import { PaddedPool, ceilPoolLength, poolPads } from '../src/core/layers/pooling';
import { assign, py } from '../src/pytorch/emit';
import { convPadAttrs, emitRuntimeSamePad, needsRuntimePads, toChannelsFirst, toChannelsLast } from '../src/onnx/ops';

export type PoolMode = 'max' | 'avg';

interface PoolSchema {
  poolSize: IntsParam;
  strides: IntsParam;
  padding: EnumParam;
  ceilMode: BoolParam;
  /** Average pooling only (absent on max pooling, so it resolves to undefined there). */
  countIncludePad: BoolParam;
  [k: string]: IntsParam | EnumParam | BoolParam;
}

/** model.py's max_pool: Keras MaxPooling1D/2D on channels-last input. */
const MAX_POOL_PY: PytorchSnippet = {
  name: 'max_pool',
  source: String.raw`def max_pool(x, pool, strides, padding, ceil_mode=False):
    """Keras MaxPooling1D/2D on channels-last input ('same' pads with −inf, asymmetric)."""
    x = to_cf(x)
    if padding == "same":
        x = pad_same_nchw(x, pool, strides, [1] * len(pool), value=float("-inf"))
    y = (F.max_pool1d if len(pool) == 1 else F.max_pool2d)(x, pool, strides, ceil_mode=ceil_mode)
    return to_cl(y)
`,
};

/** model.py's avg_pool: Keras AveragePooling1D/2D (and PyTorch's countIncludePad). */
const AVG_POOL_PY: PytorchSnippet = {
  name: 'avg_pool',
  source: String.raw`def avg_pool(x, pool, strides, padding, ceil_mode=False, count_include_pad=False):
    """Keras AveragePooling1D/2D: 'same' averages over the real (unpadded) inputs only, unless
    count_include_pad (then the TF-style pads count, as torch's count_include_pad)."""
    x = to_cf(x)
    fn = F.avg_pool1d if len(pool) == 1 else F.avg_pool2d
    if padding != "same":
        return to_cl(fn(x, pool, strides, ceil_mode=ceil_mode))
    if count_include_pad:
        return to_cl(fn(pad_same_nchw(x, pool, strides, [1] * len(pool)), pool, strides))
    ones = torch.ones_like(x[:1, :1])
    ones_p = pad_same_nchw(ones, pool, strides, [1] * len(pool))
    x_p = pad_same_nchw(x, pool, strides, [1] * len(pool))
    return to_cl(fn(x_p, pool, strides) / fn(ones_p, pool, strides))
`,
};

/** PyTorch-style options need the PaddedPool layer; plain pooling stays tfjs' own layer. */
const needsPaddedPool = (p: { ceilMode: boolean; countIncludePad?: boolean; padding: string }) => p.ceilMode || (p.countIncludePad === true && p.padding === 'same');

/** tfjs defaults unset strides to the pool size (null, the default, is "unset"). */
export function poolStrides(p: { poolSize: number[]; strides: number[] | null }): number[] {
  return p.strides ?? p.poolSize;
}

export interface PoolOptions {
  type: string;
  label: string;
  docs: string;
  rank: 1 | 2;
  mode: PoolMode;
}

export function poolingBlock(o: PoolOptions): BlockSpec<PoolSchema> {
  const n = o.rank;
  const inRank = n + 2;
  const axes = n === 1 ? 'the sequence' : 'height and width';
  return {
    type: o.type,
    category: 'pool',
    label: o.label,
    docs: o.docs,
    params: {
      poolSize: { kind: 'ints', length: n, default: new Array<number>(n).fill(2), doc: `Size of the pooling window along ${axes}.`, key: true },
      strides: {
        kind: 'ints',
        length: n,
        nullable: true,
        default: null,
        doc: `Step of the window along ${axes}; unset (null, the default) means the same as poolSize, as in tfjs.`,
      },
      padding: {
        kind: 'enum',
        options: ['valid', 'same'],
        default: 'valid',
        doc: o.mode === 'avg'
          ? '"valid": windows stay inside the input; "same": pad so the output is ceil(input / stride) (padding is left out of the average).'
          : '"valid": windows stay inside the input; "same": pad so the output is ceil(input / stride) (padding never wins the max).',
      },
      ceilMode: {
        kind: 'bool',
        default: false,
        doc: 'PyTorch\'s ceil_mode, with padding "valid": add a last, partial window when one starts inside the input (output ceil((input − poolSize) / stride) + 1), as SqueezeNet and GoogLeNet pool.',
      },
      ...(o.mode === 'avg'
        ? {
            countIncludePad: {
              kind: 'bool',
              default: false,
              doc: 'PyTorch\'s count_include_pad, with padding "same": the padded zeros count in the average (divide by the whole window). Off: average the real inputs only, as tfjs.',
            } as BoolParam,
          }
        : {}),
    } as PoolSchema,
    checkParams(p) {
      if (p.ceilMode && p.padding === 'same') throw new BlockError('ceilMode only changes "valid" pooling ("same" already gives ceil(input / stride)): set padding to "valid" or turn ceilMode off', { param: 'ceilMode' });
    },
    inputs: () => [{ name: 'in' }],
    outputs: () => ['out'],
    inferShape([x], p) {
      const s = requireRank(x, inRank, o.type);
      const st = poolStrides(p);
      const out: Shape = [null];
      for (let i = 0; i < n; i++) {
        const len = s[1 + i]!;
        if (p.ceilMode && len === null) throw new BlockError(`${o.type} with ceilMode needs known spatial sizes, got ${fmtShape(s)}`, { param: 'ceilMode' });
        out.push(p.ceilMode && len !== null && len >= p.poolSize[i]! ? ceilPoolLength(len, p.poolSize[i]!, st[i]!) : convOutputLength(len, p.poolSize[i]!, p.padding, st[i]!));
      }
      out.push(s[inRank - 1]!);
      return [requirePositive(out, o.type, 'poolSize')];
    },
    paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
    macs: () => 0,
    toTfjs([x], p, ctx) {
      if (needsPaddedPool(p)) {
        const layer = new PaddedPool({ mode: o.mode, poolSize: p.poolSize, strides: poolStrides(p), padding: p.padding as 'valid' | 'same', ceilMode: p.ceilMode, countIncludePad: p.countIncludePad ?? false, name: ctx.name });
        return [ctx.register(layer).apply(x!) as tfjs.SymbolicTensor];
      }
      const args = { poolSize: p.poolSize, strides: poolStrides(p), padding: p.padding as 'valid' | 'same', name: ctx.name };
      const L = ctx.tf.layers;
      let layer: tfjs.layers.Layer;
      if (n === 1) {
        const a1 = { ...args, poolSize: args.poolSize[0]!, strides: args.strides[0]! };
        layer = o.mode === 'max' ? L.maxPooling1d(a1) : L.averagePooling1d(a1);
      } else {
        const a2 = { ...args, poolSize: args.poolSize as [number, number], strides: args.strides as [number, number] };
        layer = o.mode === 'max' ? L.maxPooling2d(a2) : L.averagePooling2d(a2);
      }
      return [ctx.register(layer).apply(x!) as tfjs.SymbolicTensor];
    },
    toOnnx(ctx, { params: p, inputs: [x], inputShapes: [xs] }) {
      const st = poolStrides(p);
      const t = toChannelsFirst(ctx, x!, inRank);
      const ones = new Array<number>(n).fill(1);
      const window = { kernel_shape: { ints: p.poolSize }, strides: { ints: st } };
      if (needsRuntimePads(xs!.slice(1, -1), p.poolSize, st, ones, p.padding)) {
        // Pads known only at run time (see needsRuntimePads): a max pool pads with −∞; an average
        // divides the window sums of the zero-padded input by those of a zero-padded mask of
        // ones, i.e. by the number of real inputs in each window, as tfjs does.
        const pad = (v: string, fill: number) => emitRuntimeSamePad(ctx, v, inRank, p.poolSize, st, ones, fill);
        const zeros = { pads: { ints: new Array<number>(2 * n).fill(0) } };
        if (o.mode === 'max') return [toChannelsLast(ctx, ctx.node('MaxPool', [pad(t, -Infinity)], { ...window, ...zeros })[0]!, inRank)];
        const mask = ctx.node('ConstantOfShape', [ctx.node('Shape', [t])[0]!], { value: { t: { dtype: 'float32', dims: [1], data: new Float32Array([1]) } } })[0]!;
        const avg = (v: string) => ctx.node('AveragePool', [pad(v, 0)], { ...window, ...zeros, count_include_pad: { i: 1 } })[0]!;
        // countIncludePad: the padded zeros count, so the zero-padded window average is the answer.
        if (p.countIncludePad) return [toChannelsLast(ctx, avg(t), inRank)];
        return [toChannelsLast(ctx, ctx.node('Div', [avg(t), avg(mask)])[0]!, inRank)];
      }
      const attrs = {
        ...window,
        // ceilMode: the last window's overhang as end pads (pooling ignores pads unless counted).
        ...(p.ceilMode
          ? { pads: { ints: [...new Array<number>(n).fill(0), ...poolPads(xs!.slice(1, -1) as number[], p.poolSize, st, 'valid', true).map(([, e]) => e)] } }
          : convPadAttrs(xs!.slice(1, -1), p.poolSize, st, ones, p.padding)),
        // tfjs' "same" average divides by the number of real (unpadded) inputs in the window.
        // (with ceilMode the only pads are the last window's overhang, which PyTorch never counts)
        ...(o.mode === 'avg' ? { count_include_pad: { i: p.countIncludePad && !p.ceilMode ? 1 : 0 } } : {}),
      };
      const y = ctx.node(o.mode === 'max' ? 'MaxPool' : 'AveragePool', [t], attrs)[0]!;
      return [toChannelsLast(ctx, y, inRank)];
    },
    pytorchPrelude: [o.mode === 'max' ? MAX_POOL_PY : AVG_POOL_PY],
    tfjsLayers: [PaddedPool],
    toPytorch(a) {
      const p = a.params;
      const extra = [...(p.ceilMode ? ['ceil_mode=True'] : []), ...(p.countIncludePad && p.padding === 'same' ? ['count_include_pad=True'] : [])];
      return assign(a, `${o.mode === 'max' ? 'max_pool' : 'avg_pool'}(${[a.inputs[0], py(p.poolSize), py(poolStrides(p)), py(p.padding), ...extra].join(', ')})`);
    },
    fixtures:
      n === 1
        ? [
            ...grid({ poolSize: [1, 2, 3, 5], strides: [undefined, 1, 2, 3], padding: ['valid', 'same'] }, (params) => ({
              params,
              inputs: [[null, 11, 3]],
            })),
            // An unknown length stays unknown; stride 1 "same" keeps it, so the run's filled-in size checks too.
            { params: { poolSize: 4, strides: 1, padding: 'same' }, inputs: [[null, null, 2]], note: 'variable length' },
            ...grid({ poolSize: [2, 3], strides: [2, 3] }, (params) => ({ params: { ...params, ceilMode: true }, inputs: [[null, 10, 2]] })),
            ...(o.mode === 'avg' ? [{ params: { poolSize: 3, strides: 2, padding: 'same', countIncludePad: true }, inputs: [[null, 10, 2]] as Shape[] }] : []),
          ]
        : [
            ...grid({ poolSize: [2, 3, [2, 3]], strides: [undefined, 1, 2, [3, 1]], padding: ['valid', 'same'] }, (params) => ({
              params,
              inputs: [[null, 11, 9, 3]],
            })),
            { params: { poolSize: [1, 4], strides: [2, 3], padding: 'same' }, inputs: [[null, 5, 10, 2]] },
            { params: { poolSize: 7 }, inputs: [[null, 7, 7, 4]], note: 'window equals input' },
            // PyTorch's ceil_mode (SqueezeNet: 3×3 stride 2), incl. a window that would start past the end.
            ...grid({ poolSize: [2, 3], strides: [2, [3, 2]] }, (params) => ({ params: { ...params, ceilMode: true }, inputs: [[null, 12, 9, 3]] })),
            { params: { poolSize: 3, strides: 2, ceilMode: true }, inputs: [[null, 13, 14, 2]] },
            { params: { poolSize: [1, 2], strides: [3, 4], ceilMode: true }, inputs: [[null, 5, 9, 2]], note: 'last window dropped' },
            ...(o.mode === 'avg'
              ? grid({ poolSize: [2, 3], strides: [1, 2] }, (params) => ({ params: { ...params, padding: 'same', countIncludePad: true }, inputs: [[null, 7, 8, 2]] }))
              : []),
          ],
  };
}

export interface GlobalPoolOptions {
  type: string;
  label: string;
  docs: string;
  rank: 1 | 2;
  mode: PoolMode;
}

interface GlobalPoolSchema {
  keepDims: BoolParam;
  [k: string]: BoolParam;
}

export function globalPoolingBlock(o: GlobalPoolOptions): BlockSpec<GlobalPoolSchema> {
  const n = o.rank;
  const inRank = n + 2;
  return {
    type: o.type,
    category: 'pool',
    label: o.label,
    docs: o.docs,
    params: {
      keepDims: {
        kind: 'bool',
        default: false,
        doc: `Keep the pooled axes as size 1: [N, ${n === 1 ? '1' : '1, 1'}, C] instead of [N, C], e.g. for a squeeze-and-excitation gate multiplied back onto the input (PyTorch's AdaptiveAvgPool2d(1) shape).`,
      },
    },
    inputs: () => [{ name: 'in' }],
    outputs: () => ['out'],
    inferShape([x], p) {
      const s = requireRank(x, inRank, o.type);
      if (s.slice(1, -1).some((d) => d === 0))
        throw new BlockError(`${o.type} needs a non-empty input, got ${fmtShape(s)}`, { port: 'in' });
      if (p.keepDims && s[inRank - 1] === null) throw new BlockError(`${o.type} with keepDims needs a known channel count, got ${fmtShape(s)}`, { port: 'in' });
      return [p.keepDims ? [null, ...new Array<number>(n).fill(1), s[inRank - 1]!] : [null, s[inRank - 1]!]];
    },
    paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
    macs: () => 0,
    toTfjs([x], p, ctx) {
      const L = ctx.tf.layers;
      const make = {
        '1max': L.globalMaxPooling1d,
        '1avg': L.globalAveragePooling1d,
        '2max': L.globalMaxPooling2d,
        '2avg': L.globalAveragePooling2d,
      }[`${n}${o.mode}` as const];
      const y = ctx.register(make({ name: ctx.name })).apply(x!) as tfjs.SymbolicTensor;
      // tfjs 4.22's global pooling has no keepDims: a Reshape puts the size-1 axes back.
      if (!p.keepDims) return [y];
      const c = y.shape[1]!;
      return [ctx.register(L.reshape({ targetShape: [...new Array<number>(n).fill(1), c], name: `${ctx.name}_keep` })).apply(y) as tfjs.SymbolicTensor];
    },
    toOnnx(ctx, { params: p, inputs: [x] }) {
      // Opset 17: ReduceMean/ReduceMax take axes as an attribute (inputs only from opset 18).
      const axes = n === 1 ? [1] : [1, 2];
      return ctx.node(o.mode === 'max' ? 'ReduceMax' : 'ReduceMean', [x!], { axes: { ints: axes }, keepdims: { i: p.keepDims ? 1 : 0 } });
    },
    toPytorch: (a) => assign(a, `${a.inputs[0]}.${o.mode === 'max' ? 'amax' : 'mean'}(dim=${n === 1 ? '1' : '(1, 2)'}${a.params.keepDims ? ', keepdim=True' : ''})`),
    fixtures: (n === 1
      ? [
          { params: {}, inputs: [[null, 11, 3]] },
          { params: {}, inputs: [[null, 1, 5]] },
          { params: {}, inputs: [[null, null, 4]], note: 'variable length' },
          { params: { keepDims: true }, inputs: [[null, 6, 3]] },
          { params: { keepDims: true }, inputs: [[null, null, 2]], note: 'variable length' },
        ]
      : [
          { params: {}, inputs: [[null, 11, 9, 3]] },
          { params: {}, inputs: [[null, 1, 1, 8]] },
          { params: {}, inputs: [[null, 4, 7, 2]] },
          { params: { keepDims: true }, inputs: [[null, 5, 6, 4]] },
          { params: { keepDims: true }, inputs: [[null, null, null, 3]], note: 'unknown size' },
        ]) as Fixture[],
  };
}
