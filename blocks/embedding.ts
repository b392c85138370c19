import { BlockError, defineBlock } from '../src/core/spec';
import { fmtShape } from '../src/core/shapes';
import { pick, asIs } from '../src/pytorch/emit';

export default defineBlock({
  type: 'Embedding',
  category: 'core',
  label: 'Embedding',
  docs:
    'Turns integer token ids into learned vectors: id k picks row k of a [inputDim, outputDim] table. Put it right after an int32 Input of token ids, before recurrent or attention blocks. Ids must lie in [0, inputDim); id 0 is an ordinary token (no masking).',
  params: {
    inputDim: { kind: 'int', default: 1000, min: 1, doc: 'Vocabulary size: ids run from 0 to inputDim − 1.', key: true },
    outputDim: { kind: 'int', default: 32, min: 1, doc: 'Length of each embedding vector.', key: true },
    inputLength: { kind: 'int', default: null, min: 1, nullable: true, doc: 'Optional fixed sequence length; when set, it must agree with a [length] input (it fills in an unknown length).' },
  },
  acceptsInt: true,
  inputs: () => [{ name: 'in', doc: 'Token ids (int32; floats are truncated as tfjs does).' }],
  outputs: () => ['out'],
  inferShape([x], p) {
    if (!x) throw new BlockError('input "in" is not connected: connect token ids to it', { port: 'in' });
    if (x.length < 2) throw new BlockError(`Embedding needs token ids with at least one axis besides the batch, got ${fmtShape(x)}`, { port: 'in' });
    if (p.inputLength === null) return [[...x, p.outputDim]];
    // As tfjs' computeOutputShape: inputLength describes a [batch, length] input and fills in an
    // unknown length; a known length must agree.
    if (x.length !== 2)
      throw new BlockError(`Embedding's inputLength ${p.inputLength} needs a [length] input, got ${fmtShape(x)} — unset inputLength or feed a 1-D sequence of ids`, { param: 'inputLength' });
    if (x[1] !== null && x[1] !== p.inputLength)
      throw new BlockError(`Embedding's inputLength is ${p.inputLength} but the input has length ${x[1]} (${fmtShape(x)}) — set inputLength to ${x[1]} or unset it`, { param: 'inputLength' });
    return [[null, p.inputLength, p.outputDim]];
  },
  paramCount: (_x, p) => ({ trainable: p.inputDim * p.outputDim, nonTrainable: 0 }),
  // A table lookup: no multiply–accumulates.
  macs: () => 0,
  toTfjs: ([x], p, ctx) => [
    ctx.register(
      ctx.tf.layers.embedding({ inputDim: p.inputDim, outputDim: p.outputDim, inputLength: p.inputLength ?? undefined, name: ctx.name }),
    ).apply(x!) as never,
  ],
  toOnnx(ctx, { inputs, inputDtypes, weights }) {
    const table = weights[0]!;
    const W = ctx.initializer('embeddings', { dtype: 'float32', dims: table.shape, data: table.data });
    let ids = inputs[0]!;
    // tfjs casts non-int ids to int32 (truncating); ONNX Cast to INT32 (6) does the same.
    if (inputDtypes[0] !== 'int32' && inputDtypes[0] !== 'int64') ids = ctx.node('Cast', [ids], { to: { i: 6 } })[0]!;
    return ctx.node('Gather', [W, ids], { axis: { i: 0 } });
  },
  // tfjs casts float ids to int32 (truncating); .long() does the same.
  toPytorch: (a) => ({
    member: `nn.Embedding(${a.params.inputDim}, ${a.params.outputDim})`,
    weights: { weight: asIs(pick(a.weights, 'embeddings', a.nodeId)) },
    lines: [`${a.outputs[0]} = self.${a.self}(${a.inputs[0]}.long())`],
  }),
  fixtures: [
    { params: { inputDim: 50, outputDim: 8 }, inputs: [[null, 12]], dtypes: ['int32'], maxInt: 50 },
    { params: { inputDim: 7, outputDim: 3, inputLength: 10 }, inputs: [[null, 10]], dtypes: ['int32'], maxInt: 7 },
    { params: { inputDim: 20, outputDim: 5 }, inputs: [[null, null]], dtypes: ['int32'], maxInt: 20, note: 'unknown length' },
    { params: { inputDim: 9, outputDim: 4 }, inputs: [[null, 3, 5]], dtypes: ['int32'], maxInt: 9, note: '2-D ids' },
    { params: { inputDim: 1, outputDim: 1 }, inputs: [[null, 4]], dtypes: ['int32'], maxInt: 1, note: 'single token' },
  ],
});
