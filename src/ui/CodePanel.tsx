// The code panel: the graph as JSON (edit it: a valid graph updates the canvas at once; invalid
// JSON or a malformed graph puts a marker in the editor and leaves the canvas as it is) and a
// read-only view of the equivalent tfjs-layers code.
import { useEffect, useMemo, useRef, useState } from 'react';
import Editor, { type OnMount } from '@monaco-editor/react';
import { monaco } from './monacoSetup';
import { GraphFormatError, parseGraphText, serializeGraph, type GraphDoc } from '../core/graph';
import { generateTfjs } from '../core/codegen';
import { withEdgeIds } from '../core/edit';
import { commit, getState, useStore } from './store';

type Ed = Parameters<OnMount>[0];

/** Where a JSON.parse error points, from V8's "(line L column C)" or "at position N" messages. */
function errorPos(text: string, message: string): { line: number; col: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), col: Number(lc[2]) };
  const p = /position (\d+)/.exec(message);
  if (p) {
    const before = text.slice(0, Number(p[1]));
    const lines = before.split('\n');
    return { line: lines.length, col: lines[lines.length - 1]!.length + 1 };
  }
  return { line: 1, col: 1 };
}

function JsonPanel() {
  const doc = useStore((s) => s.doc);
  const editorRef = useRef<Ed | null>(null);
  const fromEditor = useRef<GraphDoc | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string }>({ ok: true, text: 'In sync with the canvas' });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Canvas → text, unless this document came from the text itself.
  useEffect(() => {
    const ed = editorRef.current;
    if (!ed || fromEditor.current === doc) return;
    const text = serializeGraph(doc);
    if (ed.getValue() !== text) {
      const pos = ed.getPosition();
      ed.setValue(text);
      if (pos) ed.setPosition(pos);
    }
    monaco.editor.setModelMarkers(ed.getModel()!, 'neural-blocks', []);
    setStatus({ ok: true, text: 'In sync with the canvas' });
  }, [doc]);

  const apply = (text: string) => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    try {
      const parsed = withEdgeIds(parseGraphText(text, 'JSON'));
      monaco.editor.setModelMarkers(model, 'neural-blocks', []);
      if (serializeGraph(parsed) === serializeGraph(getState().doc)) {
        setStatus({ ok: true, text: 'In sync with the canvas' });
        return;
      }
      fromEditor.current = parsed;
      commit(parsed, { coalesce: 'json-editor' });
      setStatus({ ok: true, text: 'Applied to the canvas' });
    } catch (e) {
      const msg = (e as Error).message;
      const at = e instanceof GraphFormatError && !/not valid JSON/.test(msg) ? { line: 1, col: 1 } : errorPos(text, msg);
      monaco.editor.setModelMarkers(model, 'neural-blocks', [
        {
          severity: monaco.MarkerSeverity.Error,
          message: msg,
          startLineNumber: at.line,
          startColumn: at.col,
          endLineNumber: at.line,
          endColumn: at.col + 1 < model.getLineMaxColumn(at.line) ? model.getLineMaxColumn(at.line) : at.col + 1,
        },
      ]);
      setStatus({ ok: false, text: `${msg} — the canvas is unchanged` });
    }
  };

  const onMount: OnMount = (ed) => {
    editorRef.current = ed;
    if (window.__nb) window.__nb.jsonMarkers = () => monaco.editor.getModelMarkers({ resource: ed.getModel()!.uri }).map((m) => m.message);
    ed.setValue(serializeGraph(getState().doc));
  };

  return (
    <div className="nb-code" data-testid="json-panel">
      <div className="nb-code-bar">
        <span className={status.ok ? 'good' : 'bad'} data-testid="json-status">
          {status.ok ? '✓' : '⚠'} {status.text}
        </span>
      </div>
      <div className="nb-code-editor">
        <Editor
          path="graph.json"
          defaultLanguage="json"
          theme="vs-dark"
          onMount={onMount}
          onChange={(v) => {
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => apply(v ?? ''), 250);
          }}
          options={{ minimap: { enabled: false }, fontSize: 12, tabSize: 2, scrollBeyondLastLine: false, automaticLayout: true, wordWrap: 'on' }}
        />
      </div>
    </div>
  );
}

function TfjsPanel() {
  const doc = useStore((s) => s.doc);
  const analysis = useStore((s) => s.analysis);
  // Re-generate only when the structure changed (analysis identity), not on moves.
  const res = useMemo(() => generateTfjs(doc), [analysis]);
  return (
    <div className="nb-code" data-testid="code-panel">
      <div className="nb-code-bar">
        {res.errors.length ? (
          <span className="bad">⚠ Fix the graph's errors to get code</span>
        ) : (
          <span className="good">Read-only · the tfjs-layers code this graph compiles to</span>
        )}
      </div>
      <div className="nb-code-editor">
        <Editor path="model.js" language="javascript" theme="vs-dark" value={res.code} options={{ readOnly: true, minimap: { enabled: false }, fontSize: 12, scrollBeyondLastLine: false, automaticLayout: true, wordWrap: 'on', wrappingIndent: 'deepIndent' }} />
      </div>
    </div>
  );
}

export default function CodePanel({ mode }: { mode: 'json' | 'code' }) {
  return mode === 'json' ? <JsonPanel /> : <TfjsPanel />;
}
