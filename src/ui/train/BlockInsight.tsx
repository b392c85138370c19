// What a canvas block shows of training: a lock when it is frozen ("trainable": false), and a heat
// strip from the latest gradient-flow sample (red: the strongest gradients, blue: vanishing ones).
// One element BlockNode mounts; it reads its own stores so BlockNode's memo stays as it was.
import { frozenNodeIds, setTrainable } from '../../core/frozen';
import type { GraphDoc } from '../../core/graph';
import { commit, getState, useStore } from '../store';
import { heatOf, useGradFlow } from './gradFlowState';
import { powerOfTen } from '../../train/gradFlow';
import './insight.css';

const frozenCache = new WeakMap<GraphDoc, Set<string>>();
function frozenOf(doc: GraphDoc): Set<string> {
  let s = frozenCache.get(doc);
  if (!s) frozenCache.set(doc, (s = frozenNodeIds(doc)));
  return s;
}

/** Heat colour for log10(‖g‖ / strongest ‖g‖): 0 → red, −6 and below → blue. */
export function heatColor(rel: number): string {
  const t = Math.max(0, Math.min(1, 1 + rel / 6));
  return `hsl(${Math.round(220 - 220 * t)}, 85%, 55%)`;
}

/** A drawn padlock: the emoji is a blank box where no emoji font is installed (many Linux desktops, headless Chromium). */
export function Padlock() {
  return (
    <svg width="10" height="12" viewBox="0 0 10 12" aria-hidden="true">
      <path d="M2.5 5V3.5a2.5 2.5 0 0 1 5 0V5" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <rect x="1" y="5" width="8" height="6.5" rx="1.2" fill="currentColor" />
    </svg>
  );
}

export function BlockInsight({ id }: { id: string }) {
  const frozen = useStore((s) => frozenOf(s.doc).has(id));
  const docId = useStore((s) => s.docId);
  // Primitives only: a selector returning a fresh object would re-render forever.
  const rel = useGradFlow((s) => (s.docId === docId ? heatOf(s.samples[s.samples.length - 1], id)?.rel : undefined));
  const gradNorm = useGradFlow((s) => (s.docId === docId ? heatOf(s.samples[s.samples.length - 1], id)?.gradNorm : undefined));
  const heat = rel === undefined || gradNorm === undefined ? undefined : { rel, gradNorm };
  const flag = useGradFlow((s) => (s.docId === docId ? s.flags.find((f) => f.node === id)?.kind : undefined));
  return (
    <>
      {frozen && (
        <span className="nb-frozen-badge" data-testid="frozen-badge" title="Frozen: training leaves this block's weights as they are" aria-label="frozen">
          <Padlock />
        </span>
      )}
      {heat && (
        <div
          className={`nb-heat${flag ? ` ${flag}` : ''}`}
          data-testid={`heat-${id}`}
          data-rel={heat.rel.toFixed(2)}
          data-flag={flag ?? ''}
          style={{ background: heatColor(heat.rel) }}
          title={`gradient norm ${heat.gradNorm.toExponential(1)}${Number.isFinite(heat.rel) ? `, ${powerOfTen(10 ** heat.rel)} of the strongest block's` : ''}${flag ? ` — ${flag}` : ''}`}
        />
      )}
    </>
  );
}

/** The inspector's "trainable" checkbox (frozen blocks keep their weights through training). */
export function TrainableField({ nodeId, hasWeights }: { nodeId: string; hasWeights: boolean }) {
  const trainable = useStore((s) => s.doc.nodes.find((n) => n.id === nodeId)?.trainable !== false);
  if (!hasWeights && trainable) return null;
  return (
    <div className="nb-field">
      <label title="Untick to freeze the block: training leaves its weights as they are (fine-tuning: freeze all but the head)">
        <input type="checkbox" checked={trainable} data-testid="field-trainable" onChange={(e) => commit(setTrainable(getState().doc, nodeId, e.target.checked))} />{' '}
        <span className="nb-field-name">trainable</span>
        {!trainable && <span style={{ color: 'var(--muted)' }}> frozen: its weights stay as they are</span>}
      </label>
    </div>
  );
}
