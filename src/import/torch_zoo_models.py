"""Exports torchvision 0.14 classification models to ONNX for the zoo import checks
(src/import/zoo_import.test.ts, scripts/import-zoo-table.ts). Random weights (nothing is
downloaded), BatchNorm statistics randomised (torch_models.randomise_norms) so BatchNorm bugs
show, eval mode.

Usage: python3 torch_zoo_models.py OUT_DIR OPSET [--preserve] [--size N] NAMES...

--preserve exports with training=torch.onnx.TrainingMode.PRESERVE (BatchNorms kept as ops);
by default torch folds them into the convolutions. --size N exports at N×N instead of the
model's usual size. Writes OUT_DIR/<name>_o<OPSET>[_bn].onnx and prints one JSON line per model:
its path, input shape, and torch's trainable parameter count. A model torch cannot export is
printed with "error" instead.
"""
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import export, trainable  # noqa: E402

# Models whose usual input is not 224×224 (Inception v3 wants 299; AlexNet / VGG keep 224, the
# only size at which their AdaptiveAvgPool is an identity torch can export).
SIZES = {"inception_v3": 299}
# Constructor arguments: Inception v3 and GoogLeNet with transform_input (as its pretrained weights set it: the
# ImageNet normalisation redone per channel); aux heads off (unused in eval).
KWARGS = {"inception_v3": {"aux_logits": False, "init_weights": False, "transform_input": True}, "googlenet": {"aux_logits": False, "init_weights": False, "transform_input": True}}


def main():
    args = sys.argv[1:]
    out, opset = args[0], int(args[1])
    preserve = "--preserve" in args
    size = None
    rest = []
    i = 2
    while i < len(args):
        if args[i] == "--preserve":
            pass
        elif args[i] == "--size":
            size = int(args[i + 1])
            i += 1
        else:
            rest.append(args[i])
        i += 1
    torch.manual_seed(0)
    for name in rest:
        s = size or SIZES.get(name, 224)
        shape = [1, 3, s, s]
        path = f"{out}/{name}_o{opset}{'_bn' if preserve else ''}.onnx"
        try:
            model = getattr(torchvision.models, name)(weights=None, **KWARGS.get(name, {}))
            # torchvision's ViT starts its classifier at zero (every output 0): make it random,
            # so the comparison sees the whole network (as torch_attn_models.py does).
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, torch.nn.Linear) and not m.weight.any():
                        m.weight.normal_(0, 0.05)
                        m.bias.normal_(0, 0.05)
            # ViT's encoder layers take torch 1.13's fused attention fast path without autograd,
            # which does not export (aten::_native_multi_head_attention).
            model = export(model, path, opset, [shape], grad=name.startswith("vit_"), preserve=preserve)
            params = trainable(model)
            print(json.dumps({"name": name, "path": path, "input": shape, "params": params}), flush=True)
        except Exception as e:  # report and go on: one model torch cannot export is a row, not a crash
            print(json.dumps({"name": name, "path": path, "input": shape, "error": f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"}), flush=True)


if __name__ == "__main__":
    main()
