// A learned positional table added to a sequence: torch's `x + self.pos` with a parameter
// [1, T, D] (or [T, D]), and our exporter's PositionalEmbedding, x + Slice(table [L, D], 0, T)
// on axis 0. Both become one node that ops/attention.ts maps to the PositionalEmbedding block.
import type { PNode } from '../proto';
import type { GraphIndex } from './graph';
import type { Fusion } from './types';

export const POSITIONAL_OP = 'nb.PositionalEmbedding';

export function matchPositional(g: GraphIndex, add: PNode): Fusion | undefined {
  if (add.op_type !== 'Add') return undefined;
  const [a, b] = add.input ?? [];
  if (!a || !b) return undefined;
  for (const [x, t] of [[a, b], [b, a]] as const) {
    const c = g.constant(t);
    if (c && !g.isConst(x) && (c.dims.length === 3 ? c.dims[0] === 1 : c.dims.length === 2))
      return { nodes: new Set([add]), exit: add, synth: { name: add.name, op_type: POSITIONAL_OP, input: [x, t], output: add.output } };
    const slice = g.made(t, 'Slice');
    const [table, starts, , axes, steps] = slice?.input ?? [];
    const tab = g.constant(table);
    if (slice && tab?.dims.length === 2 && g.only(t) === add && !g.isConst(x) && g.scalar(starts) === 0 && g.scalar(axes) === 0 && (!steps || g.scalar(steps) === 1))
      return { nodes: new Set([add, slice]), exit: add, synth: { name: add.name, op_type: POSITIONAL_OP, input: [x, table!], output: add.output } };
  }
  return undefined;
}
