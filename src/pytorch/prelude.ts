// The Python helpers every generated model.py starts with: tfjs' semantics where PyTorch's
// built-ins differ (TF-style "same" padding, channels-last convolutions and pools, tfjs' GRU
// with the reset gate applied before the recurrent matmul — a resetAfter GRU is nn.GRU itself —, hardSigmoid = clip(0.2x + 0.5),
// asymmetric bilinear upsampling, Keras attention layers). Tensors stay channels-last (NHWC /
// NWC) between blocks, exactly as in tfjs, so Flatten/Reshape see the same element order; the
// conv and pool helpers permute to channels-first around the torch op.
// The layers are in preludeLayers.ts (normalisation, regularisation, recurrent) and
// preludeAttention.ts (attention, embeddings, Sampling); PRELUDE is the whole file, in order.
import { PRELUDE_ATTENTION } from './preludeAttention';
import { PRELUDE_LAYERS } from './preludeLayers';

/** Imports, activations, "same" padding, convolutions and pools on channels-last tensors. */
const PRELUDE_CONV = String.raw`import json
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


`;

/** Loading model.pt, and the KL terms of Sampling blocks. */
const PRELUDE_WEIGHTS = String.raw`# --- weights ------------------------------------------------------------------------------------
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

export const PRELUDE = PRELUDE_CONV + PRELUDE_LAYERS + PRELUDE_ATTENTION + PRELUDE_WEIGHTS;
