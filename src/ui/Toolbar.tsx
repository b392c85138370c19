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
  // Subscribes to the answer itself: an undo moves one step from past to future, which leaves
  // their total (and often everything else the toolbar reads) unchanged.
  const enabled = useStore(() => !a.enabled || a.enabled());
  return (
    <button className="nb-btn" disabled={!enabled} onClick={() => a.perform()} title={`${a.label}${a.shortcut ? ` (${shortcutLabel(a.shortcut)})` : ''}`} data-testid={`btn-${id}`}>
      {icon && <span className="nb-ico">{icon}</span>}
      {label}
    </button>
  );
}

/**
 * A toolbar menu. Escape closes it (focus back on its button); arrow keys move between its items.
 * A click outside closes it and does nothing else: it is not passed on to what lies under it
 * (a block in the palette, a template in another menu), as a native menu behaves.
 */
function Menu({ label, children, testid }: { label: string; children: (close: () => void) => React.ReactNode; testid?: string }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const items = () => [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    items()[0]?.focus();
    const swallow = (e: MouseEvent) => {
      removeEventListener('click', swallow, true);
      if (!ref.current?.contains(e.target as Node)) {
        e.stopPropagation();
        e.preventDefault();
      }
    };
    const down = (e: MouseEvent) => {
      if (ref.current?.contains(e.target as Node)) return;
      setOpen(false);
      addEventListener('click', swallow, true);
      // A press that never becomes a click (a drag) must not eat a later one.
      setTimeout(() => removeEventListener('click', swallow, true), 600);
    };
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false);
        button.current?.focus();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        const list = items();
        const i = list.indexOf(document.activeElement as HTMLElement);
        list[(i + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length]?.focus();
        e.preventDefault();
      }
    };
    addEventListener('mousedown', down, true);
    addEventListener('keydown', key, true);
    return () => {
      removeEventListener('mousedown', down, true);
      removeEventListener('keydown', key, true);
    };
  }, [open]);
  return (
    <div className="nb-menu" ref={ref}>
      <button ref={button} className={`nb-btn${open ? ' active' : ''}`} onClick={() => setOpen(!open)} data-testid={testid} aria-haspopup="menu" aria-expanded={open}>
        {label} ▾
      </button>
      {open && (
        <div className="nb-menu-pop" role="menu" aria-label={label}>
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}

/** One entry of a menu: a real button, so Tab, Enter and screen readers work. */
function Item({ onPick, className, title, children }: { onPick: () => void; className?: string; title?: string; children: React.ReactNode }) {
  return (
    <button type="button" role="menuitem" className={`nb-menu-item${className ? ` ${className}` : ''}`} onClick={onPick} title={title}>
      {children}
    </button>
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
      aria-label="Graph name"
    />
  );
}

export function Toolbar() {
  const graphs = useSyncExternalStore(onGraphList, getGraphList);
  const docId = useStore((s) => s.docId);
  const view = useStore((s) => s.view);
  const errors = useStore((s) => s.analysis.errors.length);
  const empty = useStore((s) => s.doc.nodes.length === 0);
  const hasReport = useStore((s) => !!s.importReport);
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
              <Item
                key={g.id}
                className={g.id === docId ? 'current' : undefined}
                onPick={() => {
                  close();
                  void switchTo(g.id);
                }}
              >
                <span>{g.name}</span>
                <span className="nb-muted">{new Date(g.updatedAt).toLocaleString()}</span>
              </Item>
            ))}
            <div className="nb-menu-sep" />
            <Item onPick={() => (close(), act('new').perform())}>
              New graph
            </Item>
            <Item onPick={() => (close(), fileRef.current?.click())}>
              Open JSON file… <kbd>{shortcutLabel('Mod+O')}</kbd>
            </Item>
            <Item onPick={() => (close(), act('save').perform())}>
              Save as JSON file <kbd>{shortcutLabel('Mod+S')}</kbd>
            </Item>
            <Item onPick={() => (close(), act('share').perform())}>
              Copy share link
            </Item>
            {hasReport && (
              <Item onPick={() => (close(), act('import-report').perform())}>
                Last import report
              </Item>
            )}
            <div className="nb-menu-sep" />
            <Item className="danger" onPick={() => (close(), void deleteCurrent())}>
              Delete this graph…
            </Item>
          </>
        )}
      </Menu>
      <Menu label="Templates" testid="menu-templates">
        {(close) => (
          <>
            <div className="nb-menu-title">New from template</div>
            {TEMPLATES.length === 0 && <div className="nb-menu-item nb-muted">No templates yet</div>}
            {TEMPLATES.map((t) => (
              <Item key={t.file} className="tall" onPick={() => (close(), void openTemplate(t))} title={t.error ?? t.description}>
                <span>{t.name}</span>
                {t.description && <span className="nb-muted nb-ellipsis">{t.description}</span>}
              </Item>
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
      {empty ? (
        // A new graph is not wrong, only empty: a hint, not a red count.
        <span className="nb-status hint" data-testid="status">
          empty — start with an Input block
        </span>
      ) : (
        <span className={`nb-status ${errors ? 'bad' : 'good'}`} data-testid="status">
          {errors ? `${errors} problem${errors === 1 ? '' : 's'}` : 'valid'}
        </span>
      )}
      <button className={`nb-btn${view === 'catalog' ? ' active' : ''}`} onClick={() => setState({ view: view === 'catalog' ? 'editor' : 'catalog' })} data-testid="btn-catalog">
        {view === 'catalog' ? 'Back to editor' : 'Blocks reference'}
      </button>
      <button className="nb-btn" onClick={() => setState({ commandPalette: true })} title={`Command palette (${shortcutLabel('Mod+K')})`}>
        ⌘ Commands
      </button>
    </header>
  );
}
