// Where the view goes when a graph opens and when the canvas changes size. A big graph fitted to
// the screen is a strip of specks (ResNet-50 at 15%), so a graph that does not fit at a readable
// zoom opens at that zoom anchored at its inputs, as Netron does; the rest is a scroll (or the
// minimap) away, and "Fit" is still a button.
import { getState } from './store';
import { measuredSizes } from './derive';
import { getFlow } from './flow';

/** Block titles are 12.5 px: at this zoom they render at 10.6 px. */
export const READ_ZOOM = 0.85;
/** The most a small graph is blown up when it opens. */
export const MAX_OPEN_ZOOM = 1.2;
const PAD = 40;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function nodeBoxes(): { id: string; type: string; box: Box }[] {
  return getState().doc.nodes.map((n) => {
    const m = measuredSizes.get(n.id);
    const p = n.position ?? { x: 0, y: 0 };
    return { id: n.id, type: n.type, box: { x: p.x, y: p.y, w: m?.width ?? 180, h: m?.height ?? 60 } };
  });
}

function bounds(bs: Box[]): Box {
  const x = Math.min(...bs.map((b) => b.x));
  const y = Math.min(...bs.map((b) => b.y));
  return { x, y, w: Math.max(...bs.map((b) => b.x + b.w)) - x, h: Math.max(...bs.map((b) => b.y + b.h)) - y };
}

function paneSize(): { width: number; height: number } | null {
  const r = document.querySelector('.nb-canvas .react-flow')?.getBoundingClientRect();
  return r && r.width > 0 && r.height > 0 ? { width: r.width, height: r.height } : null;
}

/** The zoom at which the whole graph fits the pane with a margin. */
function fitZoom(b: Box, pane: { width: number; height: number }): number {
  return Math.min((pane.width - 2 * PAD) / Math.max(b.w, 1), (pane.height - 2 * PAD) / Math.max(b.h, 1));
}

/**
 * The opening view: the whole graph when it fits at a readable zoom; otherwise the readable zoom,
 * the inputs at the left edge, centred on them vertically unless the graph's height fits.
 */
export function openView(): void {
  const flow = getFlow();
  const pane = paneSize();
  const all = nodeBoxes();
  if (!flow || !pane) return;
  // An empty graph: flow coordinates 1:1, so the first block lands under the cursor. (A fitView
  // with no nodes would be queued by React Flow and jump the view when that block arrives.)
  if (!all.length) return void flow.setViewport({ x: 0, y: 0, zoom: 1 });
  const b = bounds(all.map((n) => n.box));
  const fz = fitZoom(b, pane);
  if (fz >= READ_ZOOM) {
    const z = Math.min(fz, MAX_OPEN_ZOOM);
    return void flow.setViewport({ x: pane.width / 2 - (b.x + b.w / 2) * z, y: pane.height / 2 - (b.y + b.h / 2) * z, zoom: z });
  }
  const z = READ_ZOOM;
  const inputs = all.filter((n) => n.type === 'Input').map((n) => n.box);
  const anchor = inputs.length ? bounds(inputs) : b;
  const x = PAD - b.x * z;
  const y = b.h * z <= pane.height - 2 * PAD ? pane.height / 2 - (b.y + b.h / 2) * z : Math.min(PAD - b.y * z, pane.height / 2 - (anchor.y + anchor.h / 2) * z);
  void flow.setViewport({ x, y, zoom: z });
}

/** Whether the whole graph is on screen in the given pane size with the current viewport. */
function allVisible(pane: { width: number; height: number }): boolean {
  const flow = getFlow();
  const all = nodeBoxes();
  if (!flow || !all.length) return false;
  const { x, y, zoom } = flow.getViewport();
  const b = bounds(all.map((n) => n.box));
  const l = b.x * zoom + x;
  const t = b.y * zoom + y;
  return l >= -1 && t >= -1 && l + b.w * zoom <= pane.width + 1 && t + b.h * zoom <= pane.height + 1;
}

/**
 * Keeps a graph that was wholly on screen on screen when the canvas narrows (the wider Train panel
 * opens, the window shrinks): it is re-fitted, never zoomed in past where it was. A graph the user
 * was scrolling through keeps its place.
 */
export function onPaneResize(before: { width: number; height: number }, after: { width: number; height: number }): void {
  const flow = getFlow();
  if (!flow || !allVisible(before) || allVisible(after)) return;
  const b = bounds(nodeBoxes().map((n) => n.box));
  const z = Math.min(fitZoom(b, after), flow.getViewport().zoom);
  void flow.setViewport({ x: after.width / 2 - (b.x + b.w / 2) * z, y: after.height / 2 - (b.y + b.h / 2) * z, zoom: z });
}
