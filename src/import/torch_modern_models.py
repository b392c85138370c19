"""Exports small torch.nn models built from the idioms of modern torchvision networks to ONNX,
for src/import/modern.test.ts: Hardswish / Hardsigmoid (MobileNetV3), SiLU and sigmoid
squeeze-excitation (EfficientNet, RegNet), grouped and dilated depthwise convolutions (ResNeXt),
ceil_mode and count_include_pad pooling (SqueezeNet, GoogLeNet), torch.cat of one tensor
(DenseNet), and ShuffleNetV2's channel chunk + channel shuffle; plus a Hardsigmoid-like op with
constants no block has, which the importer must refuse — and a model with four blockers in a
row, which must all be named in one run.

Usage: python3 torch_modern_models.py OUT_DIR OPSET [NAMES...]
Random weights, BatchNorm statistics randomised (torch_models.randomise_norms), eval mode.
Writes OUT_DIR/<name>_o<OPSET>.onnx and prints one JSON line per model with its input shape.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_models import export


class Gates(nn.Module):
    """Hardswish, SiLU and Hardsigmoid after convolutions and on their own."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 1)
        self.c = nn.Conv2d(8, 4, 3, stride=2)

    def forward(self, x):
        y = F.hardswish(self.a(x))
        y = F.silu(self.b(y)) + F.hardswish(y)
        return F.hardsigmoid(self.c(y)) * torch.sigmoid(y[:, 4:, 2:7, 1:6])


class SqueezeExcite(nn.Module):
    """torchvision's SqueezeExcitation: pool, 1×1 convs, sigmoid scale of the input."""

    def __init__(self, c=8, squeeze=2, scale=nn.Sigmoid):
        super().__init__()
        self.fc1 = nn.Conv2d(c, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, c, 1)
        self.scale = scale()

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        return x * self.scale(self.fc2(F.relu(self.fc1(s))))


class SeNet(nn.Module):
    """Two SE blocks (sigmoid and hardsigmoid gates), a broadcast Add / Sub of a pooled map."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.se1 = SqueezeExcite()
        self.se2 = SqueezeExcite(scale=nn.Hardsigmoid)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        y = self.se2(self.se1(F.silu(self.bn(self.conv(x)))))
        m = F.adaptive_avg_pool2d(y, 1)
        y = (y + m) - torch.sigmoid(m)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


class Grouped(nn.Module):
    """A ResNeXt grouped conv (groups 4), a dilated depthwise conv, a depthwise ×2 conv."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.g = nn.Conv2d(16, 24, 3, padding=1, groups=4)
        self.dw = nn.Conv2d(24, 24, 3, padding=2, dilation=2, groups=24)
        self.dw2 = nn.Conv2d(24, 48, 3, stride=2, groups=24, bias=False)

    def forward(self, x):
        return self.dw2(F.relu(self.dw(self.g(F.relu(self.a(x))))))


class CeilPools(nn.Module):
    """ceil_mode max and average pooling (with and without pads) and count_include_pad."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3)
        self.mp = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.ap = nn.AvgPool2d(3, 2, padding=1, ceil_mode=True, count_include_pad=True)
        self.ap2 = nn.AvgPool2d(3, 2, ceil_mode=True)
        self.ap3 = nn.AvgPool2d(3, 1, padding=1, count_include_pad=True)

    def forward(self, x):
        y = self.mp(F.relu(self.conv(x)))
        return self.ap2(self.ap(y)) + self.ap2(self.ap3(self.ap(y)))


class DenseCat(nn.Module):
    """DenseNet's first dense layer: torch.cat of a list holding one tensor."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.grow = nn.Conv2d(4, 2, 3, padding=1)

    def forward(self, x):
        feats = [F.relu(self.conv(x))]
        y = torch.cat(feats, 1)
        return torch.cat([y, self.grow(y)], 1)


def channel_shuffle(x, groups):
    n, c, h, w = x.size()
    x = x.view(n, groups, c // groups, h, w)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(n, -1, h, w)


class Shuffle(nn.Module):
    """ShuffleNetV2 units: chunk the channels in two, a branch on one half, concat, shuffle."""

    def __init__(self, c=8):
        super().__init__()
        self.stem = nn.Conv2d(3, c, 3, padding=1)
        self.branch = nn.Sequential(nn.Conv2d(c // 2, c // 2, 1), nn.ReLU(), nn.Conv2d(c // 2, c // 2, 3, padding=1, groups=c // 2))
        self.branch2 = nn.Conv2d(c // 2, c // 2, 1)

    def forward(self, x):
        x = self.stem(x)
        a, b = x.chunk(2, dim=1)
        x = channel_shuffle(torch.cat((a, self.branch(b)), 1), 2)
        a, b = x.chunk(2, dim=1)
        x = channel_shuffle(torch.cat((self.branch2(a), b), 1), 4)
        return x[:, :, 1:-1, 2:]


MODELS = {
    "gates": (Gates, (1, 3, 12, 12)),
    "se": (SeNet, (1, 3, 10, 10)),
    "grouped": (Grouped, (1, 3, 13, 11)),
    "ceilpools": (CeilPools, (1, 3, 16, 15)),
    "densecat": (DenseCat, (1, 3, 6, 6)),
    "shuffle": (Shuffle, (1, 3, 7, 9)),
}


def export_odd_hardsigmoid(path, opset, blockers=False):
    """torch has no alpha attribute for F.hardsigmoid; write the op through a symbolic. With
    `blockers`: a CNN where it appears twice, before a dilated MaxPool and an Erf (4 blockers)."""
    class Hs(torch.autograd.Function):
        @staticmethod
        def symbolic(g, x):
            return g.op("HardSigmoid", x, alpha_f=0.3, beta_f=0.5)

        @staticmethod
        def forward(ctx, x):
            return torch.clamp(x * 0.3 + 0.5, 0, 1)

    class M(nn.Module):
        def forward(self, x):
            return Hs.apply(x)

    if blockers:

        class M(nn.Module):  # noqa: F811 (the model with several blockers in a row)
            def __init__(self):
                super().__init__()
                self.a = nn.Conv2d(3, 4, 3)
                self.b = nn.Conv2d(4, 6, 3, groups=2, padding=1)
                self.pool = nn.MaxPool2d(2, dilation=2)

            def forward(self, x):
                y = self.b(Hs.apply(self.a(x)))
                return torch.erf(self.pool(Hs.apply(y)))

    export(M(), path, opset, [(1, 3, 9, 9) if blockers else (1, 4)], batch_axes={"input": None})  # fixed batch


def main():
    out = sys.argv[1]
    opset = int(sys.argv[2]) if len(sys.argv) > 2 else 13
    names = sys.argv[3:] or [*MODELS, "odd_hardsigmoid", "blockers"]
    torch.manual_seed(0)
    for name in names:
        path = f"{out}/{name}_o{opset}.onnx"
        if name in ("odd_hardsigmoid", "blockers"):
            export_odd_hardsigmoid(path, opset, name == "blockers")
            print(json.dumps({"name": name, "path": path, "input": [1, 3, 9, 9] if name == "blockers" else [1, 4]}), flush=True)
            continue
        make, shape = MODELS[name]
        export(make(), path, opset, [shape])
        print(json.dumps({"name": name, "path": path, "input": list(shape)}), flush=True)


if __name__ == "__main__":
    main()
