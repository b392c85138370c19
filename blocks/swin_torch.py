"""Reference outputs for blocks/swin.test.ts from torchvision 0.14's own Swin pieces.

Prints one JSON line per case: torchvision's ShiftedWindowAttention with seeded random weights
(the bias table drawn large enough to matter) on a seeded [2, H, W, C] input, or its
_patch_merging_pad; the weights, input and output as flat lists.
"""
import json
import sys

import torch
from torchvision.models.swin_transformer import ShiftedWindowAttention, _patch_merging_pad

# name, H, W, C, window, shift, heads, qkv_bias, proj_bias
SWIN = [
    ("shifted", 8, 8, 12, 4, 2, 3, True, True),
    ("regular", 8, 8, 8, 4, 0, 2, True, True),
    ("padded and shifted", 7, 5, 4, 3, 1, 2, False, True),
    ("window covers H", 5, 9, 6, 6, 3, 1, True, False),
    ("one window", 6, 6, 4, 8, 4, 2, True, True),
    ("Swin-T sized", 14, 14, 24, 7, 3, 3, True, True),
]
MERGE = [("even", 4, 6, 3), ("odd", 5, 7, 2), ("one row", 1, 2, 5)]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    torch.manual_seed(0)
    for name, h, w, c, ws, shift, heads, qb, pb in SWIN:
        m = ShiftedWindowAttention(c, [ws, ws], [shift, shift], heads, qkv_bias=qb, proj_bias=pb)
        with torch.no_grad():
            for p in m.parameters():
                p.normal_(0.0, 0.5)
        x = torch.randn(2, h, w, c)
        y = m(x)
        out = {"kind": "swin", "name": name, "h": h, "w": w, "c": c, "ws": ws, "shift": shift, "heads": heads, "qkvBias": qb, "projBias": pb}
        out["qkv_weight"] = flat(m.qkv.weight)
        out["qkv_bias"] = flat(m.qkv.bias) if qb else None
        out["proj_weight"] = flat(m.proj.weight)
        out["proj_bias"] = flat(m.proj.bias) if pb else None
        out["table"] = flat(m.relative_position_bias_table)
        out["x"], out["y"] = flat(x), flat(y)
        print(json.dumps(out))
    for name, h, w, c in MERGE:
        x = torch.randn(2, h, w, c)
        y = _patch_merging_pad(x)
        print(json.dumps({"kind": "merge", "name": name, "h": h, "w": w, "c": c, "x": flat(x), "y": flat(y), "yShape": list(y.shape)}))


if __name__ == "__main__":
    sys.exit(main())
