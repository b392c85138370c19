// The Import report's data (what the last model import said), apart from the functions that keep
// it (importReport.ts), so the store can hold it without importing them back.
import type { BlockerSection } from '../import/onnx/blockers';

/** The comparison with the original file, as it goes. */
export type CompareStatus =
  | { state: 'running' }
  /** `text`: importCheck's compareLine; `ok`: within its tolerance. */
  | { state: 'done'; ok: boolean; text: string }
  /** Not run in the page (a large file): says how to run it with the CLI. */
  | { state: 'skipped'; text: string }
  | { state: 'failed'; text: string };

export interface ImportedSummary {
  /** The name it opened under (a new graph next to the others). */
  graph: string;
  blocks: number;
  connections: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Where its weights came from, in words. */
  weights: string;
  /** Our own export reopened exactly, or a foreign model converted op by op. */
  source: 'neural-blocks' | 'foreign';
}

export interface ImportReportData {
  /** Which import this is (a comparison that finishes after a newer import is dropped). */
  seq: number;
  file: string;
  imported?: ImportedSummary;
  notes: string[];
  /** Absent where no comparison applies (a tfjs model.json, an import without weights). */
  compare?: CompareStatus;
  /**
   * The ops with no block: the headline, one section per op, and the sections as the CLI prints
   * them (computed with the importer, which this module does not load).
   */
  refused?: { headline: string; sections: BlockerSection[]; lines: string[] };
  /** The file could not be read as a model at all (the importer's one-line message). */
  error?: string;
}
