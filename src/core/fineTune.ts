// Fine-tuning a graph: which blocks are its head, freezing everything but the head in one step,
// replacing the head (a new number of classes), and which blocks a fine-tune must re-initialise
// because they differ from the graph the starting weights were trained for. Pure: no tfjs, no DOM.
import type { GraphDoc } from './graph';
import { analyze, type Analysis } from './infer';

export class FineTuneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FineTuneError';
  }
}

const hasTrainableParams = (a: Analysis, id: string) => (a.nodes.get(id)?.paramCount?.trainable ?? 0) > 0;

/**
 * The head: walking back from each output of the graph through blocks without trainable weights
 * (softmax, reshape, dropout…), the first block with trainable weights on every path — for a
 * classifier, the final Dense. In document order, each once.
 */
export function headBlocks(doc: GraphDoc, a: Analysis = analyze(doc)): string[] {
  const feeders = new Map<string, string[]>();
  for (const e of a.edges) if (e) feeders.set(e.target, [...(feeders.get(e.target) ?? []), e.source]);
  const head = new Set<string>();
  const seen = new Set<string>();
  const stack = [...new Set(a.outputs.map((o) => o.node))];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (hasTrainableParams(a, id)) head.add(id);
    else stack.push(...(feeders.get(id) ?? []));
  }
  return doc.nodes.filter((n) => head.has(n.id)).map((n) => n.id);
}

/** The blocks with trainable weights that are not the head: what "Freeze all but head" freezes. */
export function bodyBlocks(doc: GraphDoc, a: Analysis = analyze(doc)): string[] {
  const head = new Set(headBlocks(doc, a));
  return doc.nodes.filter((n) => !head.has(n.id) && hasTrainableParams(a, n.id)).map((n) => n.id);
}

/**
 * Freezes every block with weights except the head, and unfreezes the head: one undoable edit.
 * Blocks without weights keep no flag (freezing them would change nothing).
 */
export function freezeAllButHead(doc: GraphDoc): GraphDoc {
  const a = analyze(doc);
  const head = headBlocks(doc, a);
  if (!head.length) throw new FineTuneError('the graph has no block with trainable weights before its output, so it has no head to fine-tune');
  const body = new Set(bodyBlocks(doc, a));
  const headSet = new Set(head);
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      if (headSet.has(n.id) && n.trainable === false) {
        const next = { ...n };
        delete next.trainable;
        return next;
      }
      return body.has(n.id) && n.trainable !== false ? { ...n, trainable: false } : n;
    }),
  };
}

/** The param that sets a head block's output width (a classifier's number of classes). */
export function widthParam(doc: GraphDoc, id: string, a: Analysis = analyze(doc)): 'units' | 'filters' | undefined {
  const schema = a.nodes.get(id)?.spec?.params as Record<string, unknown> | undefined;
  if (schema && 'units' in schema) return 'units';
  if (schema && 'filters' in schema) return 'filters';
  return undefined;
}

/**
 * Replaces the head block `id` with one of `width` outputs: the same block type and settings with
 * a new width. Its weights start afresh in the fine-tune (changedBlocks sees its params differ);
 * every other block keeps its weights.
 */
export function replaceHead(doc: GraphDoc, id: string, width: number): GraphDoc {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) throw new FineTuneError(`no block "${id}" in the graph`);
  if (!Number.isInteger(width) || width < 1 || width > 1_000_000) throw new FineTuneError(`the new head's width must be a whole number from 1 to 1,000,000 (got ${JSON.stringify(width)})`);
  const param = widthParam(doc, id);
  if (!param) throw new FineTuneError(`${node.type} "${id}" has no units or filters to change; replace the head by hand`);
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      if (n.id !== id) return n;
      // the new head trains: a frozen flag it had goes
      const next = { ...n, params: { ...n.params, [param]: width } };
      delete next.trainable;
      return next;
    }),
  };
}

const stable = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1))) : x));

/**
 * The blocks of `doc` whose weights cannot come from weights trained for `source`: blocks new in
 * `doc`, blocks whose type or params changed (a replaced head), and blocks fed a differently
 * shaped input (the block after a widened layer). Frozen flags, labels and positions do not
 * count, nor do blocks without weights. A macro's blocks count as changed when the macro's definition did.
 */
export function changedBlocks(source: GraphDoc, doc: GraphDoc): string[] {
  const before = new Map(source.nodes.map((n) => [n.id, n]));
  const [sa, da] = [analyze(source), analyze(doc)];
  const macroChanged = (name: unknown) => typeof name === 'string' && stable(source.macros?.[name]) !== stable(doc.macros?.[name]);
  const weighted = (id: string) => (da.nodes.get(id)?.paramCount?.trainable ?? 0) + (da.nodes.get(id)?.paramCount?.nonTrainable ?? 0) > 0;
  return doc.nodes
    .filter((n) => {
      if (!weighted(n.id)) return false; // nothing to start afresh
      const b = before.get(n.id);
      if (!b || b.type !== n.type || stable(b.params ?? {}) !== stable(n.params ?? {})) return true;
      if (stable(sa.nodes.get(n.id)?.inputShapes) !== stable(da.nodes.get(n.id)?.inputShapes)) return true;
      return n.type === 'Macro' && macroChanged(n.params?.name);
    })
    .map((n) => n.id);
}
