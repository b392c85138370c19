// Dead branches: nodes of the file that no graph output depends on are not imported (they would
// become extra outputs), and the weights only they read go with them. The import report says so
// by name, so nothing is dropped silently — e.g. a VAE exported for inference whose Sampling is
// a plain Identity of its mean (a file from before Sampling nodes carried their doc_string, or
// one whose doc_string does not hold up: patterns/sampling.ts), where the log-variance Dense
// computes nothing the output reads.
import type { PGraph, PModel } from '../proto';
import { liveNodes } from './graph';

const SHOWN = 6;

/**
 * The report's note on the dead nodes of `g` (the file's graph as converted: with its Sampling
 * nodes recognised, their log-variance branches are live) and the weights only they read.
 */
export function deadBranchNote(m: PModel, g: PGraph | undefined = m.graph): string | undefined {
  if (!g) return undefined;
  const live = new Set(liveNodes(g));
  const dead = (g.node ?? []).filter((n) => !live.has(n) && n.op_type !== 'Constant');
  if (!dead.length) return undefined;
  const read = new Set([...live].flatMap((n) => n.input ?? []));
  const deadReads = new Set(dead.flatMap((n) => n.input ?? []));
  const weights = (g.initializer ?? []).filter((t) => deadReads.has(t.name!) && !read.has(t.name!));
  const names = dead.map((n) => `${n.name || n.output?.[0] || '?'} (${n.op_type})`);
  const more = names.length > SHOWN ? ` and ${names.length - SHOWN} more` : '';
  let text = `not recovered: ${dead.length} node(s) that no graph output depends on, ${names.slice(0, SHOWN).join(', ')}${more}`;
  if (weights.length) {
    let values = 0;
    const shown = weights.map((t) => {
      const dims = (t.dims ?? []).map(Number);
      values += dims.reduce((a, b) => a * b, 1);
      return `${t.name} [${dims.join(', ')}]`;
    });
    text += `, and the weights only they read, ${shown.slice(0, SHOWN).join(', ')}${shown.length > SHOWN ? ` and ${shown.length - SHOWN} more` : ''} (${values.toLocaleString('en-US')} values)`;
  }
  text += '; the imported graph computes the same outputs without them';
  // Our own exporter leaves one such branch when a Sampling node is not recognised.
  const ours =
    m.producer_name === 'neural-blocks'
      ? ". Neural Blocks exports a VAE's Sampling as its mean (its inference value) and names the log-variance branch in that node's doc_string; without a doc_string that holds up (an older export, an edited file) the log-variance Dense and the Sampling block come back this way: add them again to train it as a VAE"
      : '';
  return `${text}${ours}.`;
}
