// Search-to-add: opened by double-clicking empty canvas or dropping a dragged connection on empty
// space. With a connection, it lists only the blocks whose shape inference accepts that tensor
// (each spec's inferShape is tried with default params), and picking one adds and connects it.
import { useEffect, useMemo, useRef, useState } from 'react';
import { BLOCKS } from '../../blocks/index';
import { isVariadic, type AnyBlockSpec, type Shape } from '../core/spec';
import { resolveParams } from '../core/params';
import { addNode, connect } from '../core/edit';
import { commit, getState, setState, useStore } from './store';
import { searchBlocks, CATEGORY_LABELS } from './Palette';
import { shortShape } from './format';
import { getFlow } from './flow';

/**
 * Whether a block with default params accepts a tensor of this shape (and dtype) on its first
 * input. Blocks made for int32 token ids (Embedding) are not offered for a float tensor: tfjs would
 * truncate the floats to ids, which is never what a float feature means.
 */
export function accepts(spec: AnyBlockSpec, shape: Shape, dtype = 'float32'): boolean {
  if (spec.acceptsInt && dtype !== 'int32') return false;
  if (!spec.acceptsInt && dtype === 'int32') return false;
  try {
    const { params } = resolveParams(spec, {});
    const ins = spec.inputs(params);
    const inputs: (Shape | undefined)[] = isVariadic(ins) ? Array.from({ length: Math.max(ins.min, 2) }, () => shape) : ins.map((p) => (p.optional ? undefined : shape));
    if (inputs.length === 0) return false;
    spec.inferShape(inputs, params);
    return true;
  } catch {
    return false;
  }
}

/** Scrolls the view (same zoom) to a block added off screen, as one added from the keyboard to the right of the last block often is. */
function revealAt(p: { x: number; y: number }): void {
  const flow = getFlow();
  const pane = document.querySelector('.nb-canvas .react-flow')?.getBoundingClientRect();
  if (!flow || !pane) return;
  const { x, y, zoom } = flow.getViewport();
  const l = p.x * zoom + x;
  const t = p.y * zoom + y;
  if (l >= 0 && t >= 0 && l + 200 * zoom <= pane.width && t + 80 * zoom <= pane.height) return;
  void flow.setCenter(p.x + 90, p.y + 30, { zoom, duration: 200 });
}

export function SearchAdd() {
  const pending = useStore((s) => s.pendingAdd);
  const analysis = useStore((s) => s.analysis);
  const [q, setQ] = useState('');
  const [idx, setIdx] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setQ('');
    setIdx(0);
    if (pending) setTimeout(() => inputRef.current?.focus(), 0);
  }, [pending]);
  const src = pending?.from?.kind === 'source' ? analysis.nodes.get(pending.from.node) : undefined;
  const shape = src?.outputShapes?.[pending!.from!.handle];
  const dtype = src?.outputDtypes?.[pending!.from!.handle];
  const pool = useMemo(() => {
    if (!pending?.from) return BLOCKS;
    if (pending.from.kind === 'target') return BLOCKS.filter((b) => b.outputs(resolveParams(b, {}).params).length > 0);
    return BLOCKS.filter((b) => b.type !== 'Input' && (!shape || accepts(b, shape, dtype)));
  }, [pending, shape, dtype]);
  const hits = useMemo(() => searchBlocks(q, pool).slice(0, 40), [q, pool]);
  if (!pending) return null;
  const close = () => setState({ pendingAdd: null });
  const pick = (b: AnyBlockSpec) => {
    const s = getState();
    const from = pending.from;
    const pos = from?.kind === 'target' ? { x: pending.flow.x - 220, y: pending.flow.y - 20 } : { x: pending.flow.x, y: pending.flow.y - 20 };
    const added = addNode(s.doc, b.type, pos);
    const id = added.id;
    let doc = added.doc;
    if (from?.kind === 'source') doc = connect(doc, { source: from.node, sourceHandle: from.handle, target: id }).doc;
    else if (from?.kind === 'target') doc = connect(doc, { source: id, target: from.node, targetHandle: from.handle }).doc;
    commit(doc, { select: [id] });
    setState({ pendingAdd: null });
    revealAt(pos);
  };
  const left = Math.min(pending.screen.x, window.innerWidth - 320);
  const top = Math.min(pending.screen.y, window.innerHeight - 380);
  return (
    <div className="nb-searchadd" style={{ left, top }} data-testid="search-add" onMouseDown={(e) => e.stopPropagation()}>
      <input
        ref={inputRef}
        value={q}
        placeholder={shape ? `Blocks that take ${shortShape(shape)}…` : 'Add block…'}
        onChange={(e) => {
          setQ(e.target.value);
          setIdx(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') close();
          else if (e.key === 'ArrowDown') {
            e.preventDefault();
            setIdx((i) => Math.min(i + 1, hits.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setIdx((i) => Math.max(i - 1, 0));
          } else if (e.key === 'Enter' && hits[idx]) pick(hits[idx]);
        }}
        onBlur={() => setTimeout(() => getState().pendingAdd === pending && close(), 150)}
      />
      <div className="nb-searchadd-list">
        {hits.map((b, i) => (
          <div key={b.type} className={`nb-sa-item cat-${b.category}${i === idx ? ' active' : ''}`} onMouseEnter={() => setIdx(i)} onMouseDown={(e) => e.preventDefault()} onClick={() => pick(b)}>
            <span className="nb-pdot" />
            <span>{b.label}</span>
            <span className="nb-muted">{CATEGORY_LABELS[b.category] ?? b.category}</span>
          </div>
        ))}
        {hits.length === 0 && <div className="nb-muted nb-pad">No block takes this tensor{q ? ` and matches “${q}”` : ''}.</div>}
      </div>
    </div>
  );
}
