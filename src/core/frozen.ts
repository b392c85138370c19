// Frozen blocks (`"trainable": false` on a node): which compiled blocks training must leave alone.
import type { GraphDoc } from './graph';
import { expandMacros, hasMacros } from './macro';

/**
 * The ids of the frozen blocks as the compiler names them (the flattened graph's ids): a frozen
 * Macro node freezes every block inside it ("instance/inner"), and a block frozen inside a macro
 * body is frozen in every instance.
 */
export function frozenNodeIds(doc: GraphDoc): Set<string> {
  const out = new Set<string>();
  const top = new Set(doc.nodes.filter((n) => n.trainable === false).map((n) => n.id));
  if (!hasMacros(doc)) return top;
  const ex = expandMacros(doc);
  for (const n of ex.flat.nodes) if (n.trainable === false || top.has(ex.origin.get(n.id) ?? n.id)) out.add(n.id);
  for (const id of top) out.add(id);
  return out;
}

/** The document with node `id` frozen (trainable false) or not; unfrozen nodes carry no field (the default). */
export function setTrainable(doc: GraphDoc, id: string, trainable: boolean): GraphDoc {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      if (n.id !== id) return n;
      const next = { ...n };
      if (trainable) delete next.trainable;
      else next.trainable = false;
      return next;
    }),
  };
}
