// Subgraphs an exporter writes for one function that has no ONNX op of its own. Before the walk
// (convert.ts) each is replaced by one node, only when its constants are exactly right and no
// other node reads its inner values, so the rewrite never changes what the graph computes:
// - PyTorch's exact GELU, x · ½ · (1 + erf(x / √2)), written as Div → Erf → Add → Mul → Mul,
//   becomes one ONNX `Gelu` node (the op opset 20 added; ops/activations.ts maps it).
// - A per-channel affine map of an image written channel by channel, x[:, c] · s_c + b_c
//   (Gather → Unsqueeze → Mul → Add per channel, then Concat: torchvision's Inception v3 and
//   GoogLeNet `transform_input`), becomes a `ChannelAffine` node (ops/affine.ts).
import { Unsupported, tensorValues, type PAttr, type PModel, type PNode } from '../proto';

/** The single number a Constant node or initializer holds, or undefined. */
function scalars(m: PModel): Map<string, number> {
  const out = new Map<string, number>();
  const put = (name: string | undefined, t: Parameters<typeof tensorValues>[0] | undefined) => {
    if (!name || !t) return;
    try {
      const v = tensorValues(t, name);
      if (v.data.length === 1 && typeof v.data[0] === 'number') out.set(name, Number(v.data[0]));
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
  };
  for (const t of m.graph?.initializer ?? []) put(t.name, t);
  for (const n of m.graph?.node ?? []) if (n.op_type === 'Constant' && !n.domain) put(n.output?.[0], n.attribute?.find((a) => a.name === 'value')?.t);
  return out;
}

const near = (x: number | undefined, want: number) => x !== undefined && Math.abs(x - want) <= 1e-6 * Math.max(1, Math.abs(want));

/** Nodes made here, so that a file's own node called ChannelAffine is never taken for one. */
export const SYNTHETIC = new WeakSet<PNode>();

/** `nodes` (the model's, after the layer patterns of index.ts) after every rewrite of this module. */
export function fuseFunctions(m: PModel, nodes: PNode[]): PNode[] {
  const consts = scalars(m);
  return fuseChannelAffine(m, fuseGelu(m, nodes, consts), consts);
}

function readersOf(nodes: readonly PNode[]): Map<string, PNode[]> {
  const readers = new Map<string, PNode[]>();
  for (const n of nodes) for (const i of n.input ?? []) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
  return readers;
}

/**
 * x[:, c] · s_c + b_c for every channel c, concatenated in channel order: one ChannelAffine node
 * (attributes: the scales and the offsets).
 */
function fuseChannelAffine(m: PModel, nodes: PNode[], consts: Map<string, number>): PNode[] {
  if (!nodes.some((n) => n.op_type === 'Gather')) return nodes;
  const readers = readersOf(nodes);
  const producer = new Map<string, PNode>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const graphOut = new Set((m.graph?.output ?? []).map((o) => o.name));
  const inner = (v: string) => (readers.get(v) ?? []).length === 1 && !graphOut.has(v);
  const made = (v: string | undefined, op: string) => {
    const p = v ? producer.get(v) : undefined;
    return p && p.op_type === op && !p.domain && inner(v!) ? p : undefined;
  };
  const intAttr = (n: PNode, name: string) => {
    const at = n.attribute?.find((a) => a.name === name);
    return at?.i !== undefined ? Number(at.i) : at?.ints?.length === 1 ? Number(at.ints[0]) : undefined;
  };
  const drop = new Set<PNode>();
  const replace = new Map<PNode, PNode>();
  for (const cat of nodes) {
    if (cat.op_type !== 'Concat' || cat.domain || intAttr(cat, 'axis') !== 1 || (cat.input ?? []).length < 2) continue;
    let x: string | undefined;
    const scale: number[] = [];
    const offset: number[] = [];
    const chain: PNode[] = [];
    const ok = (cat.input ?? []).every((v, c) => {
      const add = made(v, 'Add');
      const mulOut = add?.input?.find((i) => producer.get(i)?.op_type === 'Mul');
      const mul = made(mulOut, 'Mul');
      const unsqOut = mul?.input?.find((i) => producer.get(i)?.op_type === 'Unsqueeze');
      const unsq = made(unsqOut, 'Unsqueeze');
      const gather = made(unsq?.input?.[0], 'Gather');
      if (!add || !mul || !unsq || !gather) return false;
      const b = consts.get(add.input!.find((i) => i !== mulOut) ?? '');
      const s = consts.get(mul.input!.find((i) => i !== unsqOut) ?? '');
      const axes = unsq.input?.[1] !== undefined ? consts.get(unsq.input[1]) : intAttr(unsq, 'axes');
      const idx = consts.get(gather.input?.[1] ?? '');
      if (b === undefined || s === undefined || axes !== 1 || idx !== c || (intAttr(gather, 'axis') ?? 0) !== 1) return false;
      if (x !== undefined && gather.input![0] !== x) return false;
      x = gather.input![0];
      scale.push(s);
      offset.push(b);
      chain.push(gather, unsq, mul, add);
      return true;
    });
    if (!ok || x === undefined) continue;
    for (const n of chain) drop.add(n);
    const node: PNode = {
      name: cat.name ? `${cat.name}_channel_affine` : undefined,
      op_type: 'ChannelAffine',
      input: [x],
      output: [cat.output![0]!],
      attribute: [
        { name: 'scale', floats: scale },
        { name: 'offset', floats: offset },
      ],
    };
    SYNTHETIC.add(node);
    replace.set(cat, node);
  }
  if (!replace.size) return nodes;
  return nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n);
}

/**
 * The model's nodes with each exact-GELU run (Div by √2 → Erf → Add 1 → Mul by x → Mul by ½, the
 * operands of the Add and Muls in either order) replaced by one `Gelu` node named after the Div.
 */
function fuseGelu(m: PModel, nodes: PNode[], consts: Map<string, number>): PNode[] {
  if (!nodes.some((n) => n.op_type === 'Erf')) return nodes;
  const readers = readersOf(nodes);
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
