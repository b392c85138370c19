// The Train panel's Fine-tune section: start from a trained model's weights (this graph's kept
// weights — the last run's or an imported model's — or a run picked in the Runs view), freeze all
// but the head, replace the head, and train: unchanged blocks carry their weights over, frozen
// ones keep them bit-identical, the replaced head starts afresh. What happens lives in fineTuneState.ts.
import { useEffect, useRef, useState } from 'react';
import { useStore } from '../store';
import { widthParam } from '../../core/fineTune';
import type { TrainingConfig } from '../../train/config';
import type { FitIssue } from '../../train/loop';
import { epochsText, markNodes, useTrain } from './trainState';
import { freezeBody, fromKeptWeights, newHead, plan, setFineTune, startFineTune, useFineTune } from './fineTuneState';
import { pct } from './format';
import './insight.css';

const ids = (xs: string[]) => (xs.length ? xs.join(', ') : 'none');

export function FineTuneSection({ config, fit }: { config: TrainingConfig; fit: FitIssue[] | null }) {
  const open = useFineTune((s) => s.open);
  const source = useFineTune((s) => s.source);
  const running = useFineTune((s) => s.running);
  const result = useFineTune((s) => s.result);
  const weights = useTrain((s) => s.weights);
  const weightsNote = useTrain((s) => s.weightsNote);
  const run = useTrain((s) => s.run);
  const data = useTrain((s) => s.source);
  const doc = useStore((s) => s.doc);
  const analysis = useStore((s) => s.analysis);
  const ref = useRef<HTMLElement>(null);
  const replaced = useFineTune((s) => s.replaced);
  // Worked out only while open (changedBlocks analyses the starting graph).
  const { head, fresh, frozen } = open ? plan(doc, source, replaced, analysis) : { head: [], fresh: [], frozen: [] };
  const headNode = head.length === 1 ? doc.nodes.find((n) => n.id === head[0]) : undefined;
  const param = headNode ? widthParam(doc, headNode.id, analysis) : undefined;
  const width = headNode && param ? Number(analysis.nodes.get(headNode.id)?.params[param]) : undefined;
  const [next, setNext] = useState('');
  useEffect(() => setNext(width !== undefined ? String(width) : ''), [width]);
  // Opened from the Runs view further down: bring the section into view.
  useEffect(() => {
    if (open && source) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [open, source]);
  const carried = doc.nodes.filter((n) => (analysis.nodes.get(n.id)?.paramCount?.trainable ?? 0) + (analysis.nodes.get(n.id)?.paramCount?.nonTrainable ?? 0) > 0 && !fresh.includes(n.id)).map((n) => n.id);
  const canStart = !!source && run === 'idle' && !!data && analysis.ok && !!fit && fit.length === 0;
  const nextWidth = Number(next);
  return (
    <section className="nbt-section" data-testid="finetune" ref={ref}>
      <div className="nbt-row">
        <h4>Fine-tune</h4>
        <button className="nb-btn" style={{ marginLeft: 'auto' }} onClick={() => setFineTune({ open: !open })} data-testid="finetune-toggle">
          {open ? 'Hide' : 'Fine-tune…'}
        </button>
      </div>
      {open && !source && (
        <div className="nbft-start">
          <div className="nbt-sub">Start from trained weights:</div>
          <button className="nb-btn" disabled={!weights} onClick={fromKeptWeights} data-testid="finetune-from-kept">
            This graph’s weights{weights ? ` — ${weightsNote ?? 'kept'}` : ''}
          </button>
          <div className="nbt-note">
            {weights ? 'Or ' : 'No weights kept with this graph yet: train it, import an ONNX model (its weights come with it), or '}pick a run in the Runs view below (⤷ tune; the latest runs keep their weights).
          </div>
        </div>
      )}
      {open && source && (
        <ol className="nbft-steps">
          <li>
            <span className="nb-muted">Starting weights:</span> <span data-testid="finetune-source">{source.label}</span>{' '}
            <button className="nb-btn small" onClick={() => setFineTune({ source: undefined, replaced: [], result: undefined })} data-testid="finetune-change">
              change
            </button>
          </li>
          <li>
            <div>
              <span className="nb-muted">Head</span> (the last block{head.length > 1 ? 's' : ''} with weights before the output):{' '}
              <button className="nbft-link mono" onClick={() => markNodes(head)} title="Select on the canvas" data-testid="finetune-head">
                {head.length ? head.map((id) => `${id}${headNode ? ` · ${headNode.type}${width !== undefined ? ` · ${width} ${param}` : ''}` : ''}`).join(', ') : 'none'}
              </button>
            </div>
            <button className="nb-btn" disabled={!head.length || run !== 'idle'} onClick={freezeBody} data-testid="finetune-freeze" title={`Freezes every block with weights except the head (${head.join(', ') || 'none'}), which stays trainable; undo undoes it`}>
              Freeze all but head
            </button>
          </li>
          {headNode && param && (
            <li>
              <span className="nb-muted">Replace head:</span> {param}{' '}
              <input className="nbt-input narrow" value={next} onChange={(e) => setNext(e.target.value)} data-testid="finetune-width" aria-label={`the new head's ${param}`} />{' '}
              <button className="nb-btn" disabled={run !== 'idle' || !Number.isInteger(nextWidth) || nextWidth < 1} onClick={() => newHead(headNode.id, nextWidth)} data-testid="finetune-replace" title={`A new ${headNode.type} with fresh weights; every other block keeps its weights`}>
                Replace head
              </button>
            </li>
          )}
          <li>
            <div className="nbft-plan" data-testid="finetune-plan">
              <div>
                <span className="nb-muted">Carried over:</span> <span className="mono" data-testid="finetune-carried">{carried.map((id) => (frozen.includes(id) ? `${id} (frozen)` : id)).join(', ') || 'none'}</span>
              </div>
              <div>
                <span className="nb-muted">Starts afresh:</span> <span className="mono" data-testid="finetune-fresh">{ids(fresh)}</span>
              </div>
            </div>
            <button className="nb-btn primary" disabled={!canStart} onClick={() => startFineTune(config, fit, data!)} data-testid="finetune-start" title="Train the graph as it is now from the starting weights (the Data section's data, the config below)">
              ▶ Fine-tune {epochsText(config.epochs)}
            </button>
            {!data && <span className="nbt-note"> pick the data above first</span>}
          </li>
        </ol>
      )}
      {open && running && <div className="nbt-note">Fine-tuning… (curves above)</div>}
      {open && result && (
        <div className="nbt-note good" data-testid="finetune-result">
          Fine-tuned {epochsText(result.epochs)} with {result.frozen.length ? `${ids(result.frozen)} frozen` : 'nothing frozen'}: test accuracy <b>{pct(result.accuracy)}</b>, loss {result.loss.toFixed(4)}.
        </div>
      )}
    </section>
  );
}
