// Auto-layout with elkjs' layered algorithm: one direction (left to right, the side the ports are
// on), every edge running forwards, ports in their drawn order so edges into Add in0/in1 do not
// cross, and long chains kept on one straight row (network-simplex placement) rather than wrapped
// into rows with edges running back. The model order is respected, so the same graph always gets
// the same layout and a small edit does not reshuffle it.
import type { GraphDoc } from '../core/graph';

// elkjs (~1.5 MB) loads on the first layout, not with the canvas.
type Elk = InstanceType<typeof import('elkjs/lib/elk.bundled.js').default>;
let elkP: Promise<Elk> | undefined;
const loadElk = () => (elkP ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default()));

export interface LayoutSize {
  width: number;
  height: number;
  /** Port name → y offset of its handle from the block's top (as drawn), when known. */
  inputs?: Map<string, number>;
  outputs?: Map<string, number>;
}

/** Room between layers: an edge label ("56×56×256") sits in this gap without touching a block. */
export const LAYER_GAP = 110;
const DEFAULT: LayoutSize = { width: 200, height: 110 };

/** The block's ports in drawn order: those known from the drawing, then any the edges name. */
function portsOf(known: Map<string, number> | undefined, fromEdges: string[], height: number): [string, number][] {
  const out = new Map<string, number>(known ?? []);
  const extra = fromEdges.filter((p) => !out.has(p));
  extra.forEach((p, k) => out.set(p, ((k + 1) / (extra.length + 1)) * height));
  return [...out.entries()].sort((a, b) => a[1] - b[1]);
}

export async function elkLayout(doc: GraphDoc, sizes: Map<string, LayoutSize>): Promise<Map<string, { x: number; y: number }>> {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const edges = doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target);
  const ins = new Map<string, string[]>();
  const outs = new Map<string, string[]>();
  for (const e of edges) {
    const th = e.targetHandle ?? 'in';
    const sh = e.sourceHandle ?? 'out';
    if (!ins.get(e.target)?.includes(th)) ins.set(e.target, [...(ins.get(e.target) ?? []), th]);
    if (!outs.get(e.source)?.includes(sh)) outs.set(e.source, [...(outs.get(e.source) ?? []), sh]);
  }
  const children = doc.nodes.map((n) => {
    const s = sizes.get(n.id) ?? DEFAULT;
    const ports = [
      ...portsOf(s.inputs, ins.get(n.id) ?? [], s.height).map(([p, y]) => ({ id: `${n.id}\u0000in\u0000${p}`, x: 0, y, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'WEST' } })),
      ...portsOf(s.outputs, outs.get(n.id) ?? [], s.height).map(([p, y]) => ({ id: `${n.id}\u0000out\u0000${p}`, x: s.width - 1, y, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'EAST' } })),
    ];
    return { id: n.id, width: s.width, height: s.height, ports, layoutOptions: { 'elk.portConstraints': 'FIXED_POS' } };
  });
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYER_GAP),
      'elk.spacing.nodeNode': '40',
      // Straight chains: network simplex minimises total edge length, so a chain shares one row.
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
      'elk.separateConnectedComponents': 'true',
      'elk.randomSeed': '1',
    },
    children,
    edges: edges.map((e, i) => ({
      id: e.id ?? `e${i}`,
      sources: [`${e.source}\u0000out\u0000${e.sourceHandle ?? 'out'}`],
      targets: [`${e.target}\u0000in\u0000${e.targetHandle ?? 'in'}`],
    })),
  };
  const res = await (await loadElk()).layout(graph);
  const out = new Map<string, { x: number; y: number }>();
  for (const c of res.children ?? []) out.set(c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) });
  return out;
}
