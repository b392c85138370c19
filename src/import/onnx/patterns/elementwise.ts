// Small patterns of element-wise ops that are one block:
// - GELU written with Erf (torch below opset 20, our exporter): x · 0.5 · (1 + erf(x / √2)), the
//   products in any order → a "gelu" activation (exact erf form, as tfjs').
// - A learned class token expanded over the batch and put before a sequence (torch's ViT
//   `class_token.expand(n, -1, -1)` + cat, our ClassToken block) → the ClassToken block.
import { attrInt, attrs, type PNode } from '../proto';
import type { GraphIndex } from './graph';
import type { Fusion } from './types';

export const GELU_OP = 'nb.Gelu';
export const CLASS_TOKEN_OP = 'nb.ClassToken';

const near = (v: number | undefined, want: number) => v !== undefined && Math.abs(v - want) <= 1e-6 * Math.abs(want);

/** The constant scalar factor of a Mul (or Div, as its reciprocal) and its other operand. */
function factor(g: GraphIndex, n: PNode | undefined): [number, string] | undefined {
  if (n?.op_type !== 'Mul' && n?.op_type !== 'Div') return undefined;
  const c = g.constOperand(n);
  const v = c && g.scalar(c[0]);
  if (!c || v === undefined || (n.op_type === 'Div' && c[1] !== n.input![0])) return undefined;
  return [n.op_type === 'Div' ? 1 / v : v, c[1]];
}

export function matchGelu(g: GraphIndex, erf: PNode): Fusion | undefined {
  if (erf.op_type !== 'Erf') return undefined;
  const scaled = g.producer.get(erf.input?.[0] ?? '');
  const f = factor(g, scaled);
  if (!f || !near(f[0], Math.SQRT1_2) || !g.only(erf.input![0])) return undefined;
  const x = f[1];
  const plus = g.only(erf.output?.[0]);
  const one = plus?.op_type === 'Add' ? g.constOperand(plus) : undefined;
  if (!plus || !one || g.scalar(one[0]) !== 1) return undefined;
  const nodes = new Set([scaled!, erf, plus]);
  // 0.5 · (1 + erf) · x, (1 + erf) · x · 0.5, or (0.5 · x) · (1 + erf).
  let exit: PNode | undefined;
  const next = g.only(plus.output?.[0]);
  const half = factor(g, next);
  if (half && near(half[0], 0.5)) {
    const prod = g.only(next!.output?.[0]);
    if (prod?.op_type === 'Mul' && prod.input?.includes(x) && prod.input.includes(next!.output![0]!)) exit = prod;
  } else if (next?.op_type === 'Mul') {
    const other = next.input?.find((i) => i !== plus.output![0]);
    const maker = g.producer.get(other ?? '');
    const xHalf = factor(g, maker);
    const last = g.only(next.output?.[0]);
    const h = factor(g, last);
    if (other === x && h && near(h[0], 0.5)) exit = last;
    else if (xHalf && near(xHalf[0], 0.5) && xHalf[1] === x && g.only(other)) {
      nodes.add(maker!);
      exit = next;
    }
  }
  if (exit && exit !== next && next) nodes.add(next);
  if (!exit) return undefined;
  nodes.add(exit);
  // x is read by this pattern only (twice) or by other ops too; either way it stays an input.
  return { nodes, exit, synth: { name: erf.name?.replace(/\/[^/]*$/, '') || 'gelu', op_type: GELU_OP, input: [x], output: [exit.output![0]!] } };
}

export function matchClassToken(g: GraphIndex, cat: PNode): Fusion | undefined {
  if (cat.op_type !== 'Concat' || cat.input?.length !== 2 || attrInt(attrs(cat), 'axis', 0) !== 1) return undefined;
  const [tokOut, x] = cat.input as [string, string];
  const expand = g.made(tokOut, 'Expand');
  const tok = g.constant(expand?.input?.[0]);
  if (!expand || !tok || tok.dims.join() !== `1,1,${tok.dims[2]}` || !g.only(tokOut) || g.isConst(x)) return undefined;
  return { nodes: new Set([expand, cat]), exit: cat, synth: { name: expand.name?.replace(/\/[^/]*$/, '') || 'class_token', op_type: CLASS_TOKEN_OP, input: [x, expand.input![0]!], output: cat.output } };
}
