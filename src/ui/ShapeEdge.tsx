// An edge labeled with the tensor shape it carries (24×24×6); red with the message when broken.
import { memo, useContext } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import type { ShapeEdgeType } from './derive';
import { FarContext } from './zoomDetail';

function ShapeEdgeImpl(props: EdgeProps<ShapeEdgeType>) {
  // Labels are unreadable when zoomed far out; skipping them saves hundreds of DOM nodes.
  const showLabel = !useContext(FarContext);
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const [path, lx, ly] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const err = data?.error;
  const label = data?.label;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`nb-edge${err ? ' error' : ''}${selected ? ' selected' : ''}`} interactionWidth={16} />
      {showLabel && (label || err) && (
        <EdgeLabelRenderer>
          <div
            className={`nb-edge-label${err ? ' error' : ''}${selected ? ' selected' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${lx}px, ${ly}px)` }}
            title={err ?? label}
            data-testid={`edge-label-${id}`}
          >
            {err && !label ? '⚠' : label}
            {err && label ? ' ⚠' : ''}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeImpl);
