// Shared types of the importers (ONNX and tfjs layers-model → graph document + weights).
// Pure TypeScript: no DOM, no Node-only APIs; the CLI and the canvas read the files.
import type { GraphDoc } from '../core/graph';

/** One weight in the tfjs layout the compiled graph expects, keyed by its name (`${nodeId}/kernel`). */
export interface ImportedWeight {
  shape: number[];
  data: Float32Array;
}
export type ImportedWeights = Record<string, ImportedWeight>;

/** An ONNX node (or tfjs layer) that has no block, with where it is and why. */
export interface UnsupportedOp {
  op: string;
  node: string;
  reason: string;
}

export interface ImportReport {
  /** What the file was: our own export reopened exactly, or a foreign model converted op by op. */
  source: 'neural-blocks' | 'foreign';
  format: 'onnx' | 'tfjs';
  unsupported: UnsupportedOp[];
  /** Notes for the user (e.g. "the imported model takes NHWC input"). */
  notes: string[];
}

export interface ImportResult {
  doc: GraphDoc;
  weights: ImportedWeights;
  report: ImportReport;
}

/** One line per unsupported op, as the CLI prints them. */
export function formatUnsupported(u: UnsupportedOp): string {
  return `node "${u.node}" (${u.op}): ${u.reason}`;
}

/**
 * The file maps only partly (`unsupported` lists every op with no block) or is not a model at
 * all (`malformed`: unreadable bytes, missing fields; the message is one line).
 */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly unsupported: UnsupportedOp[] = [],
    readonly malformed = false,
    /** Nodes after the blockers that read their values and so were not checked. */
    readonly unchecked = 0,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

export function unsupportedError(what: string, list: UnsupportedOp[], unchecked = 0): ImportError {
  return new ImportError(`${what}: ${list.length} op(s) have no block — ${list.map(formatUnsupported).join('; ')}`, list, false, unchecked);
}

export function malformed(message: string): ImportError {
  return new ImportError(message, [], true);
}
