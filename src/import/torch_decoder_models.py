"""Exports Transformer decoders to ONNX for src/import/decoder.test.ts: nn.TransformerDecoder
language models over an Embedding that attend to an encoder memory (a second input), with
torch's causal tgt_mask spelt three ways — nn.Transformer.generate_square_subsequent_mask kept as
a buffer (folded to a 0/-inf constant), a bool triu mask (torch turns it into 0/-inf), and the
mask computed in forward() from the target's length (Trilu of ConstantOfShape(-inf); opset 14+,
since torch 1.13 cannot export triu below) — a whole nn.Transformer encoder–decoder over source
and target tokens, a decoder with torch's default batch_first=False (time-major inputs), a decoder whose mask is a sliding window (not causal) and one with a
tgt_key_padding_mask (token 0), which the import must refuse, naming the mask.

Usage: python3 torch_decoder_models.py OUT_DIR OPSET [NAMES...]
Random weights (LayerNorm scales and shifts too; the two decoder layers differ), eval mode.
Writes OUT_DIR/<name>_o<OPSET>.onnx and prints one JSON line per model with its inputs (name,
shape, dtype) and torch's trainable parameter count.
"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_attn_models import randomise_layer_norms  # noqa: E402
from torch_models import export, trainable  # noqa: E402

D, HEADS, FF, VOCAB, T, S = 16, 2, 32, 30, 6, 5


def perturb(layers):
    """Torch deep-copies a layer into its stack: make the copies differ, so a mix-up shows."""
    with torch.no_grad():
        for layer in list(layers)[1:]:
            for p in layer.parameters():
                p.add_(torch.randn_like(p) * 0.3)


def window_mask(n, width=2):
    """-inf outside the last `width` steps up to each step: causal AND banded, so not causal."""
    i = torch.arange(n).unsqueeze(1)
    j = torch.arange(n).unsqueeze(0)
    return torch.zeros(n, n).masked_fill((j > i) | (j < i - width), float("-inf"))


class DecoderLM(nn.Module):
    """Target ids [N, T] → embedding + learned positions → 2 × nn.TransformerDecoderLayer
    (masked self-attention, cross-attention to `memory` [N, S, D], FFN) → Linear to the vocabulary."""

    def __init__(self, mask, norm_first=False):
        super().__init__()
        self.mask_kind = mask
        self.embed = nn.Embedding(VOCAB, D)
        self.pos = nn.Parameter(torch.randn(1, T, D) * 0.5)
        layer = nn.TransformerDecoderLayer(D, HEADS, FF, dropout=0.1, batch_first=True, norm_first=norm_first)
        self.decoder = nn.TransformerDecoder(layer, 2)
        perturb(self.decoder.layers)
        self.head = nn.Linear(D, VOCAB)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(T))
        self.register_buffer("window", window_mask(T))

    def forward(self, tgt, memory):
        if self.mask_kind == "buffer":
            mask = self.causal
        elif self.mask_kind == "bool":
            mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        elif self.mask_kind == "forward":
            mask = nn.Transformer.generate_square_subsequent_mask(tgt.size(1))
        else:
            mask = self.window
        # Token 0 is padding: torch merges the key_padding_mask into the scores' mask at run time.
        padding = tgt == 0 if self.mask_kind == "padded" else None
        return self.head(self.decoder(self.embed(tgt) + self.pos, memory, tgt_mask=mask if self.mask_kind != "padded" else self.causal, tgt_key_padding_mask=padding))


class Seq2Seq(nn.Module):
    """nn.Transformer (2 encoder + 2 decoder layers, its final LayerNorms) between source and
    target token embeddings with learned positions, a causal tgt_mask, and a Linear head."""

    def __init__(self):
        super().__init__()
        self.src_embed = nn.Embedding(VOCAB, D)
        self.tgt_embed = nn.Embedding(VOCAB, D)
        self.src_pos = nn.Parameter(torch.randn(1, S, D) * 0.5)
        self.tgt_pos = nn.Parameter(torch.randn(1, T, D) * 0.5)
        self.transformer = nn.Transformer(D, HEADS, 2, 2, FF, dropout=0.1, batch_first=True)
        perturb(self.transformer.encoder.layers)
        perturb(self.transformer.decoder.layers)
        self.head = nn.Linear(D, VOCAB)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(T))

    def forward(self, src, tgt):
        x = self.src_embed(src) + self.src_pos
        y = self.tgt_embed(tgt) + self.tgt_pos
        return self.head(self.transformer(x, y, tgt_mask=self.causal))


class TimeMajorDecoder(nn.Module):
    """torch's default batch_first=False: tgt [T, N, D] and memory [S, N, D] → 2 decoder layers
    with a causal tgt_mask → Linear, time-major throughout."""

    def __init__(self):
        super().__init__()
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(D, HEADS, FF, dropout=0.1), 2)
        perturb(self.decoder.layers)
        self.head = nn.Linear(D, 5)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(T))

    def forward(self, tgt, memory):
        return self.head(self.decoder(tgt, memory, tgt_mask=self.causal))


TOKENS = {"dtype": "int64", "high": VOCAB}
MODELS = {
    "decoder": (lambda: DecoderLM("buffer"), [("tgt", (1, T), TOKENS), ("memory", (1, S, D), None)]),
    "decoder_pre_bool": (lambda: DecoderLM("bool", norm_first=True), [("tgt", (1, T), TOKENS), ("memory", (1, S, D), None)]),
    "decoder_forward_mask": (lambda: DecoderLM("forward"), [("tgt", (1, T), TOKENS), ("memory", (1, S, D), None)]),
    "decoder_window": (lambda: DecoderLM("window"), [("tgt", (1, T), TOKENS), ("memory", (1, S, D), None)]),
    "decoder_padded": (lambda: DecoderLM("padded"), [("tgt", (1, T), TOKENS), ("memory", (1, S, D), None)]),
    "transformer": (lambda: Seq2Seq(), [("src", (1, S), TOKENS), ("tgt", (1, T), TOKENS)]),
    # Time-major: the batch is axis 1 of the inputs and the output.
    "decoder_time_major": (lambda: TimeMajorDecoder(), [("tgt", (T, 1, D), None), ("memory", (S, 1, D), None)]),
}


def main():
    out = sys.argv[1]
    opset = int(sys.argv[2]) if len(sys.argv) > 2 else 13
    names = sys.argv[3:] or list(MODELS)
    torch.manual_seed(0)
    for name in names:
        if name == "decoder_forward_mask" and opset < 14:
            continue  # torch 1.13 exports triu (the mask made in forward) from opset 14 only
        make, inputs = MODELS[name]
        model = make().eval()
        randomise_layer_norms(model)
        xs = [torch.randint(0, kind["high"], shape) if kind else shape for _, shape, kind in inputs]
        path = f"{out}/{name}_o{opset}.onnx"
        names_in = [n for n, _, _ in inputs]
        batch = 1 if name == "decoder_time_major" else 0
        export(model, path, opset, xs, names_in, batch_axes={n: batch for n in [*names_in, "output"]}, grad=True)
        params = trainable(model)
        ins = [{"name": n, "shape": list(s), "dtype": k["dtype"] if k else "float32"} for n, s, k in inputs]
        print(json.dumps({"name": name, "path": path, "inputs": ins, "params": params}), flush=True)


if __name__ == "__main__":
    main()
