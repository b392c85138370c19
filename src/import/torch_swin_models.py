"""Exports small Swin transformers built with torchvision 0.14's SwinTransformer class to ONNX,
for src/import/swin.test.ts: patch embedding (Conv 4×4 / 4, Permute, LayerNorm), shifted and
unshifted window attention (relative position bias, the shift mask), PatchMerging, the MLPs, the
final LayerNorm / Permute / AdaptiveAvgPool / Flatten / Linear.

- swin_pad: 36×36 input, window 4: stage 1 is 9×9 (padded to 12×12 for the windows, its
  PatchMerging pads to 10×10), stage 2 is 5×5 (padded to 8×8, so its odd block is shifted too).
- swin_even: 32×32 input, window 4: stage 1 8×8 (no padding), stage 2 4×4 (window ≥ the map,
  so the shift is dropped there).

Usage: python3 torch_swin_models.py OUT_DIR OPSET [NAMES...]
Random weights; every parameter is redrawn (torchvision initialises the relative position bias
tables with std 0.02 and the biases with zeros, which would hide mistakes in them). Eval mode.
Writes OUT_DIR/<name>_o<OPSET>.onnx and prints one JSON line per model: path, input shape and
torch's trainable parameter count.
"""
import json
import sys

import torch
from torchvision.models.swin_transformer import SwinTransformer

from torch_models import export, trainable

MODELS = {
    "swin_pad": (dict(patch_size=[4, 4], embed_dim=24, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4], num_classes=10), (1, 3, 36, 36)),
    "swin_even": (dict(patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[2, 2], window_size=[4, 4], num_classes=7), (1, 3, 32, 32)),
}


def make(kwargs):
    model = SwinTransformer(stochastic_depth_prob=0.0, **kwargs)
    with torch.no_grad():
        for name, p in model.named_parameters():
            # Tables of relative position bias large enough to matter; other params modest.
            p.copy_(torch.randn_like(p) * (0.5 if "relative_position_bias_table" in name else 0.2))
    return model


def main():
    out = sys.argv[1]
    opset = int(sys.argv[2]) if len(sys.argv) > 2 else 17
    names = sys.argv[3:] or list(MODELS)
    torch.manual_seed(0)
    for name in names:
        kwargs, shape = MODELS[name]
        path = f"{out}/{name}_o{opset}.onnx"
        model = export(make(kwargs), path, opset, [shape])
        print(json.dumps({"name": name, "path": path, "input": list(shape), "params": trainable(model)}), flush=True)


if __name__ == "__main__":
    main()
