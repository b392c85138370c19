// The Import report: what the last model import (an ONNX file or a tfjs model.json) said, kept so
// the dialog can show it after the import and again from "Last import report". A refused file's
// blockers, the importer's notes and the in-page comparison with onnxruntime-web each used to be
// a toast that vanished before a long one was read; here they stay until the user closes them.
// No React: the dialog (ImportReportDialog.tsx) renders this, and "Copy report" copies its lines.
import { getState, setState, toast } from './store';

export type { CompareStatus, ImportedSummary, ImportReportData } from './importReportData';
import type { CompareStatus, ImportedSummary, ImportReportData } from './importReportData';

export const UNCHANGED = 'Nothing was written; your current graph is unchanged.';
export const COMPARING = 'comparing with onnxruntime-web…';

let seq = 0;

/** Shows a new report (replacing the last one) and opens the dialog. */
export function showImportReport(r: Omit<ImportReportData, 'seq'>): number {
  const report = { ...r, seq: ++seq };
  setState({ importReport: report, importReportOpen: true });
  return report.seq;
}

/**
 * The comparison of import `forSeq` moved on. Dropped when a newer import replaced the report;
 * when the dialog was closed meanwhile, a short toast says the result is in the report.
 */
export function setCompare(forSeq: number, compare: CompareStatus): void {
  const s = getState();
  if (s.importReport?.seq !== forSeq) return;
  setState({ importReport: { ...s.importReport, compare } });
  if (s.importReportOpen || compare.state === 'running') return;
  const what = compare.state === 'done' ? (compare.ok ? 'matches the original file' : 'differs from the original file') : compare.state === 'skipped' ? 'was not compared in the page' : 'could not be compared';
  toast(`${s.importReport.file} ${what} — see Last import report`, compare.state === 'done' && !compare.ok ? 'error' : 'info', 8000);
}

export function openImportReport(): void {
  if (getState().importReport) setState({ importReportOpen: true });
  else toast('No model has been imported in this session yet', 'info');
}

export function closeImportReport(): void {
  setState({ importReportOpen: false });
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** The "Imported as …" line of a successful import. */
export function importedLine(i: ImportedSummary): string {
  const how = i.source === 'neural-blocks' ? 'Reopened (a Neural Blocks export)' : 'Imported';
  const params = `${count(i.trainableParams, 'trainable parameter')}${i.nonTrainableParams ? ` (+ ${i.nonTrainableParams.toLocaleString('en-US')} non-trainable)` : ''}`;
  return `${how} as the new graph "${i.graph}": ${count(i.blocks, 'block')}, ${count(i.connections, 'connection')}, ${params}`;
}

/** The comparison's line as the report says it. */
export function compareText(c: CompareStatus): string {
  return c.state === 'running' ? COMPARING : c.text;
}

/** The whole report as plain text lines ("Copy report"). */
export function reportLines(r: ImportReportData): string[] {
  const lines = [`Import report: ${r.file}`];
  if (r.imported) {
    lines.push(importedLine(r.imported), `Weights: ${r.imported.weights}`);
    if (r.notes.length) lines.push('Notes:', ...r.notes.map((n) => `  ${n}`));
    if (r.compare) lines.push(`Comparison with the original file: ${compareText(r.compare)}`);
  }
  if (r.refused) lines.push(r.refused.headline, UNCHANGED, ...r.refused.lines);
  else if (r.error) lines.push(`Not imported: ${r.error}`, UNCHANGED);
  return lines;
}
