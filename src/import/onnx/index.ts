// ONNX ModelProto → graph document + weights (tfjs layouts).
//
// Our own exports carry their graph in metadata_props ("neural-blocks.graph") and reopen exactly
// (own.ts). Any other model is converted op by op (convert.ts: the graph walk; table.ts: op type
// → importer, one module per op family in ops/; layout.ts: NCHW ↔ NHWC tracking; fold.ts:
// constant folding).
import { GRAPH_METADATA_KEY } from '../../onnx/export';
import { decodeModel, type OnnxReader } from '../../onnx/read';
import { malformed, type ImportResult } from '../types';
import { convertForeign } from './convert';
import { reopenOwnOnnx } from './own';
import type { PModel } from './proto';

export { convertForeign } from './convert';
export { tensorValues, type PModel } from './proto';
export { ONNX_OPS, OP_FAMILIES } from './table';
export { GRAPH_METADATA_KEY };

/** Decodes ONNX bytes; a file that is not a ModelProto gives a one-line ImportError. */
export function readOnnx(bytes: Uint8Array, reader: OnnxReader, source = 'file'): PModel {
  let m: PModel;
  try {
    m = decodeModel(reader, bytes) as PModel;
  } catch (e) {
    throw malformed(`${source} is not a readable ONNX model: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!m.graph || !(m.graph.node ?? []).length) throw malformed(`${source} is not an ONNX model: it has no graph nodes`);
  return m;
}

export interface OnnxImportOptions {
  /** Name used in messages (the file name). */
  source?: string;
  /** Convert op by op even when the file carries our graph (tests of the converter). */
  ignoreMetadata?: boolean;
}

/**
 * ONNX bytes → graph + weights. Our own exports reopen exactly; other models convert op by op.
 * Throws ImportError listing every op with no block (nothing is half-imported), or a one-line
 * malformed ImportError for a file that is not an ONNX model.
 */
export function importOnnx(bytes: Uint8Array, reader: OnnxReader, opts: OnnxImportOptions = {}): ImportResult {
  const source = opts.source ?? 'file';
  const m = readOnnx(bytes, reader, source);
  const meta = (m.metadata_props ?? []).find((p) => p.key === GRAPH_METADATA_KEY);
  if (meta?.value && !opts.ignoreMetadata) {
    const own = reopenOwnOnnx(m, meta.value, source);
    if (own) return own;
  }
  const r = convertForeign(m, source);
  if (meta?.value && !opts.ignoreMetadata) r.report.notes.unshift('the stored graph did not match the file\'s weights (another exporter version?), so the model was converted op by op');
  return r;
}
