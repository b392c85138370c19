// The app state: the graph document (the single source of truth), its analysis, the undo/redo
// history of documents, the selection and transient UI state. A tiny external store read through
// selectors (useSyncExternalStore) so a node re-renders only when what it reads changes.
import { useSyncExternalStore } from 'react';
import { analyze, type Analysis } from '../core/infer';
import { emptyGraph, type GraphDoc } from '../core/graph';
import { withEdgeIds } from '../core/edit';
import type { ImportReportData } from './importReportData';

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  text: string;
}

export interface PendingAdd {
  /** Screen position of the search box. */
  screen: { x: number; y: number };
  /** Flow position where the block lands. */
  flow: { x: number; y: number };
  /** A connection dragged from a port and dropped on empty canvas. */
  from?: { node: string; handle: string; kind: 'source' | 'target' };
}

export interface State {
  docId: string;
  doc: GraphDoc;
  analysis: Analysis;
  /** Wall-clock ms the last analysis took (shown in the status bar, used by the bench). */
  analysisMs: number;
  past: GraphDoc[];
  future: GraphDoc[];
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  toasts: Toast[];
  pendingAdd: PendingAdd | null;
  view: 'editor' | 'catalog';
  sideTab: 'inspector' | 'summary' | 'json' | 'code' | 'train';
  commandPalette: boolean;
  /** The "group into macro block" dialog is open. */
  macroDialog: boolean;
  /** What the last model import said (shown by the Import report dialog), and whether it is open. */
  importReport: ImportReportData | null;
  importReportOpen: boolean;
  /** Bumped when a new document is loaded (the canvas fits the view). */
  loadSeq: number;
  /**
   * The loaded document arrived from outside (a template, a file, an import, a share link) rather
   * than being the user's own graph reopened: its stored layout may be tidied on opening.
   */
  loadedFromOutside: boolean;
  /** Bumped when React Flow measures node sizes (the minimap and layout use them). */
  measureSeq: number;
}

const HISTORY_LIMIT = 300;

function runAnalysis(doc: GraphDoc): { analysis: Analysis; analysisMs: number } {
  const t0 = performance.now();
  const analysis = analyze(doc);
  return { analysis, analysisMs: performance.now() - t0 };
}

function initial(): State {
  const doc = emptyGraph('Untitled');
  return {
    docId: 'boot',
    doc,
    ...runAnalysis(doc),
    past: [],
    future: [],
    selectedNodes: new Set(),
    selectedEdges: new Set(),
    toasts: [],
    pendingAdd: null,
    view: 'editor',
    sideTab: 'inspector',
    commandPalette: false,
    macroDialog: false,
    importReport: null,
    importReportOpen: false,
    loadSeq: 0,
    loadedFromOutside: false,
    measureSeq: 0,
  };
}

let state: State = initial();
const listeners = new Set<() => void>();

export function getState(): State {
  return state;
}

export function setState(patch: Partial<State> | ((s: State) => Partial<State>)): void {
  const p = typeof patch === 'function' ? patch(state) : patch;
  state = { ...state, ...p };
  for (const l of listeners) l();
}

export function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useStore<T>(selector: (s: State) => T): T {
  return useSyncExternalStore(subscribe, () => selector(state), () => selector(state));
}

/** Edits that only move nodes skip re-analysis (positions do not affect shapes). */
function structurallyEqual(a: GraphDoc, b: GraphDoc): boolean {
  if (a.edges !== b.edges || a.macros !== b.macros || a.nodes.length !== b.nodes.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i]!;
    const y = b.nodes[i]!;
    if (x === y) continue;
    if (x.id !== y.id || x.type !== y.type || x.params !== y.params) return false;
  }
  return true;
}

let lastCoalesce: { key: string; at: number } | null = null;

export interface CommitOptions {
  /** Consecutive commits with the same key within a second form one undo step (typing in a field). */
  coalesce?: string;
  /** Push this document as the undo point instead of the current one (the start of a drag). */
  base?: GraphDoc;
  /** Nodes to select after the edit. */
  select?: string[];
}

/** Applies an edit: the new document becomes current and the old one goes on the undo stack. */
export function commit(next: GraphDoc, opts: CommitOptions = {}): void {
  const prev = opts.base ?? state.doc;
  if (next === state.doc && !opts.base) return;
  const now = performance.now();
  const merge = opts.coalesce && lastCoalesce && lastCoalesce.key === opts.coalesce && now - lastCoalesce.at < 1000;
  lastCoalesce = opts.coalesce ? { key: opts.coalesce, at: now } : null;
  const past = merge ? state.past : [...state.past, prev].slice(-HISTORY_LIMIT);
  const a = structurallyEqual(state.doc, next) ? { analysis: state.analysis, analysisMs: state.analysisMs } : runAnalysis(next);
  const nodeIds = new Set(next.nodes.map((n) => n.id));
  const selectedNodes = opts.select ? new Set(opts.select) : new Set([...state.selectedNodes].filter((id) => nodeIds.has(id)));
  const edgeIds = new Set(next.edges.map((e) => e.id));
  const selectedEdges = opts.select ? new Set<string>() : new Set([...state.selectedEdges].filter((id) => edgeIds.has(id)));
  setState({ doc: next, ...a, past, future: [], selectedNodes, selectedEdges });
}

/** Replaces the document without an undo step (live dragging; the drop commits). */
export function transient(next: GraphDoc): void {
  const a = structurallyEqual(state.doc, next) ? {} : runAnalysis(next);
  setState({ doc: next, ...a });
}

export function undo(): void {
  const prev = state.past[state.past.length - 1];
  if (!prev) return;
  lastCoalesce = null;
  setState({ doc: prev, ...runAnalysis(prev), past: state.past.slice(0, -1), future: [state.doc, ...state.future] });
}

export function redo(): void {
  const next = state.future[0];
  if (!next) return;
  lastCoalesce = null;
  setState({ doc: next, ...runAnalysis(next), past: [...state.past, state.doc], future: state.future.slice(1) });
}

/** Loads a document as the current one (switching graphs): fresh history. */
export function loadDoc(docId: string, doc: GraphDoc, opts: { fromOutside?: boolean } = {}): void {
  const d = withEdgeIds(doc);
  lastCoalesce = null;
  setState((s) => ({
    docId,
    doc: d,
    ...runAnalysis(d),
    past: [],
    future: [],
    selectedNodes: new Set(),
    selectedEdges: new Set(),
    pendingAdd: null,
    loadSeq: s.loadSeq + 1,
    loadedFromOutside: !!opts.fromOutside,
  }));
}

let toastSeq = 0;
export function toast(text: string, kind: Toast['kind'] = 'info', ms = 4000): void {
  const t = { id: ++toastSeq, kind, text };
  setState((s) => ({ toasts: [...s.toasts, t] }));
  setTimeout(() => setState((s) => ({ toasts: s.toasts.filter((x) => x.id !== t.id) })), kind === 'error' ? Math.max(ms, 8000) : ms);
}
