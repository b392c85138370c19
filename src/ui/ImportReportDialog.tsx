// The Import report dialog: opens after every model import (and from "Last import report"), titled
// with the file name. A success shows what came in, the importer's notes and the comparison with
// the original file as it runs; a refusal shows one block per op with no block. Esc or Close
// closes it; Tab stays inside while it is open; focus returns where it was.
import { useEffect, useRef, useState } from 'react';
import { closeImportReport, compareText, importedLine, reportLines, UNCHANGED, type CompareStatus, type ImportReportData } from './importReport';
import type { BlockerSection } from '../import/onnx/blockers';
import { useStore } from './store';
import { openFile } from './docs';

const FOCUSABLE = 'button, [href], summary, [tabindex]:not([tabindex="-1"])';

function Compare({ c }: { c: CompareStatus }) {
  const cls = c.state === 'done' ? (c.ok ? 'ok' : 'bad') : c.state === 'running' ? 'running' : 'info';
  return (
    <div className={`nb-ir-compare ${cls}`} data-testid="import-report-compare" role="status">
      {c.state === 'done' && <b>{c.ok ? 'Matches' : 'Does not match'} the original file. </b>}
      {compareText(c)}
    </div>
  );
}

function Section({ s }: { s: BlockerSection }) {
  return (
    <li className="nb-ir-group" data-testid="import-report-group">
      <div className="nb-ir-op">{s.title}</div>
      <div>{s.reason}</div>
      {s.also.map((a, i) => (
        <div key={i} className="nb-ir-also">
          <span className="nb-muted">also:</span> {a}
        </div>
      ))}
      {s.otherReasons > 0 && <div className="nb-ir-also nb-muted">and {s.otherReasons} other reason(s)</div>}
      <div className="nb-ir-nodes mono">{s.nodes}</div>
      {s.nodeNames.length > 3 && (
        <details className="nb-ir-all">
          <summary>all {s.nodeNames.length} node names</summary>
          <div className="mono">{s.nodeNames.join(', ')}</div>
        </details>
      )}
      {s.cover && (
        <div className="nb-ir-cover">
          <span className="nb-muted">would cover it:</span> {s.cover}
        </div>
      )}
    </li>
  );
}

function Body({ r }: { r: ImportReportData }) {
  if (r.refused || r.error)
    return (
      <>
        <p className="nb-ir-headline">{r.refused ? r.refused.headline : `Not imported: ${r.error}`}</p>
        <p className="nb-ir-unchanged" data-testid="import-report-unchanged">
          {UNCHANGED}
        </p>
        {r.refused && (
          <ul className="nb-ir-groups" aria-label="Ops with no block">
            {r.refused.sections.map((s) => (
              <Section key={s.title} s={s} />
            ))}
          </ul>
        )}
      </>
    );
  const i = r.imported!;
  return (
    <>
      <p className="nb-ir-headline">{importedLine(i)}</p>
      <p className="nb-muted">Weights: {i.weights}</p>
      {r.notes.length > 0 && (
        <>
          <h4>Notes</h4>
          <ul className="nb-ir-notes">
            {r.notes.map((n, k) => (
              <li key={k}>{n}</li>
            ))}
          </ul>
        </>
      )}
      {r.compare && (
        <>
          <h4>Comparison with the original file</h4>
          <Compare c={r.compare} />
        </>
      )}
    </>
  );
}

export function ImportReportDialog() {
  const open = useStore((s) => s.importReportOpen);
  const r = useStore((s) => s.importReport);
  const [copied, setCopied] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const before = document.activeElement as HTMLElement | null;
    setCopied(null);
    // The report itself takes focus, not a button: arrow keys and PageDown scroll a long one, and
    // the Enter that opened it (from the command palette) cannot press Close on its way.
    body.current?.focus();
    return () => {
      if (before?.isConnected) before.focus();
    };
  }, [open, r?.seq]);
  if (!open || !r) return null;
  const copy = () => {
    const text = reportLines(r).join('\n');
    navigator.clipboard.writeText(text).then(
      () => setCopied('Copied'),
      () => setCopied('The clipboard refused; select the text and copy it'),
    );
  };
  const onKey = (e: React.KeyboardEvent) => {
    // The canvas' shortcuts (Delete, Ctrl+Z…) do not reach the graph behind the dialog.
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      closeImportReport();
    } else if (e.key === 'Tab') {
      const items = [...(box.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first?.focus();
      }
    }
  };
  const refused = !!(r.refused || r.error);
  return (
    <div
      className="nb-modal-back nb-ir-back"
      onMouseDown={closeImportReport}
      // The next model dropped while this is open is imported as on the canvas below (not opened by
      // the browser in place of the app).
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDrop={(e) => {
        const files = [...e.dataTransfer.files];
        const main = files.find((f) => !/\.bin$/i.test(f.name));
        if (!main) return;
        e.preventDefault();
        closeImportReport();
        void openFile(main, files.filter((f) => f !== main));
      }}
    >
      <div
        ref={box}
        className={`nb-dialog nb-ir${refused ? ' refused' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby="nb-ir-title"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={onKey}
        data-testid="import-report"
      >
        <header className="nb-ir-head">
          <span className="nb-ir-kind">{refused ? 'Not imported' : 'Import report'}</span>
          <h3 id="nb-ir-title" className="mono">
            {r.file}
          </h3>
        </header>
        <div ref={body} className="nb-ir-body" role="region" tabIndex={0} aria-label="Report" data-testid="import-report-body">
          <Body r={r} />
        </div>
        <div className="nb-dialog-buttons nb-ir-foot">
          {copied && (
            <span className="nb-muted nb-ir-copied" role="status">
              {copied}
            </span>
          )}
          <button className="nb-btn" onClick={copy} data-testid="import-report-copy">
            Copy report
          </button>
          {/* Not .primary: white on the accent blue is under 4.5:1 (axe's color-contrast). */}
          <button className="nb-btn" onClick={closeImportReport} data-testid="import-report-close">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
