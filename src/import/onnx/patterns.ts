// Subgraphs an exporter writes for one function that has no ONNX op of its own (before opset 20):
// PyTorch's exact GELU, x · ½ · (1 + erf(x / √2)), is written as Div → Erf → Add → Mul → Mul.
// Before the walk (convert.ts) each such run of nodes is replaced by one ONNX `Gelu` node (the
// op opset 20 added), which ops/activations.ts maps to the gelu activation. A run is fused only
// when its constants are exactly √2, 1 and ½ and no other node reads its inner values, so the
// rewrite never changes what the graph computes.
import { Unsupported, tensorValues, type PAttr, type PModel, type PNode } from './proto';

/** The single number a Constant node or initializer holds, or undefined. */
function scalars(m: PModel): Map<string, number> {
  const out = new Map<string, number>();
  const put = (name: string | undefined, t: Parameters<typeof tensorValues>[0] | undefined) => {
    if (!name || !t) return;
    try {
      const v = tensorValues(t, name);
      if (v.data.length === 1 && typeof v.data[0] === 'number') out.set(name, v.data[0]);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
  };
  for (const t of m.graph?.initializer ?? []) put(t.name, t);
  for (const n of m.graph?.node ?? []) if (n.op_type === 'Constant' && !n.domain) put(n.output?.[0], n.attribute?.find((a) => a.name === 'value')?.t);
  return out;
}

const near = (x: number | undefined, want: number) => x !== undefined && Math.abs(x - want) <= 1e-6 * Math.max(1, Math.abs(want));

/**
 * The model's nodes with each exact-GELU run (Div by √2 → Erf → Add 1 → Mul by x → Mul by ½, the
 * operands of the Add and Muls in either order) replaced by one `Gelu` node named after the Div.
 */
export function fuseGelu(m: PModel): PNode[] {
  const nodes = m.graph?.node ?? [];
  if (!nodes.some((n) => n.op_type === 'Erf')) return nodes;
  const consts = scalars(m);
  const readers = new Map<string, PNode[]>();
  for (const n of nodes) for (const i of n.input ?? []) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
  const graphOut = new Set((m.graph?.output ?? []).map((o) => o.name));
  /** The one node reading `v` (an inner value of the run: no other reader, not a graph output). */
  const sole = (v: string | undefined, op: string): PNode | undefined => {
    const r = v ? readers.get(v) : undefined;
    return r?.length === 1 && r[0]!.op_type === op && !r[0]!.domain && !graphOut.has(v!) ? r[0] : undefined;
  };
  /** The operand of binary node `n` other than `v`. */
  const other = (n: PNode, v: string) => (n.input?.[0] === v ? n.input?.[1] : n.input?.[0]);
  const drop = new Set<PNode>();
  const replace = new Map<PNode, PNode>();
  for (const div of nodes) {
    if (div.op_type !== 'Div' || div.domain || !near(consts.get(div.input?.[1] ?? ''), Math.SQRT2)) continue;
    const x = div.input![0]!;
    const erf = sole(div.output?.[0], 'Erf');
    const add = sole(erf?.output?.[0], 'Add');
    if (!add || !near(consts.get(other(add, erf!.output![0]!) ?? ''), 1)) continue;
    const mul = sole(add.output?.[0], 'Mul');
    if (!mul || other(mul, add.output![0]!) !== x) continue;
    const half = sole(mul.output?.[0], 'Mul');
    if (!half || !near(consts.get(other(half, mul.output![0]!) ?? ''), 0.5)) continue;
    const attribute: PAttr[] = [];
    for (const n of [div, erf!, add, mul]) drop.add(n);
    replace.set(half, { name: div.name ? div.name.replace(/\/Div$/, '/Gelu') : undefined, op_type: 'Gelu', input: [x], output: [half.output![0]!], attribute });
  }
  if (!replace.size) return nodes;
  return nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n);
}
