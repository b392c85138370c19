// Auto-layout with elkjs' layered algorithm (left to right, ports in order), using the sizes
// React Flow measured for each node.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphDoc } from '../core/graph';

const elk = new ELK();

export async function elkLayout(doc: GraphDoc, sizes: Map<string, { width: number; height: number }>): Promise<Map<string, { x: number; y: number }>> {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '36',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      // Long chains (ResNets, VGGs) wrap into rows instead of one endless line; cuts are made
      // only where a single edge crosses, so branches stay together.
      'elk.layered.wrapping.strategy': 'SINGLE_EDGE',
      'elk.aspectRatio': '1.6',
      'elk.layered.wrapping.additionalEdgeSpacing': '30',
    },
    children: doc.nodes.map((n) => ({ id: n.id, width: sizes.get(n.id)?.width ?? 200, height: sizes.get(n.id)?.height ?? 110 })),
    edges: doc.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target)
      .map((e, i) => ({ id: e.id ?? `e${i}`, sources: [e.source], targets: [e.target] })),
  };
  const res = await elk.layout(graph);
  const out = new Map<string, { x: number; y: number }>();
  for (const c of res.children ?? []) out.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return out;
}
