// PyTorch emission shared by SimpleRNN, LSTM, GRU and Bidirectional: tfjs' recurrent weights in
// the layout of the prelude's Recurrent cell, or of nn.GRU where a GRU is exactly torch's.
import type { BlockWeight, PytorchEmitArgs, PytorchEmitted, TorchTensor } from '../src/core/spec';
import { asIs, py } from '../src/pytorch/emit';
import { transpose2d } from '../src/pytorch/weights';
import type { RnnP } from './recurrentCommon';

/**
 * Converts one recurrent direction's tfjs weights (kernel, recurrent_kernel, bias) for the
 * prelude's Recurrent. A resetAfter GRU's bias [2, 3u] splits into bias (input row) and bias_hh.
 */
function rnnWeights(ws: BlockWeight[], prefix: string, useBias: boolean): Record<string, TorchTensor> {
  const [k, r, b] = ws;
  const out: Record<string, TorchTensor> = {
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
function nativeGru(kind: string, p: RnnP): boolean {
  return kind === 'GRU' && p.resetAfter === true && p.activation === 'tanh' && (p.recurrentActivation ?? 'sigmoid') === 'sigmoid' && !p.recurrentDropout;
}

/** tfjs gate blocks z, r, h → torch's r, z, n, along the rows of a [3u, …] matrix (or a [3u] vector). */
function torchGateOrder(w: TorchTensor): TorchTensor {
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
function nativeGruWeights(ws: BlockWeight[], prefix: string, useBias: boolean): Record<string, TorchTensor> {
  const [k, r, b] = ws;
  const out: Record<string, TorchTensor> = {
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

function rnnKwargs(kind: string, features: number, p: RnnP, goBackwards: boolean): string {
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

/** model.py for a recurrent layer of `kind`, wrapped in Bidirectional (with its mergeMode) when given. */
export function recurrentToPytorch(a: PytorchEmitArgs<unknown>, kind: string, p: RnnP, bidirectional?: { mergeMode: string }): PytorchEmitted {
  const [x, ...init] = a.inputs;
  const ws = a.weights;
  const features = a.inputShapes[0]![2]!;
  const states = init.filter((s): s is string => s !== undefined);
  const call = `self.${a.self}(${x}${states.length ? `, [${states.join(', ')}]` : ''})`;
  const native = nativeGru(kind, p);
  const half = ws.length / 2;
  let weights: Record<string, TorchTensor>;
  let member: string;
  if (native && bidirectional) {
    weights = { ...nativeGruWeights(ws.slice(0, half), 'forward_layer.', p.useBias), ...nativeGruWeights(ws.slice(half), 'backward_layer.', p.useBias) };
    member = `Bidirectional(${py(bidirectional.mergeMode)}, native=True, input_size=${features}, units=${py(p.units)}, bias=${py(p.useBias)}, return_sequences=${py(p.returnSequences)}${p.dropout ? `, dropout=${py(p.dropout)}` : ''})`;
  } else if (native) {
    weights = nativeGruWeights(ws, '', p.useBias);
    const args = [`${features}`, `${py(p.units)}`, `bias=${py(p.useBias)}`, `return_sequences=${py(p.returnSequences)}`, ...(p.dropout ? [`dropout=${py(p.dropout)}`] : [])];
    member = `GRU(${[...args, ...(p.goBackwards ? ['go_backwards=True'] : [])].join(', ')})`;
  } else if (bidirectional) {
    weights = { ...rnnWeights(ws.slice(0, half), 'forward_layer.', p.useBias), ...rnnWeights(ws.slice(half), 'backward_layer.', p.useBias) };
    member = `Bidirectional(${py(bidirectional.mergeMode)}, ${rnnKwargs(kind, features, p, false)})`;
  } else {
    weights = rnnWeights(ws, '', p.useBias);
    member = `Recurrent(${rnnKwargs(kind, features, p, p.goBackwards ?? false)})`;
  }
  const o = a.outputs;
  const lines = p.returnState ? [`${o[0]}, (${o.slice(1).join(', ')},) = ${call}`] : [`${o[0]}, _ = ${call}`];
  return { member, weights, lines };
}
