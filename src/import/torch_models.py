"""Exports the foreign models the import test runs against: torchvision's ResNet-18, VGG-11 and
AlexNet (random weights), a small batch-first LSTM and GRU with a Linear head, and a bidirectional
GRU reading both its output sequence and its final states, to ONNX.

Usage: python3 torch_models.py OUT_DIR [OPSET] [NAMES...]
Every model is put in eval mode and its BatchNorm running statistics and affine parameters are
randomised, so the comparison exercises them (fresh BatchNorm layers are an identity). Writes
OUT_DIR/<name>.onnx and prints one JSON line per model with its input shape.
"""
import contextlib
import json
import sys

import torch
import torch.nn as nn
import torchvision


class SeqClassifier(nn.Module):
    """An LSTM over [batch, time, features] whose last step feeds a Linear layer."""

    def __init__(self, features=6, hidden=16, classes=4, layers=1):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1, :])


class GruClassifier(nn.Module):
    """nn.GRU (reset gate after the recurrent matmul: ONNX linear_before_reset 1) + Linear."""

    def __init__(self, features=6, hidden=8, classes=3):
        super().__init__()
        self.gru = nn.GRU(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        y, _ = self.gru(x)
        return self.head(y[:, -1, :])


class BiGru(nn.Module):
    """A bidirectional GRU: a Linear on every step of its [batch, time, 2·hidden] output,
    averaged over time, plus a Linear on both final states (h_n[0] forward, h_n[1] backward)."""

    def __init__(self, features=6, hidden=5, classes=3):
        super().__init__()
        self.gru = nn.GRU(features, hidden, batch_first=True, bidirectional=True)
        self.per_step = nn.Linear(2 * hidden, classes)
        self.head = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        y, h = self.gru(x)
        return self.per_step(y).mean(dim=1) + self.head(torch.cat([h[0], h[1]], dim=1))


class BiGruLastStep(nn.Module):
    """y[:, -1] of a bidirectional GRU: the backward half of that step is the backward
    direction's FIRST output, which no state port gives; it is read as the last step of the
    output sequence."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 4, batch_first=True, bidirectional=True)

    def forward(self, x):
        y, _ = self.gru(x)
        return y[:, -1]


class RunningSum(nn.Module):
    """Ops no block covers, several of one kind: five running sums over time (CumSum) and an
    elementwise Erf outside any GELU. The import is refused and the CLI groups them by op."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        y = self.fc(x)
        for _ in range(5):
            y = torch.cumsum(y, dim=1)
        return torch.erf(y)


class Mixed(nn.Module):
    """A small CNN touching the other mapped ops: an unfused BatchNorm (after LeakyReLU),
    depthwise and asymmetric-stride convolutions, max pooling with padding after a ReLU,
    a concatenation, average pooling, sigmoid and a flatten of a 4x4 map (NCHW order)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.act = nn.LeakyReLU(0.1)
        self.bn = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=8)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.side = nn.Conv2d(8, 4, 1, stride=(2, 2))
        self.avg = nn.AvgPool2d(2)
        self.fc = nn.Linear(20 * 4 * 4, 5)

    def forward(self, x):
        y = self.bn(self.act(self.conv(x)))
        a = self.pool(torch.relu(self.dw(y)))
        b = self.side(self.pool(torch.relu(y)))
        z = torch.sigmoid(self.avg(torch.cat([a, b], dim=1)))
        return torch.tanh(self.fc(torch.flatten(z, 1)))


def randomise_norms(model):
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)


MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 224, 224)),
    "vgg11": (lambda: torchvision.models.vgg11(weights=None), (1, 3, 224, 224)),
    "alexnet": (lambda: torchvision.models.alexnet(weights=None), (1, 3, 224, 224)),
    "lstm": (lambda: SeqClassifier(), (1, 7, 6)),
    "gru": (lambda: GruClassifier(), (1, 5, 6)),
    "bigru": (lambda: BiGru(), (1, 7, 6)),
    "bigru_last": (lambda: BiGruLastStep(), (1, 7, 6)),
    "mixed": (lambda: Mixed(), (1, 3, 32, 32)),
    "cumsum": (lambda: RunningSum(), (1, 7, 6)),
}


def export(model, path, opset, inputs, input_names=("input",), output_names=("output",), batch_axes=None, grad=False, preserve=False):
    """The one torch.onnx.export of the fixture scripts. Puts `model` in eval mode, randomises
    its BatchNorm statistics and exports it to `path` on `inputs` (one per input name: a shape,
    filled with random normal floats, or a ready tensor such as token ids). `batch_axes` gives
    each input's and output's batch axis (default 0: the time-major models of
    torch_nn_models.py use 1), which is left dynamic. `grad`: export with autograd on (torch
    1.13's Transformer layers take a fused fast path without it, which does not export).
    `preserve`: training=TrainingMode.PRESERVE (BatchNorms kept instead of folded into the
    convolutions). Returns the model."""
    model = model.eval()
    names = [*input_names, *output_names]
    axes = batch_axes or {n: 0 for n in names}
    xs = tuple(x if isinstance(x, torch.Tensor) else torch.randn(*x) for x in inputs)
    with torch.no_grad():
        randomise_norms(model)
    with contextlib.nullcontext() if grad else torch.no_grad():
        torch.onnx.export(
            model,
            xs,
            path,
            opset_version=opset,
            input_names=list(input_names),
            output_names=list(output_names),
            dynamic_axes={n: {axes[n]: "batch"} for n in names if axes.get(n) is not None},
            **({"training": torch.onnx.TrainingMode.PRESERVE} if preserve else {}),
        )
    return model


def trainable(model):
    """torch's trainable parameter count (what the imported graph's must equal)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def main():
    out = sys.argv[1]
    opset = int(sys.argv[2]) if len(sys.argv) > 2 else 13
    names = sys.argv[3:] or list(MODELS)
    torch.manual_seed(0)
    for name in names:
        make, shape = MODELS[name]
        path = f"{out}/{name}.onnx"
        export(make(), path, opset, [shape])
        print(json.dumps({"name": name, "path": path, "input": list(shape)}), flush=True)


if __name__ == "__main__":
    main()
