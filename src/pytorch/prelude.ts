// model.py's prelude, assembled per model: the shared base every generated file starts with
// (imports, tfjs' activations, TF-style "same" padding, channels-last ↔ channels-first), then
// only the snippets the graph's blocks bring (BlockSpec.pytorchPrelude: tfjs' semantics where
// PyTorch's built-ins differ), each once and after the snippets it requires, then loading the
// weights. Tensors stay channels-last (NHWC / NWC) between blocks, exactly as in tfjs, so
// Flatten/Reshape see the same element order. Nothing here names a block: block-specific Python
// lives in the block's module (blocks/), helpers shared by several blocks in a module they import.
import type { PytorchSnippet } from '../core/spec';
import { PytorchExportError } from './emit';

/** Imports, activations, "same" padding and the layout moves every block may call. */
export const BASE_PRELUDE = String.raw`import json
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
`;

/** Loading model.pt, and the loss terms modules add while training. */
export const WEIGHTS_PRELUDE = String.raw`# --- weights ------------------------------------------------------------------------------------
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
    """The loss terms modules stored in .kl during the last training forward pass (a VAE's KL)."""
    terms = [m.kl for m in model.modules() if getattr(m, "kl", None) is not None]
    return sum(terms) if terms else None
`;

/** The top-level classes, or the functions and constants, a piece of Python source defines. */
export function definedNames(source: string, kind: 'class' | 'value'): string[] {
  const re = kind === 'class' ? /^class (\w+)/gm : /^def (\w+)|^([A-Za-z_]\w*) =/gm;
  return [...source.matchAll(re)].map((m) => (m[1] ?? m[2])!);
}

/**
 * The snippets in the order model.py needs them: each after everything it requires, each once,
 * otherwise in the order given. Two different snippets under one name are a registry bug.
 */
export function orderSnippets(snippets: Iterable<PytorchSnippet>): PytorchSnippet[] {
  const out: PytorchSnippet[] = [];
  const seen = new Map<string, PytorchSnippet>();
  const visiting = new Set<string>();
  const visit = (s: PytorchSnippet, chain: string[]) => {
    const known = seen.get(s.name);
    if (known) {
      if (known !== s && known.source !== s.source) throw new PytorchExportError(`two different PyTorch prelude snippets are named ${JSON.stringify(s.name)}`);
      return;
    }
    if (visiting.has(s.name)) throw new PytorchExportError(`PyTorch prelude snippets require each other in a cycle: ${[...chain, s.name].join(' → ')}`);
    visiting.add(s.name);
    for (const r of s.requires ?? []) visit(r, [...chain, s.name]);
    visiting.delete(s.name);
    seen.set(s.name, s);
    out.push(s);
  };
  for (const s of snippets) visit(s, []);
  return out;
}

/** The whole prelude for a model whose blocks bring these snippets. */
export function assemblePrelude(snippets: Iterable<PytorchSnippet>): string {
  const parts = orderSnippets(snippets).map((s) => s.source.trim() + '\n\n\n');
  return BASE_PRELUDE + '\n\n' + parts.join('') + WEIGHTS_PRELUDE;
}
