// The app shell: toolbar, palette, canvas, side panel (inspector, summary, JSON, code) and the
// overlays (search-to-add, command palette, import report, toasts).
import { lazy, Suspense, useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { Toolbar } from './Toolbar';
import { Palette } from './Palette';
import { Canvas } from './Canvas';
import { Inspector } from './Inspector';
import { SummaryPanel } from './SummaryPanel';
import { Catalog } from './Catalog';
import { SearchAdd } from './SearchAdd';
import { CommandPalette } from './CommandPalette';
import { MacroDialog } from './MacroDialog';
import { ImportReportDialog } from './ImportReportDialog';
import { handleKey } from './actions';
import { setState, useStore, type State } from './store';

const CodePanel = lazy(() => import('./CodePanel'));
const TrainPanel = lazy(() => import('./train/TrainPanel'));

const TABS: { id: State['sideTab']; label: string }[] = [
  { id: 'inspector', label: 'Inspector' },
  { id: 'summary', label: 'Summary' },
  { id: 'json', label: 'JSON' },
  { id: 'code', label: 'tfjs code' },
  { id: 'train', label: 'Train' },
];

function Toasts() {
  const toasts = useStore((s) => s.toasts);
  return (
    <div className="nb-toasts" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`nb-toast ${t.kind}`} role="status">
          {t.text}
        </div>
      ))}
    </div>
  );
}

function StatusBar() {
  const n = useStore((s) => s.doc.nodes.length);
  const e = useStore((s) => s.doc.edges.length);
  const ms = useStore((s) => s.analysisMs);
  const sel = useStore((s) => s.selectedNodes.size);
  return (
    <footer className="nb-statusbar">
      <span>
        {n} blocks · {e} connections{sel ? ` · ${sel} selected` : ''}
      </span>
      <span className="nb-muted">inference {ms.toFixed(1)} ms · autosaved</span>
    </footer>
  );
}

function Side() {
  const tab = useStore((s) => s.sideTab);
  return (
    <aside className="nb-side">
      <div className="nb-tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.id} role="tab" className={`nb-tab${tab === t.id ? ' active' : ''}`} onClick={() => setState({ sideTab: t.id })} data-testid={`tab-${t.id}`}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="nb-side-body">
        {tab === 'inspector' && <Inspector />}
        {tab === 'summary' && <SummaryPanel />}
        {(tab === 'json' || tab === 'code') && (
          <Suspense fallback={<div className="nb-pad nb-muted">Loading editor…</div>}>
            <CodePanel mode={tab} />
          </Suspense>
        )}
        {tab === 'train' && (
          <Suspense fallback={<div className="nb-pad nb-muted">Loading the training panel…</div>}>
            <TrainPanel />
          </Suspense>
        )}
      </div>
    </aside>
  );
}

export function App() {
  const view = useStore((s) => s.view);
  useEffect(() => {
    addEventListener('keydown', handleKey);
    // Mounted: the e2e tests and the benchmark wait for this.
    if (window.__nb) window.__nb.ready = true;
    return () => removeEventListener('keydown', handleKey);
  }, []);
  return (
    <ReactFlowProvider>
      <div className="nb-app">
        <Toolbar />
        <div className="nb-main">
          {view === 'catalog' ? (
            <Catalog />
          ) : (
            <>
              <Palette />
              <Canvas />
              <Side />
            </>
          )}
        </div>
        <StatusBar />
        <SearchAdd />
        <CommandPalette />
        <MacroDialog />
        <ImportReportDialog />
        <Toasts />
      </div>
    </ReactFlowProvider>
  );
}
