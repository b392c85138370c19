// A Neural Blocks VAE's Sampling block in a file read op by op. ONNX has no op for it, so our
// exporter writes its inference value, an Identity of the mean, and leaves the log-variance
// branch in the file with nothing reading it; the Identity's doc_string names that branch's
// tensor and the KL weight (blocks/sampling.ts). Before the patterns and the walk (convert.ts),
// each such Identity whose claim holds up in the file becomes one node reading both the mean and
// the log-variance, so the branch is live again and imports as its blocks; ops/sampling.ts maps
// that node to the Sampling block once both inputs are converted (their sizes come from the
// converted weights, never from the doc string). A claim that does not hold leaves the Identity
// as it is, with a note saying why; a file without such doc strings is not changed at all.
import { parseSamplingDocString } from '../../../../blocks/sampling';
import type { PGraph, PNode } from '../proto';

export const SAMPLING_OP = 'nb.Sampling';

/**
 * The KL weight of each node made here, kept as the doc string wrote it (a float attribute would
 * round it to 32 bits); a file's own node of that op type has none and is not taken for one.
 */
const KL_WEIGHT = new WeakMap<PNode, number>();

/** The KL weight of a Sampling node recognised here, or undefined for any other node. */
export function samplingKlWeight(n: PNode): number | undefined {
  return KL_WEIGHT.get(n);
}

/** A node's name as the import report and the blocks' ids use it. */
export const nodeName = (n: PNode): string => n.name || `${n.op_type}_${n.output?.[0] ?? ''}`;

export interface SamplingPass {
  /** The graph with each recognised Identity replaced (the same object when none is). */
  graph: PGraph;
  /** The Sampling nodes made. */
  found: PNode[];
  /** Why an Identity that says it is a Sampling block stays an Identity. */
  notes: string[];
}

/** The sentence of a note on an Identity that claims to be a Sampling block but stays one. */
export function refusedSampling(name: string, why: string): string {
  return `node "${name}" says in its doc_string that it is a Neural Blocks Sampling block, but ${why}; it is imported as what it computes, its mean`;
}

/** Replaces every Identity whose doc_string describes a Sampling block that the file bears out. */
export function recogniseSampling(g: PGraph): SamplingPass {
  const nodes = g.node ?? [];
  // Where each computed value is made (node index), and the graph inputs that are not weights.
  const madeAt = new Map<string, number>();
  nodes.forEach((n, k) => {
    if (n.op_type !== 'Constant') for (const o of n.output ?? []) if (o) madeAt.set(o, k);
  });
  const weights = new Set((g.initializer ?? []).map((t) => t.name));
  const inputs = new Set((g.input ?? []).map((v) => v.name).filter((v) => !weights.has(v)));
  const found: PNode[] = [];
  const notes: string[] = [];
  const out = nodes.map((n, k) => {
    if (n.op_type !== 'Identity' || (n.domain && n.domain !== 'ai.onnx')) return n;
    const claim = parseSamplingDocString(n.doc_string);
    if (!claim) return n;
    const mean = n.input?.[0];
    let why: string | undefined;
    if ('error' in claim) why = claim.error;
    else if (n.input?.length !== 1 || !mean || n.output?.length !== 1 || !n.output[0]) why = `it has ${n.input?.length ?? 0} input(s) and ${n.output?.length ?? 0} output(s), not one of each`;
    else if (!madeAt.has(claim.logVar) && !inputs.has(claim.logVar)) why = `its log-variance tensor ${JSON.stringify(claim.logVar)} is not computed in the file`;
    // Made after the Identity, it could depend on the Identity's output (a cycle once read).
    else if ((madeAt.get(claim.logVar) ?? -1) > k) why = `its log-variance tensor ${JSON.stringify(claim.logVar)} is computed after it in the file`;
    if (why) {
      notes.push(refusedSampling(nodeName(n), why));
      return n;
    }
    const { logVar, klWeight } = claim as { logVar: string; klWeight: number };
    // Named as the Identity is (blocks' ids and the report use the name, never the internal op).
    const synth: PNode = { name: nodeName(n), op_type: SAMPLING_OP, input: [mean!, logVar], output: [n.output![0]!] };
    KL_WEIGHT.set(synth, klWeight);
    found.push(synth);
    return synth;
  });
  return { graph: found.length ? { ...g, node: out } : g, found, notes };
}
