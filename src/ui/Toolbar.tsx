// The top bar: graph name, documents (named graphs, templates, files, share link), edit and view
// commands. Every button runs an Action from actions.ts.
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { renameGraph } from '../core/edit';
import { ACTIONS, shortcutLabel } from './actions';
import { commit, getState, setState, useStore } from './store';
import { deleteCurrent, getGraphList, onGraphList, openFile, openTemplate, switchTo, TEMPLATES } from './docs';

function act(id: string) {
  return ACTIONS.find((a) => a.id === id)!;
}

function Btn({ id, icon, label }: { id: string; icon?: string; label?: string }) {
  const a = act(id);
  useStore((s) => s.past.length + s.future.length); // re-render for enabled state
  const enabled = !a.enabled || a.enabled();
  return (
    <button className="nb-btn" disabled={!enabled} onClick={() => a.perform()} title={`${a.label}${a.shortcut ? ` (${shortcutLabel(a.shortcut)})` : ''}`} data-testid={`btn-${id}`}>
      {icon && <span className="nb-ico">{icon}</span>}
      {label}
    </button>
  );
}

function Menu({ label, children, testid }: { label: string; children: (close: () => void) => React.ReactNode; testid?: string }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const h = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    addEventListener('mousedown', h);
    return () => removeEventListener('mousedown', h);
  }, [open]);
  return (
    <div className="nb-menu" ref={ref}>
      <button className={`nb-btn${open ? ' active' : ''}`} onClick={() => setOpen(!open)} data-testid={testid}>
        {label} ▾
      </button>
      {open && <div className="nb-menu-pop">{children(() => setOpen(false))}</div>}
    </div>
  );
}

function GraphName() {
  const name = useStore((s) => s.doc.name ?? 'Untitled');
  const docId = useStore((s) => s.docId);
  const [text, setText] = useState(name);
  useEffect(() => setText(name), [name, docId]);
  return (
    <input
      className="nb-graph-name"
      value={text}
      data-testid="graph-name"
      onChange={(e) => setText(e.target.value)}
      onBlur={() => text.trim() && text !== name && commit(renameGraph(getState().doc, text.trim()))}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
      title="Graph name"
    />
  );
}

export function Toolbar() {
  const graphs = useSyncExternalStore(onGraphList, getGraphList);
  const docId = useStore((s) => s.docId);
  const view = useStore((s) => s.view);
  const errors = useStore((s) => s.analysis.errors.length);
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <header className="nb-toolbar">
      <div className="nb-brand">
        <span className="nb-logo">◆</span> Neural Blocks
      </div>
      <GraphName />
      <Menu label="Graphs" testid="menu-graphs">
        {(close) => (
          <>
            <div className="nb-menu-title">Your graphs (autosaved)</div>
            {graphs.map((g) => (
              <div
                key={g.id}
                className={`nb-menu-item${g.id === docId ? ' current' : ''}`}
                onClick={() => {
                  close();
                  void switchTo(g.id);
                }}
              >
                <span>{g.name}</span>
                <span className="nb-muted">{new Date(g.updatedAt).toLocaleString()}</span>
              </div>
            ))}
            <div className="nb-menu-sep" />
            <div className="nb-menu-item" onClick={() => (close(), act('new').perform())}>
              New graph
            </div>
            <div className="nb-menu-item" onClick={() => (close(), fileRef.current?.click())}>
              Open JSON file… <kbd>{shortcutLabel('Mod+O')}</kbd>
            </div>
            <div className="nb-menu-item" onClick={() => (close(), act('save').perform())}>
              Save as JSON file <kbd>{shortcutLabel('Mod+S')}</kbd>
            </div>
            <div className="nb-menu-item" onClick={() => (close(), act('share').perform())}>
              Copy share link
            </div>
            <div className="nb-menu-sep" />
            <div className="nb-menu-item danger" onClick={() => (close(), void deleteCurrent())}>
              Delete this graph…
            </div>
          </>
        )}
      </Menu>
      <Menu label="Templates" testid="menu-templates">
        {(close) => (
          <>
            <div className="nb-menu-title">New from template</div>
            {TEMPLATES.length === 0 && <div className="nb-menu-item nb-muted">No templates yet</div>}
            {TEMPLATES.map((t) => (
              <div key={t.file} className="nb-menu-item tall" onClick={() => (close(), void openTemplate(t))} title={t.error ?? t.description}>
                <span>{t.name}</span>
                {t.description && <span className="nb-muted nb-ellipsis">{t.description}</span>}
              </div>
            ))}
          </>
        )}
      </Menu>
      <input
        id="nb-file-input"
        ref={fileRef}
        type="file"
        accept=".json,.onnx,.bin,application/json"
        multiple
        hidden
        data-testid="file-input"
        onChange={(e) => {
          // A graph .json, an .onnx model, or a tfjs model.json picked together with its weights.bin.
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          const f = files.find((x) => !/\.bin$/i.test(x.name));
          if (f) void openFile(f, files.filter((x) => x !== f));
        }}
      />
      <div className="nb-sep" />
      <Btn id="undo" icon="↶" />
      <Btn id="redo" icon="↷" />
      <Btn id="layout" icon="⇶" label="Layout" />
      <Btn id="fit" icon="⤢" label="Fit" />
      <div className="nb-spacer" />
      <span className={`nb-status ${errors ? 'bad' : 'good'}`} data-testid="status">
        {errors ? `${errors} problem${errors === 1 ? '' : 's'}` : 'valid'}
      </span>
      <button className={`nb-btn${view === 'catalog' ? ' active' : ''}`} onClick={() => setState({ view: view === 'catalog' ? 'editor' : 'catalog' })} data-testid="btn-catalog">
        {view === 'catalog' ? 'Back to editor' : 'Blocks reference'}
      </button>
      <button className="nb-btn" onClick={() => setState({ commandPalette: true })} title={`Command palette (${shortcutLabel('Mod+K')})`}>
        ⌘ Commands
      </button>
    </header>
  );
}
