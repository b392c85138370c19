// The graph canvas: React Flow, controlled by the document. Changes from React Flow (selections,
// connections, finished drags) become document edits. The one exception is a drag in progress:
// its positions live in this component (laid over the derived nodes) and reach the document
// once, as one undo step, when the drag ends — re-deriving a 500-block document per mouse move
// is what made dragging stutter.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
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
  useStore as useFlowStore,
  type Viewport,
} from '@xyflow/react';
import { addNode, connect, moveNodes } from '../core/edit';
import { commit, getState, setState, useStore } from './store';
import { deriveEdges, deriveNodes, measuredSizes, withDragPositions, type BlockNodeType, type ShapeEdgeType } from './derive';
import { BlockNode } from './BlockNode';
import { ShapeEdge } from './ShapeEdge';
import { autoLayout } from './actions';
import { getFlow, setFlow } from './flow';
import { DRAG_MIME } from './Palette';
import { MACRO_TYPE } from '../core/macro';
import { CATEGORIES } from '../core/spec';
import { openFile } from './docs';
import { FAR_ZOOM, FarContext } from './zoomDetail';
import { onPaneResize, openView } from './viewport';
import { declutterLabels } from './declutter';

/** Screen room an edge's shape label needs between two connected blocks (flow px). */
const MIN_LABEL_GAP = 60;

const nodeTypes = { block: BlockNode };
const edgeTypes = { shape: ShapeEdge };

const CATEGORY_COLORS: Record<string, string> = Object.fromEntries(Object.entries(CATEGORIES).map(([k, c]) => [k, c.colour]));

// Props handed to React Flow are module constants: a fresh array, object or function on every
// render would make React Flow update its store (or the minimap re-render all its nodes) each
// time the canvas renders, which during a drag is every mouse move.
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
const DEFAULT_EDGE_OPTIONS = { type: 'shape' };
const minimapColor = (n: BlockNodeType) => CATEGORY_COLORS[n.data.view.category] ?? '#888';
const isFar = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;

type XY = { x: number; y: number };

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
 * Whether an edge runs backwards (right to left, or up and down as in a hand-written top-down
 * file; minGap 0) or a connected pair leaves no room for its shape label between the blocks
 * (minGap MIN_LABEL_GAP).
 */
function cramped(ns: BlockNodeType[], edges: { source: string; target: string }[], minGap: number): boolean {
  const byId = new Map(ns.map((n) => [n.id, n]));
  return edges.some((e) => {
    const a = byId.get(e.source);
    const b = byId.get(e.target);
    return !!a && !!b && a !== b && b.position.x - (a.position.x + (a.measured?.width ?? 180)) < minGap;
  });
}

export function Canvas() {
  const doc = useStore((s) => s.doc);
  const analysis = useStore((s) => s.analysis);
  const selectedNodes = useStore((s) => s.selectedNodes);
  const selectedEdges = useStore((s) => s.selectedEdges);
  const loadSeq = useStore((s) => s.loadSeq);
  const measureSeq = useStore((s) => s.measureSeq);
  // measureSeq: the measured sizes live outside React; a bump re-derives the nodes with them.
  // A newly opened graph starts without sizes: another graph's block with the same id ("layer1_0"
  // in ResNet-34 and in ResNet-50) has another size, and laying out with it spaces blocks wrongly.
  const sizesOf = useRef(loadSeq);
  const derived = useMemo(() => {
    if (sizesOf.current !== loadSeq) {
      sizesOf.current = loadSeq;
      measuredSizes.clear();
    }
    return deriveNodes(doc, analysis, selectedNodes);
  }, [doc, analysis, selectedNodes, measureSeq, loadSeq]);
  // Positions of the nodes being dragged, by id (null when no drag is in progress).
  const [dragPos, setDragPos] = useState<ReadonlyMap<string, XY> | null>(null);
  const dragRef = useRef<Map<string, XY> | null>(null);
  const nodes = useMemo(() => withDragPositions(derived, dragPos), [derived, dragPos]);
  const docEdges = doc.edges;
  const edges = useMemo(() => deriveEdges({ edges: docEdges }, analysis, selectedEdges), [docEdges, analysis, selectedEdges]);
  // One zoom subscription for the whole canvas; blocks and edges read it from FarContext.
  const far = useFlowStore(isFar);
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
      // A graph that reads badly is laid out as it opens. The user's own graph, reopened, keeps
      // its arrangement unless blocks overlap or edges run backwards; a template, file or import
      // is also laid out when its blocks leave no room for the edges' shape labels.
      const { doc, loadedFromOutside } = getState();
      const tidy = overlaps(ns) || cramped(ns, doc.edges, loadedFromOutside ? MIN_LABEL_GAP : 0);
      if (ns.length > 1 && tidy) void autoLayout({ history: false, open: true });
      else openView();
    };
    requestAnimationFrame(check);
  }, [loadSeq]);

  // Edge labels that would touch a block or another label are hidden, once the frame is drawn.
  // Not during a drag (positions change every mouse move); the drop re-runs it.
  // A second pass a little later: React Flow moves the edges (and their labels) a render after
  // it takes new node positions or sizes.
  const declutterTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const declutter = useCallback(() => {
    const run = () => requestAnimationFrame(() => wrapper.current && declutterLabels(wrapper.current));
    run();
    clearTimeout(declutterTimer.current);
    declutterTimer.current = setTimeout(run, 200);
  }, []);
  useEffect(() => {
    if (!dragPos) declutter();
  }, [nodes, edges, far, dragPos, declutter]);

  // The zoom as a CSS variable: far-zoom blocks size their text by it (semantic zoom), without a
  // React render per zoom step.
  const onMove = useCallback(
    (_: unknown, vp: Viewport) => wrapper.current?.style.setProperty('--nb-zoom', String(vp.zoom)),
    [],
  );

  // The canvas narrows when the wider Train panel opens (or the window shrinks): a graph that was
  // wholly visible is re-fitted so its last block does not slide out of view.
  useEffect(() => {
    const el = wrapper.current;
    if (!el) return;
    let last = { width: el.clientWidth, height: el.clientHeight };
    const ro = new ResizeObserver(() => {
      const now = { width: el.clientWidth, height: el.clientHeight };
      if (now.width === last.width && now.height === last.height) return;
      onPaneResize(last, now);
      last = now;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onNodesChange = useCallback((changes: NodeChange<BlockNodeType>[]) => {
    const s = getState();
    let dragging: Map<string, XY> | null = null;
    let settled: Map<string, XY> | null = null;
    let sel: Set<string> | null = null;
    let measured = false;
    for (const c of changes) {
      if (c.type === 'position') {
        if (c.dragging) {
          dragging ??= new Map(dragRef.current ?? []);
          if (c.position) dragging.set(c.id, c.position);
        } else {
          // The end of a drag, or a keyboard nudge (arrow keys) of the selection.
          settled ??= new Map();
          if (c.position) settled.set(c.id, c.position);
        }
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
    if (dragging) {
      dragRef.current = dragging;
      setDragPos(dragging);
    }
    if (settled) {
      const wasDrag = dragRef.current;
      const positions = new Map([...(wasDrag ?? []), ...settled]);
      dragRef.current = null;
      // Commit first, then drop the overlay: the nodes never flash back to their old places.
      const next = moveNodes(getState().doc, positions);
      if (next !== getState().doc) commit(next, wasDrag ? {} : { coalesce: 'nudge' });
      if (wasDrag) setDragPos(null);
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
      <FarContext.Provider value={far}>
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
          onMove={onMove}
          onMoveEnd={declutter}
          onDrop={onDrop}
          onDragOver={onDragOver}
          onPaneClick={onPaneClick}
          deleteKeyCode={null}
          multiSelectionKeyCode={MULTI_SELECT_KEYS}
          selectionKeyCode="Shift"
          zoomOnDoubleClick={false}
          // A graph opens at a readable zoom with the rest off screen: the wheel scrolls to it (as
          // in Netron); Ctrl+wheel and trackpad pinches zoom.
          panOnScroll
          minZoom={0.05}
          maxZoom={2.5}
          onlyRenderVisibleElements={doc.nodes.length > 200}
          defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
          colorMode="dark"
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#3a3d44" />
          <MiniMap pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={2} maskColor="rgba(20,21,24,0.7)" />
          <Controls showInteractive={false} />
        </ReactFlow>
      </FarContext.Provider>
      {doc.nodes.length === 0 && (
        <div className="nb-empty">
          <div className="nb-empty-title">Start building</div>
          <div>Drag blocks from the palette, double-click the canvas to search, or pick a template.</div>
        </div>
      )}
    </div>
  );
}
