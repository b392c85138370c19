// The per-node shape golden of a template: one line per node, `id Type [null, …]` (several
// outputs: `out=[…] h=[…]`), `?` where inference stopped. For a graph with macro blocks, the
// top-level nodes come first, then one section per macro with its inner nodes' shapes as in its
// first instance. Small and readable on review; a change to a template or to a block's
// inferShape shows up as a diff of these lines.
import { analyze, type NodeInfo } from '../../src/core/infer';
import { fmtShape } from '../../src/core/shapes';
import type { GraphDoc } from '../../src/core/graph';

function line(id: string, type: string, info: NodeInfo | undefined): string {
  const shapes = info?.outputShapes;
  if (!shapes) return `${id} ${type} ?`;
  const ports = Object.keys(shapes);
  const s = ports.length === 1 && ports[0] === 'out' ? fmtShape(shapes.out) : ports.map((p) => `${p}=${fmtShape(shapes[p])}`).join(' ');
  return `${id} ${type} ${s}`;
}

export function shapeLines(doc: GraphDoc): string {
  const a = analyze(doc);
  const lines = doc.nodes.map((n) => (n.type === 'Macro' ? `${line(n.id, n.type, a.nodes.get(n.id))} (${String(n.params?.name)})` : line(n.id, n.type, a.nodes.get(n.id))));
  for (const [name, def] of Object.entries(doc.macros ?? {})) {
    const first = doc.nodes.find((n) => n.type === 'Macro' && n.params?.name === name);
    if (!first) continue;
    lines.push('', `# macro ${name}, as in "${first.id}"`);
    for (const n of def.nodes) lines.push(line(n.id, n.type, a.flat.nodes.get(`${first.id}/${n.id}`)));
  }
  return lines.join('\n') + '\n';
}
