// The graph canvas: React Flow, controlled by the document. Changes from React Flow (drags,
// selections, connections) become document edits; nothing lives only in React Flow's state.
import { useCallback, useEffect, useMemo, useRef } from 'react';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  type Connection as RFConnection,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
  type OnConnectStartParams,
} from '@xyflow/react';
import { addNode, connect, moveNodes } from '../core/edit';
import type { GraphDoc } from '../core/graph';
import { commit, getState, setState, transient, useStore } from './store';
import { deriveEdges, deriveNodes, measuredSizes, type BlockNodeType, type ShapeEdgeType } from './derive';
import { BlockNode } from './BlockNode';
import { ShapeEdge } from './ShapeEdge';
import { setFlow, getFlow, autoLayout } from './actions';
import { DRAG_MIME } from './Palette';
import { MACRO_TYPE } from '../core/macro';
import { openFile } from './docs';

const nodeTypes = { block: BlockNode };
const edgeTypes = { shape: ShapeEdge };

const CATEGORY_COLORS: Record<string, string> = {
  io: '#3fb27f',
  core: '#4c8dff',
  activation: '#e0a030',
  conv: '#8a63d2',
  pool: '#5b9bd5',
  reshape: '#7f8c8d',
  norm: '#2bb3c0',
  regularization: '#b0776a',
  recurrent: '#d9598c',
  attention: '#e36b3d',
  merge: '#c7b23a',
  generative: '#9ccc65',
  macro: '#f0f0f0',
};

/** Whether any two nodes' boxes intersect (sweep over x keeps it fast for big graphs). */
function overlaps(ns: BlockNodeType[]): boolean {
  const boxes = ns
    .map((n) => ({ x: n.position.x, y: n.position.y, w: n.measured?.width ?? 180, h: n.measured?.height ?? 60 }))
    .sort((a, b) => a.x - b.x);
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i]!;
    for (let j = i + 1; j < boxes.length && boxes[j]!.x < a.x + a.w; j++) {
      const b = boxes[j]!;
      if (b.y < a.y + a.h && a.y < b.y + b.h) return true;
    }
  }
  return false;
}

/**
 * Whether most edges run up/down rather than left to right: a graph laid out top-down (as many
 * hand-written files are) reads badly with ports on the blocks' left and right sides.
 */
function flowsVertically(ns: BlockNodeType[], edges: { source: string; target: string }[]): boolean {
  const pos = new Map(ns.map((n) => [n.id, n.position]));
  let vertical = 0;
  for (const e of edges) {
    const a = pos.get(e.source);
    const b = pos.get(e.target);
    if (a && b && Math.abs(b.y - a.y) > Math.abs(b.x - a.x)) vertical++;
  }
  return edges.length > 0 && vertical > edges.length / 2;
}

export function Canvas() {
  const doc = useStore((s) => s.doc);
  const analysis = useStore((s) => s.analysis);
  const selectedNodes = useStore((s) => s.selectedNodes);
  const selectedEdges = useStore((s) => s.selectedEdges);
  const loadSeq = useStore((s) => s.loadSeq);
  const measureSeq = useStore((s) => s.measureSeq);
  const nodes = useMemo(() => deriveNodes(doc, analysis, selectedNodes), [doc, analysis, selectedNodes, measureSeq]);
  const docEdges = doc.edges;
  const edges = useMemo(() => deriveEdges({ edges: docEdges }, analysis, selectedEdges), [docEdges, analysis, selectedEdges]);
  const dragBase = useRef<GraphDoc | null>(null);
  const connectFrom = useRef<OnConnectStartParams | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  // A freshly opened graph: fit it; if its stored positions make blocks overlap (or it has none),
  // lay it out first. Waits a frame or two so React Flow has measured the nodes.
  useEffect(() => {
    if (loadSeq === 0) return;
    let tries = 0;
    const check = () => {
      const f = getFlow();
      const ns = f?.getNodes() ?? [];
      if (ns.length && ns.some((n) => !n.measured?.width) && tries++ < 20) return void setTimeout(check, 30);
      if (ns.length > 1 && (overlaps(ns) || flowsVertically(ns, getState().doc.edges))) void autoLayout({ history: false });
      else void f?.fitView({ padding: 0.15, maxZoom: 1.2 });
    };
    requestAnimationFrame(check);
  }, [loadSeq]);

  const onNodesChange = useCallback((changes: NodeChange<BlockNodeType>[]) => {
    const s = getState();
    const moves = new Map<string, { x: number; y: number }>();
    let dragEnded = false;
    let sel: Set<string> | null = null;
    let measured = false;
    for (const c of changes) {
      if (c.type === 'position') {
        if (c.position) moves.set(c.id, c.position);
        if (c.dragging === false) dragEnded = true;
      } else if (c.type === 'dimensions' && c.dimensions) {
        const old = measuredSizes.get(c.id);
        if (!old || old.width !== c.dimensions.width || old.height !== c.dimensions.height) {
          measuredSizes.set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
          measured = true;
        }
      } else if (c.type === 'select') {
        sel ??= new Set(s.selectedNodes);
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
    }
    if (sel) setState({ selectedNodes: sel });
    if (measured) setState((st) => ({ measureSeq: st.measureSeq + 1 }));
    if (moves.size || dragEnded) {
      if (!dragBase.current) dragBase.current = s.doc;
      const next = moveNodes(getState().doc, moves);
      if (dragEnded) {
        const base = dragBase.current;
        dragBase.current = null;
        if (next !== base) commit(next, { base });
      } else transient(next);
    }
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<ShapeEdgeType>[]) => {
    let sel: Set<string> | null = null;
    for (const c of changes) {
      if (c.type === 'select') {
        sel ??= new Set(getState().selectedEdges);
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
    }
    if (sel) setState({ selectedEdges: sel });
  }, []);

  const onConnect = useCallback((c: RFConnection) => {
    const r = connect(getState().doc, c);
    commit(r.doc);
  }, []);

  const onConnectStart = useCallback((_: unknown, p: OnConnectStartParams) => {
    connectFrom.current = p;
  }, []);

  const onConnectEnd = useCallback((event: MouseEvent | TouchEvent, st: FinalConnectionState) => {
    const from = connectFrom.current;
    connectFrom.current = null;
    if (st.isValid || !from?.nodeId || !from.handleId) return;
    const target = event.target as Element | null;
    if (!target?.classList.contains('react-flow__pane')) return;
    const pt = 'changedTouches' in event ? event.changedTouches[0]! : event;
    const flowPos = getFlow()?.screenToFlowPosition({ x: pt.clientX, y: pt.clientY }) ?? { x: 0, y: 0 };
    setState({
      pendingAdd: {
        screen: { x: pt.clientX, y: pt.clientY },
        flow: flowPos,
        from: { node: from.nodeId, handle: from.handleId, kind: from.handleType === 'target' ? 'target' : 'source' },
      },
    });
  }, []);

  const onDragOver = useCallback((e: React.DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_MIME) || e.dataTransfer.types.includes('Files')) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback((e: React.DragEvent) => {
    // Files dropped on the canvas open like picked ones: a graph .json, an .onnx model, or a tfjs
    // model.json with its weights.bin.
    const files = [...e.dataTransfer.files];
    const main = files.find((f) => !/\.bin$/i.test(f.name));
    if (main) {
      e.preventDefault();
      void openFile(main, files.filter((f) => f !== main));
      return;
    }
    const type = e.dataTransfer.getData(DRAG_MIME);
    if (!type) return;
    e.preventDefault();
    const p = getFlow()?.screenToFlowPosition({ x: e.clientX, y: e.clientY }) ?? { x: 0, y: 0 };
    // The drop point is where the node's top-left corner lands, offset so the cursor holds its title.
    const macro = type.startsWith(`${MACRO_TYPE}:`) ? type.slice(MACRO_TYPE.length + 1) : undefined;
    const r = addNode(getState().doc, macro ? MACRO_TYPE : type, { x: p.x - 30, y: p.y - 16 }, macro ? { name: macro } : {});
    commit(r.doc, { select: [r.id] });
  }, []);

  const onDoubleClick = useCallback((e: React.MouseEvent) => {
    const target = e.target as Element;
    if (!target.classList.contains('react-flow__pane')) return;
    const flowPos = getFlow()?.screenToFlowPosition({ x: e.clientX, y: e.clientY }) ?? { x: 0, y: 0 };
    setState({ pendingAdd: { screen: { x: e.clientX, y: e.clientY }, flow: flowPos } });
  }, []);

  const onPaneClick = useCallback(() => {
    if (getState().pendingAdd) setState({ pendingAdd: null });
  }, []);

  return (
    <div className="nb-canvas" ref={wrapper} onDoubleClick={onDoubleClick} data-testid="canvas">
      <ReactFlow<BlockNodeType, ShapeEdgeType>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectStart={onConnectStart}
        onConnectEnd={onConnectEnd}
        onInit={setFlow}
        onDrop={onDrop}
        onDragOver={onDragOver}
        onPaneClick={onPaneClick}
        deleteKeyCode={null}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        selectionKeyCode="Shift"
        zoomOnDoubleClick={false}
        minZoom={0.05}
        maxZoom={2.5}
        onlyRenderVisibleElements={doc.nodes.length > 200}
        defaultEdgeOptions={{ type: 'shape' }}
        colorMode="dark"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#3a3d44" />
        <MiniMap pannable zoomable nodeColor={(n) => CATEGORY_COLORS[(n as BlockNodeType).data.view.category] ?? '#888'} nodeStrokeWidth={2} maskColor="rgba(20,21,24,0.7)" />
        <Controls showInteractive={false} />
      </ReactFlow>
      {doc.nodes.length === 0 && (
        <div className="nb-empty">
          <div className="nb-empty-title">Start building</div>
          <div>Drag blocks from the palette, double-click the canvas to search, or pick a template.</div>
        </div>
      )}
    </div>
  );
}
