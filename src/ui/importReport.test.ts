// The Import report's state and its plain text ("Copy report"): a comparison that finishes after
// a newer import is dropped; one that finishes with the dialog closed leaves a short toast.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeImportReport, reportLines, setCompare, showImportReport, UNCHANGED } from './importReport';
import { getState, setState } from './store';

const imported = { graph: 'bigru', blocks: 7, connections: 7, trainableParams: 1234, nonTrainableParams: 0, weights: 'imported with the model', source: 'foreign' as const };

afterEach(() => {
  setState({ importReport: null, importReportOpen: false, toasts: [] });
  vi.useRealTimers();
});

describe('Import report', () => {
  it('opens on an import and follows its comparison; a stale comparison is dropped', () => {
    vi.useFakeTimers();
    const first = showImportReport({ file: 'a.onnx', imported, notes: [], compare: { state: 'running' } });
    expect(getState().importReportOpen).toBe(true);
    const second = showImportReport({ file: 'b.onnx', imported, notes: ['input "x" is NCHW'], compare: { state: 'running' } });
    setCompare(first, { state: 'done', ok: true, text: 'a.onnx: largest difference vs the original file: 1.00e-7' });
    expect(getState().importReport?.compare).toEqual({ state: 'running' });
    setCompare(second, { state: 'done', ok: true, text: 'b.onnx: largest difference vs the original file: 3.20e-7' });
    expect(getState().importReport?.compare).toEqual({ state: 'done', ok: true, text: 'b.onnx: largest difference vs the original file: 3.20e-7' });
    expect(getState().toasts).toEqual([]);
    expect(reportLines(getState().importReport!)).toEqual([
      'Import report: b.onnx',
      'Imported as the new graph "bigru": 7 blocks, 7 connections, 1,234 trainable parameters',
      'Weights: imported with the model',
      'Notes:',
      '  input "x" is NCHW',
      'Comparison with the original file: b.onnx: largest difference vs the original file: 3.20e-7',
    ]);
  });

  it('a comparison ending with the dialog closed says so in a toast', () => {
    vi.useFakeTimers();
    const seq = showImportReport({ file: 'c.onnx', imported, notes: [], compare: { state: 'running' } });
    closeImportReport();
    setCompare(seq, { state: 'done', ok: false, text: 'c.onnx: largest difference vs the original file: 2.00e-2' });
    expect(getState().toasts.map((t) => [t.kind, t.text])).toEqual([['error', 'c.onnx differs from the original file — see Last import report']]);
  });

  it('a refusal: headline, that nothing changed, then the CLI\'s sections', () => {
    showImportReport({ file: 'r.onnx', notes: [], refused: { headline: 'r.onnx cannot be imported: 1 node (1 kind of op) has no block.', sections: [], lines: ['  Tile ×1: no block for ONNX op Tile', '    node: "t"'] } });
    expect(reportLines(getState().importReport!)).toEqual(['Import report: r.onnx', 'r.onnx cannot be imported: 1 node (1 kind of op) has no block.', UNCHANGED, '  Tile ×1: no block for ONNX op Tile', '    node: "t"']);
    showImportReport({ file: 'bad.onnx', notes: [], error: 'bad.onnx: truncated protobuf' });
    expect(reportLines(getState().importReport!)).toEqual(['Import report: bad.onnx', 'Not imported: bad.onnx: truncated protobuf', UNCHANGED]);
  });
});
