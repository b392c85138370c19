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
import { locateDiagnostics, locateFormatError, type TextRange } from './jsonLocate';
import type { Analysis } from '../core/infer';

type Ed = Parameters<OnMount>[0];
type Model = NonNullable<ReturnType<Ed['getModel']>>;

const OWNER = 'neural-blocks';

function marker(range: TextRange, message: string, severity: monaco.MarkerSeverity): monaco.editor.IMarkerData {
  return { severity, message, startLineNumber: range.startLine, startColumn: range.startCol, endLineNumber: range.endLine, endColumn: range.endCol };
}

/**
 * The graph's problems (bad param values, unknown block types, broken edges, shape errors…) as
 * markers on the lines of the values they are about; graph-level ones, with no value to point
 * at, go on line 1 as warnings.
 */
function setGraphMarkers(model: Model, text: string, doc: GraphDoc, analysis: Analysis): number {
  const problems = locateDiagnostics(text, doc, analysis);
  monaco.editor.setModelMarkers(
    model,
    OWNER,
    problems.map((p) => marker(p, p.message, p.located ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning)),
  );
  return problems.length;
}

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
    setGraphMarkers(ed.getModel()!, text, doc, getState().analysis);
    setStatus({ ok: true, text: 'In sync with the canvas' });
  }, [doc]);

  const apply = (text: string) => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    try {
      const parsed = withEdgeIds(parseGraphText(text, 'the editor text'));
      const same = serializeGraph(parsed) === serializeGraph(getState().doc);
      if (!same) {
        fromEditor.current = parsed;
        commit(parsed, { coalesce: 'json-editor' });
      }
      // The text's own positions: the graph's problems are marked where this text has them.
      const n = setGraphMarkers(model, text, parsed, getState().analysis);
      const problems = n ? ` · ${n} problem${n === 1 ? '' : 's'} marked` : '';
      setStatus({ ok: true, text: (same ? 'In sync with the canvas' : 'Applied to the canvas') + problems });
    } catch (e) {
      const msg = (e as Error).message;
      let range: TextRange;
      if (e instanceof GraphFormatError && !/not valid JSON/.test(msg)) {
        // A structural error names its place (nodes[3] "params"…): mark that value.
        range = locateFormatError(text, msg);
      } else {
        const at = errorPos(text, msg);
        const lineEnd = model.getLineMaxColumn(Math.min(at.line, model.getLineCount()));
        range = { startLine: at.line, startCol: at.col, endLine: at.line, endCol: at.col + 1 < lineEnd ? lineEnd : at.col + 1 };
      }
      monaco.editor.setModelMarkers(model, OWNER, [marker(range, msg, monaco.MarkerSeverity.Error)]);
      setStatus({ ok: false, text: `${msg} — the canvas is unchanged` });
    }
  };

  const onMount: OnMount = (ed) => {
    editorRef.current = ed;
    const own = () => monaco.editor.getModelMarkers({ resource: ed.getModel()!.uri, owner: OWNER });
    if (window.__nb) {
      window.__nb.jsonMarkers = () => own().map((m) => m.message);
      // For the e2e tests: where each marker sits (the typed hook above only carries messages).
      (window.__nb as { jsonMarkerLines?: () => { line: number; col: number; message: string }[] }).jsonMarkerLines = () =>
        own().map((m) => ({ line: m.startLineNumber, col: m.startColumn, message: m.message }));
    }
    const text = serializeGraph(getState().doc);
    ed.setValue(text);
    setGraphMarkers(ed.getModel()!, text, getState().doc, getState().analysis);
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
