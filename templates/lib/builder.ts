// A small builder for template graphs. Templates are written as code (loops over stages, one
// function per residual unit) and serialised to the public graph format, so a 500-node ResNet-152
// is ten lines here and its JSON is reproducible byte for byte (templates.test.ts checks that).
import type { GraphDoc, GraphEdge, GraphNode } from '../../src/core/graph';

/** A tensor in the graph: an output port of a node (port omitted = the node's only output "out"). */
export interface Ref {
  node: string;
  port?: string;
}

/** An input of a new node: a ref fed to the node's single input, or to a named port. */
export type Feed = Ref | [Ref, string];

/** Where nodes go: the top-level graph, or the body of a macro definition. */
export interface Scope {
  add(id: string, type: string, params: Record<string, unknown>, inputs: Feed[], label?: string): Ref;
}

export function port(node: string | Ref, p: string): Ref {
  return { node: typeof node === 'string' ? node : node.node, port: p };
}

/** Drops params left undefined, so optional settings do not clutter the JSON. */
function clean(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
}

export class GraphBuilder implements Scope {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  private readonly ids = new Set<string>();

  add(id: string, type: string, params: Record<string, unknown>, inputs: Feed[], label?: string): Ref {
    if (this.ids.has(id)) throw new Error(`template builder: duplicate node id "${id}"`);
    this.ids.add(id);
    const node: GraphNode = { id, type, params: clean(params) };
    if (label) node.label = label;
    this.nodes.push(node);
    for (const f of inputs) {
      const [ref, targetHandle] = Array.isArray(f) ? f : [f, undefined];
      if (!this.ids.has(ref.node) && !ref.node.startsWith('$')) throw new Error(`template builder: "${id}" is fed from unknown node "${ref.node}"`);
      const e: GraphEdge = { source: ref.node, target: id };
      if (ref.port !== undefined) e.sourceHandle = ref.port;
      if (targetHandle !== undefined) e.targetHandle = targetHandle;
      this.edges.push(e);
    }
    return { node: id };
  }

  /** Ids get a prefix: a flat expansion of a repeated unit (layer1.0.conv1, …). */
  prefixed(prefix: string): Scope {
    return { add: (id, type, params, inputs, label) => this.add(`${prefix}${id}`, type, params, inputs, label) };
  }
}

/**
 * Positions for the canvas: layered by longest path from the inputs (one column per layer, left
 * to right, as the blocks' ports are on their left and right sides), branches stacked. The canvas can re-layout with elkjs; this just makes a freshly
 * opened template readable without it.
 */
export function layout(nodes: GraphNode[], edges: GraphEdge[], dx = 270, dy = 130): void {
  const depth = new Map<string, number>();
  const preds = new Map<string, string[]>();
  for (const e of edges) {
    const list = preds.get(e.target) ?? [];
    list.push(e.source);
    preds.set(e.target, list);
  }
  // Nodes are added in topological order by construction, so one pass suffices.
  for (const n of nodes) {
    const ps = (preds.get(n.id) ?? []).filter((p) => depth.has(p));
    depth.set(n.id, ps.length ? Math.max(...ps.map((p) => depth.get(p)!)) + 1 : 0);
  }
  const perRow = new Map<number, number>();
  for (const n of nodes) {
    const d = depth.get(n.id)!;
    const k = perRow.get(d) ?? 0;
    perRow.set(d, k + 1);
    n.position = { x: d * dx, y: k * dy };
  }
}

// Type aliases (not interfaces) so they fit GraphDoc's Record<string, unknown> fields.
export type TemplateMeta = {
  title: string;
  description: string;
  paper: string;
  dataset: string;
  result: null | { metric: string; value: number; dataset: string; epochs: number; command: string; measured: string };
  resultNote: string;
  family: string;
};

export type TrainingConfig = {
  loss: string;
  optimizer: string;
  learningRate: number;
  batchSize: number;
  epochs: number;
  dataset: string;
  [extra: string]: unknown;
};

export type TemplateDoc = GraphDoc & { meta: TemplateMeta; training: TrainingConfig };

export const NOT_MEASURED = 'not yet measured';
/** For templates whose recommended data does not ship with the app (ImageNet). */
export const NOT_BUNDLED = (dataset: string) => `not measured here: its training data (${dataset}) is not bundled with the app; the small variant of its family is measured on Fashion-MNIST`;
