// Every command as an object (label, shortcut, perform). The toolbar, the keyboard handler and
// the command palette all read this one list, so a shortcut always does what its menu item does.
import { addNode, copyFragment, duplicate, isFragment, moveNodes, paste, removeNodes, disconnect, type Fragment } from '../core/edit';
import { expandMacro, EditError } from '../core/editMacro';
import { MACRO_TYPE } from '../core/macro';
import { commit, getState, redo, setState, toast, transient, undo } from './store';
import { copyShareLink, newGraph, saveFile } from './docs';
import { elkLayout, LAYER_GAP, type LayoutSize } from './layout';
import { measuredSizes } from './derive';
import { openView } from './viewport';
import { getFlow } from './flow';
import { openImportReport } from './importReport';

export interface Action {
  id: string;
  label: string;
  /** e.g. "Mod+Z" (Mod = Ctrl, or ⌘ on a Mac). */
  shortcut?: string;
  group: 'Edit' | 'View' | 'Graph' | 'File';
  perform(): void;
  enabled?(): boolean;
}

let clipboard: Fragment | null = null;
let pasteCount = 0;

/** Centre of the visible canvas in flow coordinates (where clicked palette blocks land). */
export function viewCentre(): { x: number; y: number } {
  const flow = getFlow();
  const el = document.querySelector('.react-flow');
  if (!flow || !el) return { x: 0, y: 0 };
  const r = el.getBoundingClientRect();
  return flow.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
}

export function addBlockAtCentre(type: string): string {
  const s = getState();
  const c = viewCentre();
  // Nudge so repeated adds do not stack exactly.
  const k = s.doc.nodes.filter((n) => n.position && Math.abs(n.position.x - c.x + 100) < 5).length;
  const r = addNode(s.doc, type, { x: c.x - 100 + k * 24, y: c.y - 50 + k * 24 });
  commit(r.doc, { select: [r.id] });
  return r.id;
}

/**
 * Search-to-add from the keyboard: with one block selected, the search lists what takes its first
 * output and connects the pick to it (placed to its right); otherwise it adds at the view centre.
 */
export function openAddSearch(): void {
  const s = getState();
  const sel = [...s.selectedNodes];
  const n = sel.length === 1 ? s.doc.nodes.find((x) => x.id === sel[0]) : undefined;
  const port = n ? s.analysis.nodes.get(n.id)?.outputPorts[0] : undefined;
  const flow = getFlow();
  if (flow && n && port) {
    const w = measuredSizes.get(n.id)?.width ?? 180;
    const at = { x: (n.position?.x ?? 0) + w + LAYER_GAP, y: (n.position?.y ?? 0) + 20 };
    setState({ pendingAdd: { screen: flow.flowToScreenPosition(at), flow: at, from: { node: n.id, handle: port, kind: 'source' } } });
    return;
  }
  const c = viewCentre();
  const screen = flow ? flow.flowToScreenPosition(c) : { x: innerWidth / 2, y: innerHeight / 2 };
  setState({ pendingAdd: { screen, flow: { x: c.x - 90, y: c.y } } });
}

export function deleteSelection(): void {
  const s = getState();
  let doc = removeNodes(s.doc, s.selectedNodes);
  doc = disconnect(doc, s.selectedEdges);
  if (doc !== s.doc) commit(doc, { select: [] });
}

function copySelection(): void {
  const s = getState();
  if (s.selectedNodes.size === 0) return;
  clipboard = copyFragment(s.doc, s.selectedNodes);
  pasteCount = 0;
  const text = JSON.stringify(clipboard);
  navigator.clipboard?.writeText(text).catch(() => undefined);
  toast(`Copied ${clipboard.nodes.length} block${clipboard.nodes.length === 1 ? '' : 's'}`);
}

async function pasteClipboard(): Promise<void> {
  let frag = clipboard;
  try {
    const text = await navigator.clipboard?.readText();
    const v: unknown = text ? JSON.parse(text) : null;
    if (isFragment(v)) frag = v;
  } catch {
    // The system clipboard is optional (permissions); the in-app clipboard still works.
  }
  if (!frag) return;
  pasteCount++;
  const r = paste(getState().doc, frag, { x: 40 * pasteCount, y: 40 * pasteCount });
  commit(r.doc, { select: r.ids });
}

function duplicateSelection(): void {
  const s = getState();
  if (s.selectedNodes.size === 0) return;
  const r = duplicate(s.doc, s.selectedNodes);
  commit(r.doc, { select: r.ids });
}

function selectAll(): void {
  const s = getState();
  setState({ selectedNodes: new Set(s.doc.nodes.map((n) => n.id)), selectedEdges: new Set() });
}

/** Each block's measured size and where its ports are drawn (so ELK orders them as drawn). */
function layoutSizes(): Map<string, LayoutSize> {
  const sizes = new Map<string, LayoutSize>();
  const flow = getFlow();
  for (const n of flow?.getNodes() ?? []) {
    if (!n.measured?.width || !n.measured.height) continue;
    const hb = flow?.getInternalNode(n.id)?.internals.handleBounds;
    const ys = (hs: { id?: string | null; y: number; height: number }[] | null | undefined) => new Map((hs ?? []).map((h) => [h.id ?? '', h.y + h.height / 2]));
    sizes.set(n.id, { width: n.measured.width, height: n.measured.height, inputs: ys(hb?.target), outputs: ys(hb?.source) });
  }
  return sizes;
}

/**
 * Lays the graph out (one undo step unless history is false) and then either fits it (the Layout
 * button) or shows it as a freshly opened graph is shown (open: true).
 */
export async function autoLayout(opts: { history?: boolean; open?: boolean } = {}): Promise<void> {
  const s = getState();
  if (!s.doc.nodes.length) return;
  // Edges name their ports as the analysis resolved them (a file may leave the default port out).
  const edges = s.doc.edges.map((e, i) => ({ ...e, sourceHandle: s.analysis.edges[i]?.sourceHandle ?? e.sourceHandle, targetHandle: s.analysis.edges[i]?.targetHandle ?? e.targetHandle }));
  const pos = await elkLayout({ ...s.doc, edges }, layoutSizes());
  const cur = getState();
  if (cur.doc !== s.doc) return; // edited meanwhile: do not clobber
  const next = moveNodes(cur.doc, pos);
  if (opts.history === false) transient(next);
  else commit(next);
  requestAnimationFrame(() => (opts.open ? openView() : fitView()));
}

export function fitView(): void {
  void getFlow()?.fitView({ padding: 0.15, duration: 250, maxZoom: 1.2 });
}

function expandSelected(): void {
  const s = getState();
  let doc = s.doc;
  const ids: string[] = [];
  for (const id of s.selectedNodes) {
    if (doc.nodes.find((n) => n.id === id)?.type !== MACRO_TYPE) continue;
    try {
      const r = expandMacro(doc, id);
      doc = r.doc;
      ids.push(...r.ids);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  }
  if (ids.length) commit(doc, { select: ids });
  else if (doc === s.doc) toast('Select a macro block to expand', 'info');
}

export const ACTIONS: Action[] = [
  { id: 'undo', label: 'Undo', shortcut: 'Mod+Z', group: 'Edit', perform: undo, enabled: () => getState().past.length > 0 },
  { id: 'redo', label: 'Redo', shortcut: 'Mod+Shift+Z', group: 'Edit', perform: redo, enabled: () => getState().future.length > 0 },
  { id: 'redo-y', label: 'Redo', shortcut: 'Mod+Y', group: 'Edit', perform: redo, enabled: () => getState().future.length > 0 },
  { id: 'add', label: 'Add a block (connected to the selected one)…', shortcut: 'Shift+A', group: 'Edit', perform: openAddSearch },
  { id: 'delete', label: 'Delete selection', shortcut: 'Delete', group: 'Edit', perform: deleteSelection },
  { id: 'delete-bs', label: 'Delete selection', shortcut: 'Backspace', group: 'Edit', perform: deleteSelection },
  { id: 'copy', label: 'Copy', shortcut: 'Mod+C', group: 'Edit', perform: copySelection },
  { id: 'paste', label: 'Paste', shortcut: 'Mod+V', group: 'Edit', perform: () => void pasteClipboard() },
  { id: 'duplicate', label: 'Duplicate', shortcut: 'Mod+D', group: 'Edit', perform: duplicateSelection },
  { id: 'select-all', label: 'Select all', shortcut: 'Mod+A', group: 'Edit', perform: selectAll },
  {
    id: 'group',
    label: 'Group into macro block…',
    shortcut: 'Mod+G',
    group: 'Graph',
    perform: () => (getState().selectedNodes.size ? setState({ macroDialog: true }) : toast('Select the blocks to group first')),
  },
  { id: 'expand', label: 'Expand macro block', shortcut: 'Mod+Shift+G', group: 'Graph', perform: expandSelected },
  { id: 'layout', label: 'Auto-layout', shortcut: 'Shift+L', group: 'View', perform: () => void autoLayout() },
  { id: 'fit', label: 'Fit view', shortcut: 'Shift+F', group: 'View', perform: fitView },
  { id: 'palette', label: 'Command palette', shortcut: 'Mod+K', group: 'View', perform: () => setState({ commandPalette: true }) },
  { id: 'catalog', label: 'Blocks reference', group: 'View', perform: () => setState((s) => ({ view: s.view === 'catalog' ? 'editor' : 'catalog' })) },
  { id: 'tab-inspector', label: 'Show inspector', shortcut: 'Alt+1', group: 'View', perform: () => setState({ sideTab: 'inspector' }) },
  { id: 'tab-summary', label: 'Show summary', shortcut: 'Alt+2', group: 'View', perform: () => setState({ sideTab: 'summary' }) },
  { id: 'tab-json', label: 'Show graph JSON', shortcut: 'Alt+3', group: 'View', perform: () => setState({ sideTab: 'json' }) },
  { id: 'tab-code', label: 'Show tfjs code', shortcut: 'Alt+4', group: 'View', perform: () => setState({ sideTab: 'code' }) },
  { id: 'save', label: 'Save graph as JSON file', shortcut: 'Mod+S', group: 'File', perform: saveFile },
  { id: 'open', label: 'Open graph JSON file…', shortcut: 'Mod+O', group: 'File', perform: () => document.getElementById('nb-file-input')?.click() },
  { id: 'new', label: 'New graph', shortcut: 'Alt+N', group: 'File', perform: () => void newGraph() },
  { id: 'share', label: 'Copy share link', group: 'File', perform: () => void copyShareLink() },
  { id: 'import-report', label: 'Last import report', group: 'File', perform: openImportReport, enabled: () => !!getState().importReport },
  { id: 'export-pytorch', label: 'Export PyTorch…', group: 'File', perform: () => void import('./exportPytorch').then((m) => m.exportPytorch()) },
];

export { EditError };

export function registerAction(a: Action): void {
  if (!ACTIONS.some((x) => x.id === a.id)) ACTIONS.push(a);
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function shortcutLabel(s: string): string {
  return s.replace('Mod', isMac ? '⌘' : 'Ctrl');
}

export function matchShortcut(e: KeyboardEvent, s: string): boolean {
  const parts = s.split('+');
  const key = parts[parts.length - 1]!;
  const mods = new Set(parts.slice(0, -1));
  const mod = isMac ? e.metaKey : e.ctrlKey;
  if (mods.has('Mod') !== mod) return false;
  if (mods.has('Shift') !== e.shiftKey) return false;
  if (mods.has('Alt') !== e.altKey) return false;
  if (!isMac && e.metaKey) return false;
  const k = e.key.length === 1 ? e.key.toUpperCase() : e.key;
  if (e.code === `Digit${key}` || e.code === `Key${key}`) return true;
  return k === key.toUpperCase() || k === key;
}

/** Global shortcuts; ignored while typing in a field or in the code editor. */
export function handleKey(e: KeyboardEvent): void {
  const t = e.target as HTMLElement | null;
  if (t && (t.closest('input, textarea, select, [contenteditable="true"], .monaco-editor') || t.isContentEditable)) return;
  for (const a of ACTIONS) {
    if (!a.shortcut || !matchShortcut(e, a.shortcut)) continue;
    if (a.enabled && !a.enabled()) {
      e.preventDefault();
      return;
    }
    e.preventDefault();
    a.perform();
    return;
  }
}
