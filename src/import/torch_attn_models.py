"""Exports Transformer models to ONNX for src/import/attention.test.ts: a TransformerEncoder
classifier over an Embedding (nn.Embedding + a learned positional table → 2 ×
nn.TransformerEncoderLayer, batch_first, post-norm or pre-norm → mean over the sequence →
Linear), whose attention torch spells out as MatMul / Reshape / Transpose / Softmax and whose
LayerNorm it decomposes at opset 13; LayerNorms without affine parameters or with another eps;
an attention scaled by no head size's 1/sqrt(d), which must be refused; Luong dot-product
attention written with torch.bmm; torchvision's VisionTransformer at 32×32 (2 layers, width 16)
and ConvNeXt blocks at 32×32 (layer scale [C, 1, 1]);
and, on request, torchvision's vit_b_16 (slow: 86M weights, minutes in tfjs on the CPU).

Usage: python3 torch_attn_models.py OUT_DIR OPSET [NAMES...]
Random weights (LayerNorm scales and shifts randomised too, so a swapped gamma/beta shows; the
post-norm model's two layers differ, the pre-norm model's are torch's equal copies), eval
mode. Writes OUT_DIR/<name>_o<OPSET>.onnx and prints one JSON line per model with its input
shape, dtype and torch's trainable parameter count.
"""
import json
import sys

import torch
import torch.nn as nn
import torchvision
from torchvision.models.convnext import CNBlockConfig

from torch_models import export, trainable


class TransformerClassifier(nn.Module):
    """Token ids [batch, T] → embedding + positions → TransformerEncoder → mean → Linear."""

    def __init__(self, norm_first, distinct, vocab=50, steps=7, d=16, heads=2, ff=32, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, steps, d) * 0.5)
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.1, batch_first=True, norm_first=norm_first)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(d, classes)
        # TransformerEncoder deep-copies its layer, so both start equal (and torch exports the
        # second's weights as Identity of the first's); `distinct` makes them differ, so a
        # mix-up of layers shows.
        if distinct:
            with torch.no_grad():
                for p in self.encoder.layers[1].parameters():
                    p.add_(torch.randn_like(p) * 0.3)

    def forward(self, ids):
        x = self.encoder(self.embed(ids) + self.pos)
        return self.head(x.mean(dim=1))


class LayerNorms(nn.Module):
    """nn.LayerNorm without affine parameters, then a Linear and one with eps 1e-3."""

    def __init__(self):
        super().__init__()
        self.a = nn.LayerNorm(8, elementwise_affine=False)
        self.fc = nn.Linear(8, 6)
        self.b = nn.LayerNorm(6, eps=1e-3)

    def forward(self, x):
        return self.b(self.fc(self.a(x)))


class OddScaleAttention(nn.Module):
    """Dot-product attention scaled by 0.3, which is no head size's 1/sqrt(d): no block has it,
    so the importer must refuse it rather than call it MultiHeadAttention."""

    def __init__(self):
        super().__init__()
        self.q = nn.Linear(8, 8)
        self.k = nn.Linear(8, 8)
        self.v = nn.Linear(8, 8)

    def forward(self, x):
        w = torch.softmax(self.q(x) @ self.k(x).transpose(1, 2) * 0.3, dim=-1)
        return w @ self.v(x)


class DotAttention(nn.Module):
    """Luong dot-product attention on batch-first sequences (torch.bmm): queries from one Linear,
    keys = values from another, then a Linear on the attended sequence."""

    def __init__(self):
        super().__init__()
        self.q = nn.Linear(8, 6)
        self.kv = nn.Linear(8, 6)
        self.out = nn.Linear(6, 3)

    def forward(self, x):
        q = self.q(x)
        kv = torch.tanh(self.kv(x))
        w = torch.softmax(torch.bmm(q, kv.transpose(1, 2)), dim=-1)
        return self.out(torch.bmm(w, kv))


def randomise_layer_norms(model):
    g = torch.Generator().manual_seed(2)
    for m in model.modules():
        if isinstance(m, nn.LayerNorm) and m.weight is not None:
            n = m.weight.numel()
            m.weight.data.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)


MODELS = {
    "transformer_post": (lambda: TransformerClassifier(False, True), (1, 7), "int64"),
    "transformer_pre": (lambda: TransformerClassifier(True, False), (1, 7), "int64"),
    "layernorms": (lambda: LayerNorms(), (1, 5, 8), "float32"),
    "odd_scale_attention": (lambda: OddScaleAttention(), (1, 5, 8), "float32"),
    "dot_attention": (lambda: DotAttention(), (1, 6, 8), "float32"),
    # torchvision's VisionTransformer (vit_b_16's code: conv patches, class token, positions,
    # encoder blocks of LayerNorm + nn.MultiheadAttention + GELU MLP, x[:, 0] → head) at 32×32.
    "vit_tiny": (
        lambda: torchvision.models.VisionTransformer(32, 8, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=32, num_classes=5),
        (1, 3, 32, 32),
        "float32",
    ),
    # torchvision's ConvNeXt blocks (depthwise 7×7, LayerNorm over channels, GELU MLP, layer scale
    # [C, 1, 1]) at 32×32: one stage of 2 blocks, width 16.
    "convnext_tiny32": (
        lambda: torchvision.models.ConvNeXt([CNBlockConfig(16, None, 2)], layer_scale=0.5, num_classes=5),
        (1, 3, 32, 32),
        "float32",
    ),
    "vit_b_16": (lambda: torchvision.models.vit_b_16(weights=None), (1, 3, 224, 224), "float32"),
}


def main():
    out = sys.argv[1]
    opset = int(sys.argv[2]) if len(sys.argv) > 2 else 13
    names = sys.argv[3:] or ["transformer_post", "transformer_pre", "layernorms", "odd_scale_attention", "dot_attention", "vit_tiny", "convnext_tiny32"]
    torch.manual_seed(0)
    for name in names:
        if name == "layernorms" and opset >= 17:
            # torch 1.13 writes LayerNormalization without its (required) Scale for
            # elementwise_affine=False, which its own checker then rejects.
            continue
        make, shape, dtype = MODELS[name]
        model = make().eval()
        randomise_layer_norms(model)
        # torchvision's ViT starts its classifier at zero (every output 0): make it random, so
        # the comparison sees the whole network.
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, nn.Linear) and not m.weight.any():
                    m.weight.normal_(0, 0.05)
                    m.bias.normal_(0, 0.05)
        x = torch.randint(0, 50, shape) if dtype == "int64" else torch.randn(*shape)
        path = f"{out}/{name}_o{opset}.onnx"
        export(model, path, opset, [x], grad=True)
        params = trainable(model)
        print(json.dumps({"name": name, "path": path, "input": list(shape), "dtype": dtype, "params": params}), flush=True)


if __name__ == "__main__":
    main()
