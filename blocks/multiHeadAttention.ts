import { defineBlock, type SymbolicTensor, type TorchTensor } from '../src/core/spec';
import { dedupeInputs } from '../src/core/layers/common';
import { prod } from '../src/core/shapes';
import { mhaShapes } from '../src/core/layers/shapes';
import { MultiHeadAttention } from '../src/core/layers/multiHeadAttention';
import { mhaOnnx } from '../src/core/layers/onnx';
import { attentionCall, pick, py } from '../src/pytorch/emit';
import { transpose2d } from '../src/pytorch/weights';

export default defineBlock({
  type: 'MultiHeadAttention',
  category: 'attention',
  label: 'Multi-head attention',
  docs:
    'The transformer\'s attention: query, key and value are each projected into numHeads smaller spaces, every head runs scaled dot-product attention on its own, and the heads are concatenated and projected back. Feed the same sequence on "query" and "value" for self-attention (with useCausalMask in a decoder), or the decoder on "query" and the encoder on "value" for cross-attention. Weights and parameter counts follow Keras\' MultiHeadAttention.',
  params: {
    numHeads: { kind: 'int', default: 2, min: 1, doc: 'Number of attention heads.', key: true },
    keyDim: { kind: 'int', default: 16, min: 1, doc: 'Size of each head\'s query and key projections.', key: true },
    valueDim: { kind: 'int', default: null, min: 1, nullable: true, doc: 'Size of each head\'s value projection; keyDim when unset.' },
    dropout: { kind: 'float', default: 0, min: 0, max: 1, exclusiveMax: true, doc: 'Fraction of attention weights dropped while training (none at inference).' },
    useBias: { kind: 'bool', default: true, doc: 'Add biases to the four projections.' },
    outputShape: { kind: 'int', default: null, min: 1, nullable: true, doc: 'Last dimension of the output; the query\'s last dimension when unset (so residual adds fit).' },
    useCausalMask: { kind: 'bool', default: false, doc: 'Query step i only sees key steps ≤ i (decoder self-attention).' },
    returnAttentionScores: { kind: 'bool', default: false, doc: 'Add a "scores" output with the weights [batch, heads, query steps, key steps].' },
  },
  inputs: () => [
    { name: 'query', doc: 'The sequence that asks: [batch, Tq, Dq].' },
    { name: 'value', doc: 'The sequence attended to: [batch, Tv, Dv].' },
    { name: 'key', optional: true, doc: 'Keys: [batch, Tv, Dk]; the values when unconnected.' },
  ],
  outputs: (p) => (p.returnAttentionScores ? ['out', 'scores'] : ['out']),
  inferShape: (inputs, p) => mhaShapes(inputs, p.numHeads, p.outputShape, p.returnAttentionScores),
  paramCount([q, v, k], p) {
    const h = p.numHeads;
    const kd = p.keyDim;
    const vd = p.valueDim ?? kd;
    const dq = q![2]!;
    const dv = v![2]!;
    const dk = k ? k[2]! : dv;
    const dout = p.outputShape ?? dq;
    const b = p.useBias ? 1 : 0;
    return { trainable: (dq + b) * h * kd + (dk + b) * h * kd + (dv + b) * h * vd + h * vd * dout + b * dout, nonTrainable: 0 };
  },
  macs([q, v, k], p) {
    const h = p.numHeads;
    const kd = p.keyDim;
    const vd = p.valueDim ?? kd;
    const tq = prod([q![1]!]);
    const tv = prod([v![1]!]);
    const dq = q![2]!;
    const dv = v![2]!;
    const dk = k ? k[2]! : dv;
    const dout = p.outputShape ?? dq;
    // Four projections, then scores and the weighted sum per head.
    return tq * dq * h * kd + tv * dk * h * kd + tv * dv * h * vd + tq * h * vd * dout + h * tq * tv * (kd + vd);
  },
  toTfjs(inputs, p, ctx) {
    // Distinct tensors only (self-attention feeds one tensor to two ports): see dedupeInputs.
    const { unique, portInputs } = dedupeInputs(inputs.filter((x): x is SymbolicTensor => x !== undefined));
    const layer = ctx.register(
      new MultiHeadAttention({
        name: ctx.name,
        portInputs,
        numHeads: p.numHeads,
        keyDim: p.keyDim,
        valueDim: p.valueDim,
        dropout: p.dropout,
        useBias: p.useBias,
        outputShape: p.outputShape,
        useCausalMask: p.useCausalMask,
        returnAttentionScores: p.returnAttentionScores,
        kernelInitializer: ctx.kernelInitializer,
      }),
    );
    const out = layer.apply(unique);
    return (Array.isArray(out) ? out : [out]) as SymbolicTensor[];
  },
  toOnnx: (ctx, args) => mhaOnnx(ctx, args),
  probe: 'attention',
  toPytorch(a) {
    const p = a.params;
    const w: Record<string, TorchTensor> = {};
    const proj = (name: string) => {
      const k = pick(a.weights, `${name}_kernel`, a.nodeId);
      const rows = name === 'output' ? k.shape[0]! * k.shape[1]! : k.shape[0]!;
      const cols = name === 'output' ? k.shape[2]! : k.shape[1]! * k.shape[2]!;
      w[`${name}.weight`] = transpose2d(k.data, rows, cols);
      if (p.useBias) {
        const b = pick(a.weights, `${name}_bias`, a.nodeId);
        w[`${name}.bias`] = { shape: [b.data.length], data: b.data };
      }
      return { rows, cols };
    };
    const q = proj('query');
    const k = proj('key');
    const v = proj('value');
    const out = proj('output');
    const valueDim = p.valueDim ?? p.keyDim;
    return attentionCall(
      a,
      `MultiHeadAttention(${q.rows}, ${k.rows}, ${v.rows}, heads=${p.numHeads}, key_dim=${p.keyDim}, value_dim=${valueDim}, out_dim=${out.cols}, bias=${py(p.useBias)}, causal=${py(p.useCausalMask)}, dropout=${py(p.dropout)})`,
      w,
    );
  },
  fixtures: [
    { params: { numHeads: 2, keyDim: 4 }, inputs: [[null, 5, 8], [null, 5, 8]], note: 'self-attention' },
    { params: { numHeads: 3, keyDim: 2, valueDim: 5, outputShape: 7 }, inputs: [[null, 4, 6], [null, 3, 5]], note: 'cross' },
    { params: { numHeads: 1, keyDim: 3, useBias: false, returnAttentionScores: true }, inputs: [[null, 4, 6], [null, 5, 2], [null, 5, 9]], note: 'separate key' },
    { params: { numHeads: 4, keyDim: 2, useCausalMask: true, returnAttentionScores: true }, inputs: [[null, 6, 8], [null, 6, 8]] },
    { params: { numHeads: 2, keyDim: 3, dropout: 0.1, useCausalMask: true }, inputs: [[null, null, 4], [null, null, 4]], note: 'variable length' },
  ],
});
