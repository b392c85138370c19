// The canvas' React Flow instance, set when the canvas mounts: the actions, the view placement
// and the quick-add box read it (its own module, so they need not import one another).
import type { ReactFlowInstance } from '@xyflow/react';
import type { BlockNodeType, ShapeEdgeType } from './derive';

let flow: ReactFlowInstance<BlockNodeType, ShapeEdgeType> | null = null;
export function setFlow(f: ReactFlowInstance<BlockNodeType, ShapeEdgeType> | null): void {
  flow = f;
}
export function getFlow(): ReactFlowInstance<BlockNodeType, ShapeEdgeType> | null {
  return flow;
}
