// LayerNorm spelt out in primitive ops, as torch exports nn.LayerNorm below opset 17:
//   mean = ReduceMean(x, [a]); d = x − mean; var = ReduceMean(d², [a]);
//   y = d / Sqrt(var + ε) [· gamma] [+ beta]
// becomes one LayerNormalization node (axis a, epsilon ε, Scale gamma, B beta), which the
// normalization importer maps to the LayerNormalization block. d² may be Pow(d, 2) or d · d.
import type { PNode } from '../proto';
import { scopeOf, type GraphIndex } from './graph';
import type { Fusion } from './types';

export function matchLayerNorm(g: GraphIndex, mean: PNode): Fusion | undefined {
  if (mean.op_type !== 'ReduceMean') return undefined;
  const axes = g.reduceAxes(mean);
  const x = mean.input?.[0];
  if (!x || axes?.length !== 1) return undefined;
  const axis = axes[0]!;
  const sub = g.sole(mean.output?.[0]);
  if (sub?.op_type !== 'Sub' || sub.input?.[0] !== x || sub.input[1] !== mean.output![0]) return undefined;
  const d = sub.output![0]!;
  const readers = g.readers(d);
  if (readers.length !== 2 || g.graphOutputs.has(d)) return undefined;
  const sq = readers.find((r) => (r.op_type === 'Pow' && r.input?.[0] === d && g.scalar(r.input[1]) === 2) || (r.op_type === 'Mul' && r.input?.[0] === d && r.input[1] === d));
  const div = readers.find((r) => r.op_type === 'Div' && r.input?.[0] === d);
  if (!sq || !div) return undefined;
  const varMean = g.sole(sq.output?.[0]);
  if (varMean?.op_type !== 'ReduceMean' || g.reduceAxes(varMean)?.join() !== String(axis)) return undefined;
  const addEps = g.sole(varMean.output?.[0]);
  const eps = addEps?.op_type === 'Add' ? g.constOperand(addEps) : undefined;
  const epsilon = eps ? g.scalar(eps[0]) : undefined;
  if (!addEps || epsilon === undefined || !(epsilon > 0)) return undefined;
  const sqrt = g.sole(addEps.output?.[0]);
  if (sqrt?.op_type !== 'Sqrt' || g.sole(sqrt.output?.[0]) !== div || div.input?.[1] !== sqrt.output![0]) return undefined;
  const nodes = new Set([mean, sub, sq, varMean, addEps, sqrt, div]);
  let exit = div;
  // The affine part: · gamma then + beta, each a constant vector (either may be absent).
  let gamma = '';
  let beta = '';
  const next = (op: string) => {
    const n = g.sole(exit.output?.[0]);
    const c = n?.op_type === op ? g.constOperand(n) : undefined;
    if (!n || !c || c[1] !== exit.output![0] || g.constant(c[0])?.dims.length !== 1) return undefined;
    nodes.add(n);
    exit = n;
    return c[0];
  };
  gamma = next('Mul') ?? '';
  beta = next('Add') ?? '';
  const synth: PNode = {
    name: scopeOf(mean, 'layer_norm'),
    op_type: 'LayerNormalization',
    input: [x, gamma, beta],
    output: [exit.output![0]!],
    attribute: [
      { name: 'axis', type: 2, i: axis },
      { name: 'epsilon', type: 1, f: epsilon },
    ],
  };
  return { nodes, exit, synth };
}
