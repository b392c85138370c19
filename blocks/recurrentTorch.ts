// PyTorch emission shared by SimpleRNN, LSTM, GRU and Bidirectional: tfjs' recurrent weights in
// the layout of the prelude's Recurrent cell, or of nn.GRU where a GRU is exactly torch's.
import type { BlockWeight, PytorchEmitArgs, PytorchEmitted, TorchTensor, PytorchSnippet } from '../src/core/spec';
import { asIs, py } from '../src/pytorch/emit';
import { transpose2d } from '../src/pytorch/weights';
import type { RnnP } from './recurrentCommon';

/** model.py's Recurrent: SimpleRNN, LSTM and GRU with tfjs' semantics (GRU reset gate before the matmul). */
export const RECURRENT_PY: PytorchSnippet = {
  name: 'Recurrent',
  source: String.raw`class Recurrent(nn.Module):
    """A Keras SimpleRNN/LSTM/GRU as tfjs runs it. weight_ih [gates·units, in], weight_hh
    [gates·units, units], bias [gates·units] (torch's orientation). Gate order: LSTM i, f, c, o
    (= torch's i, f, g, o); GRU z, r, h (Keras' order; tfjs applies the reset gate to the state
    BEFORE the recurrent matmul, unlike nn.GRU, hence this cell; reset_after=True applies it
    after, with a separate recurrent bias bias_hh, as nn.GRU does — used here when the gates
    are not sigmoid/tanh). goBackwards reads the sequence from the end and returns the steps in
    that reversed order, as tfjs does."""

    GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}

    def __init__(self, kind, input_size, units, activation="tanh", recurrent_activation="sigmoid", bias=True,
                 return_sequences=False, go_backwards=False, dropout=0.0, recurrent_dropout=0.0, reset_after=False,
                 unit_forget_bias=False):
        super().__init__()
        g = self.GATES[kind]
        self.kind, self.units = kind, units
        self.act, self.rec_act = ACTIVATIONS[activation], ACTIVATIONS[recurrent_activation]
        self.return_sequences, self.go_backwards = return_sequences, go_backwards
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout
        self.weight_ih = nn.Parameter(torch.zeros(g * units, input_size))
        self.weight_hh = nn.Parameter(torch.zeros(g * units, units))
        self.bias = nn.Parameter(torch.zeros(g * units)) if bias else None
        self.reset_after = reset_after and kind == "GRU"
        self.bias_hh = nn.Parameter(torch.zeros(g * units)) if bias and self.reset_after else None
        if unit_forget_bias and kind == "LSTM" and self.bias is not None:
            with torch.no_grad():  # Keras' unit_forget_bias: the forget gate (i, f, c, o) starts at 1
                self.bias[units:2 * units] = 1.0

    def forward(self, x, state: Optional[List[torch.Tensor]] = None):
        b, t, _ = x.shape
        u = self.units
        zeros = x.new_zeros(b, u)
        h = state[0] if state else zeros
        c = state[1] if state and self.kind == "LSTM" else zeros
        if self.training and self.dropout > 0:
            x = x * (torch.rand(b, 1, x.shape[2], device=x.device) >= self.dropout).to(x.dtype) / (1 - self.dropout)
        hmask = None
        if self.training and self.recurrent_dropout > 0:
            hmask = (torch.rand(b, u, device=x.device) >= self.recurrent_dropout).to(x.dtype) / (1 - self.recurrent_dropout)
        xw = F.linear(x, self.weight_ih, self.bias)  # (B, T, gates·units): the input part of every gate
        steps = range(t - 1, -1, -1) if self.go_backwards else range(t)
        outs = []
        for i in steps:
            xi = xw[:, i]
            hd = h * hmask if hmask is not None else h
            if self.kind == "SimpleRNN":
                h = self.act(xi + hd @ self.weight_hh.t())
            elif self.kind == "LSTM":
                gates = xi + hd @ self.weight_hh.t()
                ig, fg, cg, og = gates.split(u, dim=1)
                c = self.rec_act(fg) * c + self.rec_act(ig) * self.act(cg)
                h = self.rec_act(og) * self.act(c)
            elif self.reset_after:  # GRU, reset gate after the recurrent matmul (nn.GRU's)
                xz, xr, xh = xi.split(u, dim=1)
                rz, rr, rh = F.linear(hd, self.weight_hh, self.bias_hh).split(u, dim=1)
                z = self.rec_act(xz + rz)
                r = self.rec_act(xr + rr)
                h = z * h + (1 - z) * self.act(xh + r * rh)
            else:  # GRU, tfjs semantics
                xz, xr, xh = xi.split(u, dim=1)
                w_zr, w_h = self.weight_hh[: 2 * u], self.weight_hh[2 * u:]
                rz, rr = (hd @ w_zr.t()).split(u, dim=1)
                z = self.rec_act(xz + rz)
                r = self.rec_act(xr + rr)
                hh = self.act(xh + (r * hd) @ w_h.t())
                h = z * h + (1 - z) * hh
            outs.append(h)
        out = torch.stack(outs, dim=1) if self.return_sequences else h
        return out, ([h, c] if self.kind == "LSTM" else [h])
`,
};

/** model.py's GRU: a resetAfter GRU with sigmoid/tanh, which is nn.GRU itself (cuDNN). */
export const GRU_PY: PytorchSnippet = {
  name: 'GRU',
  source: String.raw`class GRU(nn.Module):
    """A resetAfter GRU block with sigmoid gates and tanh: exactly torch's nn.GRU (reset gate
    after the recurrent matmul, separate recurrent bias), so it runs on cuDNN. The gates are in
    torch's order (r, z, n) in self.gru's weights. Wraps tfjs' interface: input dropout (one mask
    per sequence), go_backwards (reads the sequence reversed and returns the steps in that order),
    the last step or the whole sequence, and the final state as a list."""

    def __init__(self, input_size, units, bias=True, return_sequences=False, go_backwards=False, dropout=0.0):
        super().__init__()
        self.gru = nn.GRU(input_size, units, bias=bias, batch_first=True)
        self.return_sequences, self.go_backwards, self.dropout = return_sequences, go_backwards, dropout

    def forward(self, x, state: Optional[List[torch.Tensor]] = None):
        if self.training and self.dropout > 0:
            x = x * (torch.rand(x.shape[0], 1, x.shape[2], device=x.device) >= self.dropout).to(x.dtype) / (1 - self.dropout)
        if self.go_backwards:
            x = x.flip(1)
        y, h = self.gru(x, state[0].unsqueeze(0).contiguous() if state else None)
        h = h[0]
        return (y if self.return_sequences else h), [h]
`,
};

/** model.py's Bidirectional: a forward and a go-backwards copy, merged. */
export const BIDIRECTIONAL_PY: PytorchSnippet = {
  name: 'Bidirectional',
  requires: [RECURRENT_PY, GRU_PY],
  source: String.raw`class Bidirectional(nn.Module):
    """Keras Bidirectional: a forward and a go-backwards copy; the backward sequence is put back
    in time order before merging (concat, sum, mul or ave). native=True: GRU (nn.GRU) halves."""

    def __init__(self, merge_mode, native=False, **kw):
        super().__init__()
        self.merge_mode = merge_mode
        if native:
            kw = {k: v for k, v in kw.items() if k in ("input_size", "units", "bias", "return_sequences", "dropout")}
            self.forward_layer = GRU(**kw)
            self.backward_layer = GRU(**{**kw, "go_backwards": True})
        else:
            self.forward_layer = Recurrent(**kw)
            self.backward_layer = Recurrent(**{**kw, "go_backwards": True})

    def forward(self, x, state: Optional[List[torch.Tensor]] = None):
        n = len(state) // 2 if state else 0
        yf, sf = self.forward_layer(x, state[:n] if state else None)
        yb, sb = self.backward_layer(x, state[n:] if state else None)
        if self.forward_layer.return_sequences:
            yb = yb.flip(1)
        if self.merge_mode == "concat":
            y = torch.cat([yf, yb], dim=-1)
        elif self.merge_mode == "sum":
            y = yf + yb
        elif self.merge_mode == "mul":
            y = yf * yb
        else:
            y = (yf + yb) / 2
        return y, sf + sb
`,
};

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
