// Learned constants applied to a tensor:
// - a positional table added to a sequence: torch's `x + self.pos` with a parameter [1, T, D]
//   (or [T, D]), and our exporter's PositionalEmbedding, x + Slice(table [L, D], 0, T) on axis 0
//   → the PositionalEmbedding block;
// - a per-channel scale: x · gamma with gamma [C] (the last axis) or [C, 1, 1] (an NCHW image's
//   channels: torchvision's ConvNeXt) → the LayerScale block.
import type { PNode } from '../proto';
import type { GraphIndex } from './graph';
import type { Fusion } from './types';

export const POSITIONAL_OP = 'nb.PositionalEmbedding';
export const LAYER_SCALE_OP = 'nb.LayerScale';

export function matchPositional(g: GraphIndex, add: PNode): Fusion | undefined {
  if (add.op_type !== 'Add') return undefined;
  const [a, b] = add.input ?? [];
  if (!a || !b) return undefined;
  for (const [x, t] of [[a, b], [b, a]] as const) {
    const c = g.constant(t);
    // More than one row: a [1, 1, D] or [1, D] constant is a bias broadcast over the steps.
    const rows = c?.dims.at(-2) ?? 0;
    if (c && !g.isConst(x) && rows > 1 && (c.dims.length === 3 ? c.dims[0] === 1 : c.dims.length === 2))
      return { nodes: new Set([add]), exit: add, synth: { name: add.name, op_type: POSITIONAL_OP, input: [x, t], output: add.output } };
    const slice = g.made(t, 'Slice');
    const [table, starts, , axes, steps] = slice?.input ?? [];
    const tab = g.constant(table);
    if (slice && tab?.dims.length === 2 && g.only(t) === add && !g.isConst(x) && g.scalar(starts) === 0 && g.scalar(axes) === 0 && (!steps || g.scalar(steps) === 1))
      return { nodes: new Set([add, slice]), exit: add, synth: { name: add.name, op_type: POSITIONAL_OP, input: [x, table!], output: add.output } };
  }
  return undefined;
}

export function matchLayerScale(g: GraphIndex, mul: PNode): Fusion | undefined {
  const c = mul.op_type === 'Mul' ? g.constOperand(mul) : undefined;
  const dims = c && g.constant(c[0])?.dims;
  if (!c || !dims || !((dims.length === 1 && dims[0]! > 1) || (dims.length === 3 && dims[0]! > 1 && dims[1] === 1 && dims[2] === 1))) return undefined;
  return { nodes: new Set([mul]), exit: mul, synth: { name: mul.name, op_type: LAYER_SCALE_OP, input: [c[1], c[0]], output: mul.output } };
}
