"""The reference for the torchvision-zoo templates, read from Debian's python3-torchvision itself
(models built with random weights; nothing is downloaded).

Usage: python3 torchvision_ref.py NAME... (torchvision names, e.g. mobilenet_v2 vit_b_16)
Prints one JSON object: {name: {"params": trainable parameter count, "buffers": BatchNorm running
statistics count, "macs": conv + linear multiply-accumulates for one 224x224 image,
"shapes": [[parameter name, shape], ...] in named_parameters() order}}.

MACs are counted with forward hooks, so they follow what torch actually runs: a conv is output
elements x (in_channels / groups) x kernel area, a linear is rows x in x out. nn.MultiheadAttention
calls its projections functionally (no Linear module runs), so its q/k/v and output projections are
counted by hand: tokens x d x 3d and tokens x d x d per attention.
"""
import json
import sys

import torch
import torchvision

# googlenet without its auxiliary heads (they only exist in training), as the template builds it.
EXTRA = {'googlenet': {'aux_logits': False, 'init_weights': False}}


def reference(name):
    model = getattr(torchvision.models, name)(weights=None, **EXTRA.get(name, {})).eval()
    macs = [0]

    def conv_hook(m, inp, out):
        k = 1
        for s in m.kernel_size:
            k *= s
        macs[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * k

    def linear_hook(m, inp, out):
        rows = out.numel() // out.shape[0] // m.out_features
        macs[0] += rows * m.in_features * m.out_features

    def mha_hook(m, inp, out):
        y = out[0]  # called with keyword arguments, so read the token count from the output
        tokens = y.shape[1] if m.batch_first else y.shape[0]
        macs[0] += tokens * m.embed_dim * 3 * m.embed_dim + tokens * m.embed_dim * m.embed_dim

    for m in model.modules():
        if isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d)):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, torch.nn.MultiheadAttention):
            m.register_forward_hook(mha_hook)
        elif isinstance(m, torch.nn.Linear) and not isinstance(m, torch.nn.modules.linear.NonDynamicallyQuantizableLinear):
            m.register_forward_hook(linear_hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    return {
        'params': sum(p.numel() for p in model.parameters() if p.requires_grad),
        'buffers': sum(b.numel() for n, b in model.named_buffers() if n.endswith(('running_mean', 'running_var'))),
        'macs': macs[0],
        'shapes': [[n, list(p.shape)] for n, p in model.named_parameters()],
    }


if __name__ == '__main__':
    torch.set_num_threads(1)
    print(json.dumps({n: reference(n) for n in sys.argv[1:]}))
