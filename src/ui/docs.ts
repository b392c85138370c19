// Documents: the named graphs in IndexedDB, autosave, opening files, templates and share links.
// Opening never replaces the graph being edited: it becomes a new named graph next to it (the
// current one is saved first), so unsaved work is never overwritten.
import { emptyGraph, GRAPH_FORMAT, GraphFormatError, parseGraph, parseGraphText, serializeGraph, type GraphDoc } from '../core/graph';
import { withEdgeIds } from '../core/edit';
import { getState, loadDoc, setState, subscribe, toast } from './store';
import { deleteGraph, getKV, listGraphs, loadGraph, newGraphId, saveGraph, setKV, type GraphRecord } from './persist';
import { decodeShare, shareUrl } from './share';

let saveTimer: ReturnType<typeof setTimeout> | null = null;
let lastSaved: { id: string; doc: GraphDoc } | null = null;
let graphList: Omit<GraphRecord, 'doc'>[] = [];
const listListeners = new Set<() => void>();

export function getGraphList(): Omit<GraphRecord, 'doc'>[] {
  return graphList;
}
export function onGraphList(l: () => void): () => void {
  listListeners.add(l);
  return () => listListeners.delete(l);
}
async function refreshList(): Promise<void> {
  graphList = await listGraphs();
  for (const l of listListeners) l();
}

/** Writes the current graph now (autosave calls this shortly after each change). */
export async function flushSave(): Promise<void> {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  const { docId, doc } = getState();
  if (lastSaved && lastSaved.id === docId && lastSaved.doc === doc) return;
  lastSaved = { id: docId, doc };
  await saveGraph({ id: docId, name: doc.name ?? 'Untitled', doc, updatedAt: Date.now() });
  await setKV('current', docId);
  if (!graphList.some((g) => g.id === docId && g.name === (doc.name ?? 'Untitled'))) await refreshList();
}

function scheduleSave(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void flushSave().catch((e) => toast(`autosave failed: ${(e as Error).message}`, 'error')), 150);
}

/** Opens a graph as a new named document (the current one stays saved). */
export async function openAsNew(doc: GraphDoc, why: string): Promise<void> {
  await flushSave();
  const id = newGraphId();
  let name = doc.name ?? 'Untitled';
  const names = new Set(graphList.map((g) => g.name));
  if (names.has(name)) {
    let k = 2;
    while (names.has(`${name} (${k})`)) k++;
    name = `${name} (${k})`;
  }
  const d = withEdgeIds({ ...doc, name });
  loadDoc(id, d, { fromOutside: true });
  await flushSave();
  toast(`${why}: opened "${name}" as a new graph — your other graphs are kept under Graphs`, 'success');
}

export async function switchTo(id: string): Promise<void> {
  await flushSave();
  const rec = await loadGraph(id);
  if (!rec) return toast(`graph ${id} is no longer stored`, 'error');
  loadDoc(id, rec.doc);
  await setKV('current', id);
}

export async function newGraph(): Promise<void> {
  await openAsNew(emptyGraph('Untitled'), 'New graph');
}

export async function deleteCurrent(): Promise<void> {
  const { docId, doc } = getState();
  if (!confirm(`Delete the graph "${doc.name ?? 'Untitled'}"? This cannot be undone.`)) return;
  await deleteGraph(docId);
  lastSaved = null;
  await refreshList();
  const next = graphList[0];
  if (next) await switchTo(next.id);
  else {
    loadDoc(newGraphId(), emptyGraph('Untitled'));
    await flushSave();
  }
}

/**
 * Opens a file picked or dropped by the user: a graph .json, or a model to import (.onnx, or a
 * tfjs model.json — with its weights.bin among `companions`). A malformed file leaves everything
 * as it was.
 */
export async function openFile(file: File, companions: File[] = []): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // The importer (protobufjs + onnx.proto) loads only when a model file comes.
  const imp = await import('../import/index');
  if (imp.isModelFile(file.name, bytes)) return importModelFile(file, bytes, companions);
  let doc: GraphDoc;
  try {
    doc = parseGraphText(new TextDecoder().decode(bytes), `"${file.name}"`);
  } catch (e) {
    toast(e instanceof GraphFormatError ? e.message : `could not read "${file.name}": ${(e as Error).message}`, 'error');
    return;
  }
  await openAsNew({ ...doc, name: doc.name ?? file.name.replace(/\.json$/i, '') }, `Opened ${file.name}`);
}

/**
 * A model.json's weight files among the picked ones: only those its manifest names, their sizes
 * checked before reading (src/import/manifest.ts). None picked: the graph opens without weights.
 */
async function pickedWeights(file: File, bytes: Uint8Array, companions: File[]): Promise<{ weightsBin?: Uint8Array }> {
  const bins = companions.filter((f) => f !== file && /\.bin$/i.test(f.name));
  if (!bins.length || !/\.json$/i.test(file.name)) return {};
  const { planWeightFiles, pickWeightFiles } = await import('../import/manifest');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {}; // importFile reports the JSON error
  }
  const files = pickWeightFiles(planWeightFiles(json, file.name), bins, file.name);
  const out = new Uint8Array(files.reduce((n, f) => n + f.size, 0));
  let off = 0;
  for (const f of files) {
    out.set(new Uint8Array(await f.arrayBuffer()), off);
    off += f.size;
  }
  return { weightsBin: out };
}

/**
 * Imports an ONNX or tfjs model as a new graph; its weights are kept with it like trained ones.
 * Whatever the importer says (what came in, its notes, the blockers of a refused file, the
 * comparison with the original file) goes to the Import report, which opens.
 */
async function importModelFile(file: File, bytes: Uint8Array, companions: File[]): Promise<void> {
  const imp = await import('../import/index');
  const { showImportReport, setCompare } = await import('./importReport');
  let r: Awaited<ReturnType<typeof imp.importFile>>;
  try {
    r = await imp.importFile(file.name, bytes, await pickedWeights(file, bytes, companions));
  } catch (e) {
    if (e instanceof imp.ImportError && e.unsupported.length) {
      const { headline, sections } = imp.blockerReport(file.name, e.unsupported, e.unchecked);
      showImportReport({ file: file.name, notes: [], refused: { headline, sections, lines: sections.flatMap(imp.sectionLines) } });
    } else showImportReport({ file: file.name, notes: [], error: (e as Error).message });
    return;
  }
  try {
    // Exporters' generic graph names (torch's "torch_jit", tf2onnx's "main_graph") say less than the file's.
    const generic = !r.doc.name || /^(imported|torch_jit|torch-jit-export|main_graph|graph)$/i.test(r.doc.name);
    await openAsNew({ ...r.doc, name: generic ? file.name.replace(/\.(onnx|json)$/i, '') : r.doc.name }, `Imported ${file.name}`);
    if (r.weights) {
      const { persistWeights } = await import('./train/trainState');
      await persistWeights(getState().docId, imp.toSavedModel(getState().doc, r.weights), `imported from ${file.name}`);
    }
  } catch (e) {
    // Storage failed (IndexedDB): the file itself was fine.
    toast(`could not open the imported "${file.name}": ${(e as Error).message}`, 'error');
    return;
  }
  const { summarize } = await import('../core/summary');
  const s = getState();
  const totals = summarize(s.analysis).totals;
  // The CLI's --compare, in the page: the imported graph against onnxruntime-web on the file.
  const compare = r.weights && imp.detectKind(file.name, bytes) === 'onnx';
  const seq = showImportReport({
    file: file.name,
    imported: {
      graph: s.doc.name ?? 'Untitled',
      blocks: s.doc.nodes.length,
      connections: s.doc.edges.length,
      trainableParams: totals.trainableParams,
      nonTrainableParams: totals.nonTrainableParams,
      weights: r.weights ? `imported with the model, kept with the graph like trained ones` : `none (no weights file was picked with ${file.name}): the graph opens with fresh weights`,
      source: r.report.source,
    },
    notes: r.report.notes,
    ...(compare ? { compare: { state: 'running' as const } } : {}),
  });
  if (compare) void import('./importCheck').then((m) => m.checkImport(file.name, bytes, { doc: r.doc, weights: r.weights!, report: r.report }, (c) => setCompare(seq, c)));
}

export function saveFile(): void {
  const { doc } = getState();
  const blob = new Blob([serializeGraph(doc)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${(doc.name ?? 'graph').replace(/[^\w.-]+/g, '_')}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export async function copyShareLink(): Promise<string> {
  const url = await shareUrl(getState().doc);
  try {
    await navigator.clipboard.writeText(url);
    toast('Share link copied to the clipboard (the graph travels in the link itself)', 'success');
  } catch {
    prompt('Copy this share link:', url);
  }
  return url;
}

// Templates: every templates/*.json, bundled at build time.
const templateFiles = import.meta.glob('/templates/*.json', { eager: true, import: 'default' }) as Record<string, unknown>;
export interface TemplateInfo {
  file: string;
  name: string;
  description: string;
  doc?: GraphDoc;
  error?: string;
}
export const TEMPLATES: TemplateInfo[] = Object.entries(templateFiles)
  // Other JSON files there (an index, goldens) are not graphs.
  .filter(([, data]) => (data as { format?: unknown } | null)?.format === GRAPH_FORMAT)
  .map(([path, data]) => {
    const file = path.split('/').pop()!;
    try {
      const doc = parseGraph(data, file);
      return { file, name: doc.name ?? file, description: doc.description ?? String(doc.meta?.description ?? ''), doc };
    } catch (e) {
      return { file, name: file, description: '', error: (e as Error).message };
    }
  })
  .sort((a, b) => a.name.localeCompare(b.name));

export async function openTemplate(t: TemplateInfo): Promise<void> {
  if (!t.doc) return toast(t.error ?? `template ${t.file} cannot be read`, 'error');
  await openAsNew(structuredClone(t.doc), `Template ${t.name}`);
}

async function openShareFromHash(): Promise<void> {
  const hash = location.hash;
  if (!hash.startsWith('#graph=')) return;
  history.replaceState(null, '', location.pathname + location.search);
  try {
    const doc = await decodeShare(hash.slice('#graph='.length));
    await openAsNew(doc, 'Share link');
  } catch (e) {
    // Nothing was opened or changed: say so, with the reason.
    toast(`Share link not opened: ${(e as Error).message}`, 'error', 15000);
  }
}

/** Startup: a share link in the URL opens as a new graph; otherwise the last graph reopens. */
export async function boot(): Promise<void> {
  await refreshList().catch(() => undefined);
  const current = await getKV<string>('current').catch(() => undefined);
  const rec = current ? await loadGraph(current).catch(() => undefined) : graphList[0] ? await loadGraph(graphList[0].id) : undefined;
  if (rec) loadDoc(rec.id, rec.doc);
  else loadDoc(newGraphId(), emptyGraph('Untitled'));
  lastSaved = null;
  await flushSave().catch(() => undefined);
  await openShareFromHash();
  // A share link pasted into the address bar of an open tab only changes the hash.
  addEventListener('hashchange', () => void openShareFromHash());
  subscribe(() => {
    const s = getState();
    if (!lastSaved || lastSaved.doc !== s.doc || lastSaved.id !== s.docId) scheduleSave();
  });
  const flushNow = () => void flushSave();
  addEventListener('pagehide', flushNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushNow();
  });
  setState({});
}
