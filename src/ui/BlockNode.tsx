// A block on the canvas, rendered from its BlockSpec and analysis: title, key params, named ports
// (handles carry the port names), output shape, parameter count and an error badge.
import { memo, useContext, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { BlockNodeType } from './derive';
import { FarContext } from './zoomDetail';
import { BlockInsight } from './train/BlockInsight';

const POP_WIDTH = 300;

/**
 * The red "!" on a block with problems. Its popup is drawn on the page (a portal, fixed position)
 * rather than inside the canvas, which clips it: next to the badge, flipped left or up when the
 * window edge is near. Hover or keyboard focus shows it.
 */
function ErrorBadge({ errors }: { errors: string[] }) {
  const ref = useRef<HTMLSpanElement>(null);
  const [at, setAt] = useState<React.CSSProperties | null>(null);
  const show = () => {
    const r = ref.current?.getBoundingClientRect();
    if (!r) return;
    const right = r.right + 8 + POP_WIDTH <= innerWidth - 8;
    const left = right ? r.right + 8 : Math.max(8, r.left - 8 - POP_WIDTH);
    setAt(r.top < innerHeight * 0.6 ? { left, top: Math.max(8, r.top - 6) } : { left, bottom: Math.max(8, innerHeight - r.bottom - 6) });
  };
  return (
    <span
      ref={ref}
      className="nb-err-badge"
      data-testid="error-badge"
      title={errors.join('\n')}
      tabIndex={0}
      role="img"
      aria-label={`${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors.join(' ')}`}
      onMouseEnter={show}
      onMouseLeave={() => setAt(null)}
      onFocus={show}
      onBlur={() => setAt(null)}
    >
      !
      {at &&
        createPortal(
          <div className="nb-err-pop" role="tooltip" data-testid="error-pop" style={{ ...at, width: POP_WIDTH }}>
            {errors.map((m, i) => <div key={i}>{m}</div>)}
          </div>,
          document.body,
        )}
    </span>
  );
}

function BlockNodeImpl({ data, selected }: NodeProps<BlockNodeType>) {
  const v = data.view;
  const hasErr = v.errors.length > 0;
  // Zoomed far out, blocks draw as plain labelled boxes: far less to lay out and paint on big graphs.
  const far = useContext(FarContext);
  if (far)
    return (
      <div className={`nb-node far cat-${v.category}${selected ? ' selected' : ''}${hasErr ? ' has-error' : ''}`} data-testid={`node-${v.id}`} data-type={v.type}>
        {v.inputs.map((p, k) => (
          <Handle key={p.name} type="target" position={Position.Left} id={p.name} className="nb-handle far" style={{ top: `${((k + 1) / (v.inputs.length + 1)) * 100}%` }} />
        ))}
        <div className="nb-far-title" title={`${v.title} (${v.id})`}>{v.title}</div>
        <div className="nb-far-shape">{v.outputs.length === 1 ? v.outputs[0]!.shape : ''}</div>
        {v.outputs.map((p, k) => (
          <Handle key={p.name} type="source" position={Position.Right} id={p.name} className="nb-handle far" style={{ top: `${((k + 1) / (v.outputs.length + 1)) * 100}%` }} />
        ))}
      </div>
    );
  const outShape = v.outputs.length === 1 ? v.outputs[0]!.shape : undefined;
  // One "in" and one "out": handles sit on the node's sides, no port rows (compact, like most blocks).
  const simple = v.inputs.length <= 1 && v.outputs.length === 1 && (v.inputs[0]?.name ?? 'in') === 'in' && v.outputs[0]!.name === 'out';
  return (
    <div
      className={`nb-node cat-${v.category}${selected ? ' selected' : ''}${hasErr ? ' has-error' : ''}${v.macro ? ' macro' : ''}`}
      data-testid={`node-${v.id}`}
      data-type={v.type}
    >
      <BlockInsight id={v.id} />
      <div className="nb-node-head">
        <span className="nb-node-title" title={v.title}>{v.title}</span>
        <span className="nb-node-id">{v.id}</span>
        {hasErr && <ErrorBadge errors={v.errors} />}
      </div>
      {v.keyParams && <div className="nb-node-params">{v.keyParams}</div>}
      {simple ? (
        <>
          {v.inputs[0] && (
            <Handle type="target" position={Position.Left} id="in" className={`nb-handle side${v.inputs[0].error ? ' error' : ''}`} title={v.inputs[0].error ?? (v.inputs[0].shape ? `in: ${v.inputs[0].shape}` : 'in')} />
          )}
          <Handle type="source" position={Position.Right} id="out" className={`nb-handle side${v.outputs[0]!.error ? ' error' : ''}`} title={outShape ? `out: ${outShape}` : 'out'} />
        </>
      ) : (
      <div className="nb-node-ports">
        <div className="nb-ports-in">
          {v.inputs.map((p) => (
            <div key={p.name} className={`nb-port in${p.error ? ' error' : ''}${p.label === '+' ? ' spare' : ''}`} title={p.error ?? (p.shape ? `${p.name}: ${p.shape}` : p.name)}>
              <Handle type="target" position={Position.Left} id={p.name} className={`nb-handle${p.error ? ' error' : ''}`} />
              <span className="nb-port-label">{p.label}</span>
            </div>
          ))}
        </div>
        <div className="nb-ports-out">
          {v.outputs.map((p) => (
            <div key={p.name} className={`nb-port out${p.error ? ' error' : ''}`} title={p.shape ? `${p.name}: ${p.shape}` : p.name}>
              <span className="nb-port-label">
                {v.outputs.length > 1 ? p.label : ''}
                {v.outputs.length > 1 && p.shape ? <span className="nb-port-shape"> {p.shape}</span> : null}
              </span>
              <Handle type="source" position={Position.Right} id={p.name} className="nb-handle" />
            </div>
          ))}
        </div>
      </div>
      )}
      <div className="nb-node-foot">
        <span className="nb-shape" data-testid="out-shape">{outShape ?? (v.outputs.length > 1 ? `${v.outputs.length} outputs` : '?')}</span>
        {v.params && v.params !== '0' && <span className="nb-count" title="parameters">{v.params} params</span>}
      </div>
    </div>
  );
}

/**
 * Re-renders only when what it draws changes: its view (derive.ts keeps the object while the node's
 * content is the same) or its selection. React Flow also passes positions, sizes and drag state,
 * which change on every step of a drag and do not affect how a block looks.
 */
export const BlockNode = memo(BlockNodeImpl, (a, b) => a.data === b.data && a.selected === b.selected);
