// The Python helpers every generated model.py starts with: tfjs' semantics where PyTorch's
// built-ins differ (TF-style "same" padding, channels-last convolutions and pools, tfjs' GRU
// with the reset gate applied before the recurrent matmul — a resetAfter GRU is nn.GRU itself —, hardSigmoid = clip(0.2x + 0.5),
// asymmetric bilinear upsampling, Keras attention layers). Tensors stay channels-last (NHWC /
// NWC) between blocks, exactly as in tfjs, so Flatten/Reshape see the same element order; the
// conv and pool helpers permute to channels-first around the torch op.
export const PRELUDE = String.raw`import json
import math
import os
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


# --- activations (tfjs definitions) -----------------------------------------------------------
def hard_sigmoid(x):
    # tfjs: clip(0.2 * x + 0.5, 0, 1) (not torch's x / 6 + 0.5)
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": F.relu,
    "relu6": lambda x: torch.clamp(x, 0.0, 6.0),
    "elu": F.elu,
    "selu": F.selu,
    "gelu": lambda x: F.gelu(x),  # tfjs "gelu" is the exact erf form
    "sigmoid": torch.sigmoid,
    "hardSigmoid": hard_sigmoid,
    "hardSigmoidTorch": F.hardsigmoid,
    "hardSwish": F.hardswish,
    "geluTanh": lambda x: F.gelu(x, approximate="tanh"),
    "tanh": torch.tanh,
    "softmax": lambda x: F.softmax(x, dim=-1),
    "softplus": F.softplus,
    "softsign": F.softsign,
    "swish": lambda x: x * torch.sigmoid(x),
    "mish": lambda x: x * torch.tanh(F.softplus(x)),
}


def same_pads(size: int, k: int, s: int, d: int = 1) -> Tuple[int, int]:
    """TF/Keras 'same' padding: the total pad, the smaller half before (asymmetric with stride)."""
    eff = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


def pad_same_nchw(x, ks, ss, ds, value=0.0):
    """Pads the spatial dims of an NC... tensor the way TF's 'same' does."""
    pads = []
    for i in reversed(range(len(ks))):
        before, after = same_pads(x.shape[2 + i], ks[i], ss[i], ds[i])
        pads += [before, after]
    return F.pad(x, pads, value=value) if any(pads) else x


def to_cf(x):
    """channels-last → channels-first (N, ..., C) → (N, C, ...)."""
    return x.movedim(-1, 1)


def to_cl(x):
    """channels-first → channels-last."""
    return x.movedim(1, -1)


# --- convolutions and pools on channels-last tensors -----------------------------------------
class ConvNd(nn.Module):
    """Keras Conv1D/Conv2D/DepthwiseConv2D on channels-last input: weight in torch's
    [out, in / groups, *kernel] layout, TF 'same' (asymmetric) or 'causal' padding."""

    def __init__(self, rank, cin, cout, kernel, strides, dilation, padding, groups=1, bias=True, activation="linear"):
        super().__init__()
        self.rank, self.kernel, self.strides, self.dilation = rank, list(kernel), list(strides), list(dilation)
        self.padding, self.groups, self.activation = padding, groups, activation
        self.weight = nn.Parameter(torch.zeros(cout, cin // groups, *kernel))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None

    def forward(self, x):
        x = to_cf(x)
        if self.padding == "same":
            x = pad_same_nchw(x, self.kernel, self.strides, self.dilation)
        elif self.padding == "causal":
            x = F.pad(x, [(self.kernel[0] - 1) * self.dilation[0], 0])
        conv = F.conv1d if self.rank == 1 else F.conv2d
        y = conv(x, self.weight, self.bias, self.strides, 0, self.dilation, self.groups)
        return ACTIVATIONS[self.activation](to_cl(y))


class SeparableConv2d(nn.Module):
    """Keras SeparableConv2D: depthwise (with the depth multiplier) then a 1×1 pointwise conv."""

    def __init__(self, cin, cout, kernel, strides, dilation, padding, multiplier, bias=True, activation="linear"):
        super().__init__()
        self.depthwise = ConvNd(2, cin, cin * multiplier, kernel, strides, dilation, padding, groups=cin, bias=False)
        self.pointwise = nn.Parameter(torch.zeros(cout, cin * multiplier, 1, 1))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.activation = activation

    def forward(self, x):
        y = F.conv2d(to_cf(self.depthwise(x)), self.pointwise, self.bias)
        return ACTIVATIONS[self.activation](to_cl(y))


class ConvTranspose2d(nn.Module):
    """Keras Conv2DTranspose: output size in·stride ('same') or in·stride + max(k − stride, 0) ('valid');
    'same' crops the full transposed conv like TF (the smaller half at the start)."""

    def __init__(self, cin, cout, kernel, strides, padding, bias=True, activation="linear"):
        super().__init__()
        self.kernel, self.strides, self.padding, self.activation = list(kernel), list(strides), padding, activation
        self.weight = nn.Parameter(torch.zeros(cin, cout, *kernel))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None

    def forward(self, x):
        x = to_cf(x)
        crops, extra = [], []
        for i in range(2):
            n, k, s = x.shape[2 + i], self.kernel[i], self.strides[i]
            full = (n - 1) * s + k
            out = n * s if self.padding == "same" else n * s + max(k - s, 0)
            total = max(k - s, 0) if self.padding == "same" else 0
            crops.append((total // 2, out))
            extra.append(max(out + total // 2 - full, 0))
        y = F.conv_transpose2d(x, self.weight, self.bias, self.strides, 0, extra)
        y = y[:, :, crops[0][0]:crops[0][0] + crops[0][1], crops[1][0]:crops[1][0] + crops[1][1]]
        return ACTIVATIONS[self.activation](to_cl(y))


def max_pool(x, pool, strides, padding, ceil_mode=False):
    """Keras MaxPooling1D/2D on channels-last input ('same' pads with −inf, asymmetric)."""
    x = to_cf(x)
    if padding == "same":
        x = pad_same_nchw(x, pool, strides, [1] * len(pool), value=float("-inf"))
    y = (F.max_pool1d if len(pool) == 1 else F.max_pool2d)(x, pool, strides, ceil_mode=ceil_mode)
    return to_cl(y)


def avg_pool(x, pool, strides, padding, ceil_mode=False, count_include_pad=False):
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


def upsample_bilinear(x, sh, sw):
    """tfjs resizeBilinear (alignCorners false, no half-pixel centres): source = dst / size."""
    def axis(n, s, device):
        src = torch.arange(n * s, device=device, dtype=torch.float32) / s
        lo = torch.floor(src).long()
        hi = torch.clamp(lo + 1, max=n - 1)
        return lo, hi, (src - lo.float())
    b, h, w, c = x.shape
    y0, y1, fy = axis(h, sh, x.device)
    x0, x1, fx = axis(w, sw, x.device)
    top = x[:, y0] * (1 - fy)[None, :, None, None] + x[:, y1] * fy[None, :, None, None]
    return top[:, :, x0] * (1 - fx)[None, None, :, None] + top[:, :, x1] * fx[None, None, :, None]


# --- normalisation ----------------------------------------------------------------------------
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


# --- attention --------------------------------------------------------------------------------
def causal_mask(tq, tv, device):
    # Keras adds −1e9 to the scores of keys after the query position.
    return torch.triu(torch.full((tq, tv), -1e9, device=device), diagonal=1)


class Attention(nn.Module):
    """Keras Attention (Luong): dot scores (× a learned scalar scale) or concat scores
    (Σ tanh(scale · (q + k)) × a learned scalar); softmax; weights · value."""

    def __init__(self, use_scale, score_mode, causal, dropout):
        super().__init__()
        self.score_mode, self.causal, self.dropout = score_mode, causal, dropout
        self.scale = nn.Parameter(torch.ones(())) if use_scale else None
        self.concat_score_weight = nn.Parameter(torch.ones(())) if score_mode == "concat" else None

    def forward(self, query, value, key=None):
        key = value if key is None else key
        if self.score_mode == "dot":
            scores = query @ key.transpose(1, 2)
            if self.scale is not None:
                scores = scores * self.scale
        else:
            s = query.unsqueeze(2) + key.unsqueeze(1)
            if self.scale is not None:
                s = s * self.scale
            scores = torch.tanh(s).sum(-1) * self.concat_score_weight
        if self.causal:
            scores = scores + causal_mask(scores.shape[1], scores.shape[2], scores.device)
        weights = F.softmax(scores, dim=-1)
        used = F.dropout(weights, self.dropout, self.training) if self.dropout > 0 else weights
        return used @ value, weights


class AdditiveAttention(nn.Module):
    """Keras AdditiveAttention (Bahdanau): scores = Σ scale · tanh(q + k) over features."""

    def __init__(self, dim, use_scale, causal, dropout):
        super().__init__()
        self.causal, self.dropout = causal, dropout
        self.scale = nn.Parameter(torch.ones(dim)) if use_scale else None

    def forward(self, query, value, key=None):
        key = value if key is None else key
        t = torch.tanh(query.unsqueeze(2) + key.unsqueeze(1))
        scores = (t * self.scale if self.scale is not None else t).sum(-1)
        if self.causal:
            scores = scores + causal_mask(scores.shape[1], scores.shape[2], scores.device)
        weights = F.softmax(scores, dim=-1)
        used = F.dropout(weights, self.dropout, self.training) if self.dropout > 0 else weights
        return used @ value, weights


class MultiHeadAttention(nn.Module):
    """Keras MultiHeadAttention: per-head projections (nn.Linear, heads·dim outputs), the query
    scaled by 1/√keyDim, optional causal mask, heads concatenated and projected."""

    def __init__(self, dq, dk, dv, heads, key_dim, value_dim, out_dim, bias, causal, dropout):
        super().__init__()
        self.heads, self.key_dim, self.value_dim, self.causal, self.dropout = heads, key_dim, value_dim, causal, dropout
        self.query = nn.Linear(dq, heads * key_dim, bias=bias)
        self.key = nn.Linear(dk, heads * key_dim, bias=bias)
        self.value = nn.Linear(dv, heads * value_dim, bias=bias)
        self.output = nn.Linear(heads * value_dim, out_dim, bias=bias)

    def split(self, x, dim):
        b, t, _ = x.shape
        return x.reshape(b, t, self.heads, dim).transpose(1, 2)

    def forward(self, query, value, key=None):
        key = value if key is None else key
        q = self.split(self.query(query), self.key_dim) * (1.0 / math.sqrt(self.key_dim))
        k = self.split(self.key(key), self.key_dim)
        v = self.split(self.value(value), self.value_dim)
        scores = q @ k.transpose(2, 3)
        if self.causal:
            scores = scores + causal_mask(scores.shape[2], scores.shape[3], scores.device)
        weights = F.softmax(scores, dim=-1)
        used = F.dropout(weights, self.dropout, self.training) if self.dropout > 0 else weights
        o = (used @ v).transpose(1, 2)
        return self.output(o.reshape(o.shape[0], o.shape[1], -1)), weights


class PositionalEmbedding(nn.Module):
    """Adds a learned embedding per position (the first T rows of a [maxLength, D] table)."""

    def __init__(self, max_length, dim):
        super().__init__()
        self.embeddings = nn.Parameter(torch.zeros(max_length, dim))

    def forward(self, x):
        return x + self.embeddings[: x.shape[1]]


class LayerScale(nn.Module):
    """Multiplies the last (channel) axis by a learned vector (ConvNeXt's layer scale)."""

    def __init__(self, dim, init_value):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((dim,), float(init_value)))

    def forward(self, x):
        return x * self.gamma


class ClassToken(nn.Module):
    """Prepends a learned [D] token to a [B, T, D] sequence (ViT's class token)."""

    def __init__(self, dim):
        super().__init__()
        self.token = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, x):
        return torch.cat([self.token.expand(x.shape[0], -1, -1), x], dim=1)


class SinePositionEncoding(nn.Module):
    """Adds the fixed sin/cos encoding: pair (2i, 2i+1) uses timescale maxWavelength^(−2i/D)."""

    def __init__(self, max_wavelength):
        super().__init__()
        self.max_wavelength = max_wavelength

    def forward(self, x):
        t, d = x.shape[1], x.shape[2]
        j = torch.arange(d, device=x.device)
        timescale = torch.pow(torch.tensor(1.0 / self.max_wavelength, dtype=torch.float64), (2 * (j // 2)).double() / d).float()
        angle = torch.arange(t, device=x.device, dtype=torch.float32)[:, None] * timescale[None, :]
        enc = torch.where(j % 2 == 0, torch.sin(angle), torch.cos(angle))
        return x + enc


class Sampling(nn.Module):
    """VAE reparameterisation: mean at eval; mean + exp(logVar / 2)·ε in training, where it also
    stores klWeight · KL(N(mean, var) ‖ N(0, 1)) (batch mean) in self.kl for the training loss."""

    def __init__(self, kl_weight):
        super().__init__()
        self.kl_weight = kl_weight
        self.kl = None

    def forward(self, mean, log_var):
        if not self.training:
            self.kl = None
            return mean
        terms = 1 + log_var - mean * mean - torch.exp(log_var)
        self.kl = self.kl_weight * (-0.5 * terms.reshape(terms.shape[0], -1).sum(1).mean())
        return mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)


# --- weights ------------------------------------------------------------------------------------
def load_weights(model: nn.Module, path: str = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.pt")) -> nn.Module:
    """Loads model.pt (a plain state_dict as torch.save writes it; a directory means its model.pt)."""
    if os.path.isdir(path):
        path = os.path.join(path, "model.pt")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # PyTorch < 1.13 has no weights_only
        state = torch.load(path, map_location="cpu")
    model.load_state_dict(state, strict=True)
    return model


def kl_losses(model: nn.Module):
    """The KL terms the Sampling blocks stored during the last training forward pass."""
    terms = [m.kl for m in model.modules() if isinstance(m, Sampling) and m.kl is not None]
    return sum(terms) if terms else None
`;
