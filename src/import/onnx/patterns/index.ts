// Pattern fusions run before the op-by-op walk (convert.ts): subgraphs that exporters write for
// one layer — LayerNorm below opset 17, multi-head attention, GELU, a class token, a learned
// positional table or per-channel scale, Swin's window attention and patch merging — are replaced by one node each, which an op importer maps to one block. Only
// live nodes are matched; the nodes a fusion leaves unread (its size arithmetic) are dropped by
// the walk.
import type { PGraph, PNode } from '../proto';
import { matchAdditive } from './additive';
import { matchAttention } from './attention';
import { matchClassToken, matchGelu } from './elementwise';
import { GraphIndex, liveNodes } from './graph';
import { matchLayerNorm } from './layerNorm';
import { matchLayerScale, matchPositional } from './positional';
import { matchPatchMerging, matchSwinAttention } from './swin';
import type { Fusion } from './types';

export { DOT_OP, MHA_OP, attentionSpec, dotSpec } from './attention';
export { LAYER_SCALE_OP, POSITIONAL_OP } from './positional';
export { CLASS_TOKEN_OP, GELU_OP } from './elementwise';
export { SYNTHETIC, fuseFunctions } from './functions';
export { PAD_SHAPE_OP, PATCH_MERGING_OP, SWIN_ATTENTION_OP, SWIN_IN, swinSpec } from './swin';

const MATCHERS: ((g: GraphIndex, n: PNode) => Fusion | Fusion[] | undefined)[] = [matchSwinAttention, matchPatchMerging, matchAdditive, matchLayerNorm, matchAttention, matchGelu, matchClassToken, matchPositional, matchLayerScale];

/** The graph's nodes with every recognised pattern replaced by its fused node. */
export function fusePatterns(g: PGraph): PNode[] {
  const nodes = g.node ?? [];
  const index = new GraphIndex(g, liveNodes(g));
  const taken = new Map<PNode, Fusion>();
  for (const match of MATCHERS)
    for (const n of index.nodes) {
      if (taken.has(n)) continue;
      const found = match(index, n);
      const fs = !found ? [] : Array.isArray(found) ? found : [found];
      if (!fs.length || fs.some((f) => [...f.nodes].some((m) => taken.has(m)))) continue;
      for (const f of fs) for (const m of f.nodes) taken.set(m, f);
    }
  if (!taken.size) return nodes;
  const out: PNode[] = [];
  for (const n of nodes) {
    const f = taken.get(n);
    if (!f) out.push(n);
    else if (f.exit === n) out.push(f.synth);
  }
  return out;
}
