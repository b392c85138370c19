// Part of the model.py prelude (prelude.ts): batch and layer norm, spatial dropout and Gaussian
// noise (active only in training), and the recurrent layers with tfjs' semantics (SimpleRNN/LSTM,
// tfjs' reset-before GRU, Bidirectional).
export const PRELUDE_LAYERS = String.raw`# --- normalisation ----------------------------------------------------------------------------
class BatchNorm(nn.Module):
    """Keras BatchNormalization on one axis (eps as in tfjs; torch momentum = 1 − Keras momentum)."""

    def __init__(self, size, axis, eps, momentum, center, scale):
        super().__init__()
        self.axis, self.eps, self.momentum = axis, eps, momentum
        self.weight = nn.Parameter(torch.ones(size)) if scale else None
        self.bias = nn.Parameter(torch.zeros(size)) if center else None
        self.register_buffer("running_mean", torch.zeros(size))
        self.register_buffer("running_var", torch.ones(size))

    def forward(self, x):
        y = x.movedim(self.axis, 1)
        shape = y.shape
        y = F.batch_norm(y.reshape(shape[0], shape[1], -1), self.running_mean, self.running_var, self.weight, self.bias,
                         self.training, self.momentum, self.eps)
        return y.reshape(shape).movedim(1, self.axis)


class LayerNorm(nn.Module):
    """Keras LayerNormalization over one axis (eps as in tfjs)."""

    def __init__(self, size, axis, eps, center, scale):
        super().__init__()
        self.axis, self.eps, self.size = axis, eps, size
        self.weight = nn.Parameter(torch.ones(size)) if scale else None
        self.bias = nn.Parameter(torch.zeros(size)) if center else None

    def forward(self, x):
        y = x.movedim(self.axis, -1)
        y = F.layer_norm(y, (self.size,), self.weight, self.bias, self.eps)
        return y.movedim(-1, self.axis)


# --- regularisation (active only in training mode) --------------------------------------------
class SpatialDropout(nn.Module):
    """Drops whole channels: one mask entry per (example, channel), shared over time/space."""

    def __init__(self, rate):
        super().__init__()
        self.rate = rate

    def forward(self, x):
        if not self.training or self.rate == 0:
            return x
        shape = [x.shape[0]] + [1] * (x.dim() - 2) + [x.shape[-1]]
        mask = (torch.rand(shape, device=x.device) >= self.rate).to(x.dtype) / (1 - self.rate)
        return x * mask


class GaussianNoise(nn.Module):
    def __init__(self, stddev):
        super().__init__()
        self.stddev = stddev

    def forward(self, x):
        return x + torch.randn_like(x) * self.stddev if self.training else x


# --- recurrent layers -------------------------------------------------------------------------
class Recurrent(nn.Module):
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


class GRU(nn.Module):
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


class Bidirectional(nn.Module):
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


`;
