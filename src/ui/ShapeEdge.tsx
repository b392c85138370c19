// An edge labeled with the tensor shape it carries (24×24×6); red with the message when broken.
// The shape label starts just right of the source port, where the tensor leaves its block: it
// sits in the gap the layered layout leaves between layers, the edges of one output share one
// place (and one label), and the edges converging on a block's ports (Add in0/in1) do not pile
// their labels up there. declutter.ts hides any that would still touch a block or a label.
import { memo, useContext } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import type { ShapeEdgeType } from './derive';
import { FarContext } from './zoomDetail';

/** Screen gap between the source port and its label (flow px). */
const LABEL_OFFSET = 9;

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
            style={{ transform: label ? `translate(0, -50%) translate(${sourceX + LABEL_OFFSET}px, ${sourceY}px)` : `translate(-50%, -50%) translate(${lx}px, ${ly}px)` }}
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
