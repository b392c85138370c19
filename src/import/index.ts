// Import entry points for the canvas (file picker, drag-and-drop) and the CLI: ONNX files and
// tfjs layers models (model.json, with its weights.bin) → graph document + weights + report.
// No Node-only APIs: callers read the files. See docs/import.md.
import { onnxReader, type OnnxReader } from '../onnx/read';
import { importOnnx } from './onnx';
import { importTfjs } from './tfjs';
import { MAX_JSON_DEPTH, tooDeep } from '../core/limits';
import { ImportError, malformed, type ImportResult, type ImportedWeights, type ImportReport } from './types';

export { importOnnx, convertForeign } from './onnx';
export { importTfjs } from './tfjs';
export { applyWeights, weightsToBin, importedModelJson, toSavedModel } from './weights';
export { ImportError, formatUnsupported } from './types';
export { blockerReport, formatBlockers, groupUnsupported, sectionLines, type BlockerSection } from './onnx/blockers';
export type { ImportResult, ImportedWeights, ImportReport, UnsupportedOp } from './types';

export interface ImportFileOptions {
  /** The text of src/onnx/onnx.proto (the CLI reads it from disk; the browser bundle imports it). */
  onnxProto?: string;
  /** For model.json: the bytes of its weights file (weights.bin). */
  weightsBin?: Uint8Array;
}

let cachedReader: OnnxReader | undefined;

async function reader(opts: ImportFileOptions): Promise<OnnxReader> {
  if (opts.onnxProto) return onnxReader(opts.onnxProto);
  if (!cachedReader) {
    // Vite (app and vitest) inlines the vendored proto text.
    const mod = (await import('../onnx/onnx.proto?raw')) as { default: string };
    cachedReader = onnxReader(mod.default);
  }
  return cachedReader;
}

/** What a file is, by extension first and then by content. */
export function detectKind(name: string, bytes: Uint8Array): 'onnx' | 'tfjs' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.onnx')) return 'onnx';
  if (lower.endsWith('.json')) return 'tfjs';
  // Content: JSON starts with "{" (after whitespace); an ONNX ModelProto starts with field 1
  // (ir_version, varint: 0x08) or another small field tag.
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b) return 'tfjs';
  if (bytes[0] === 0x08) return 'onnx';
  return undefined;
}

/**
 * Whether a picked or dropped file is a model to import rather than a graph file: an .onnx file,
 * or JSON that is a tfjs layers model (has "modelTopology" or "weightsManifest" at the top).
 */
export function isModelFile(name: string, bytes: Uint8Array): boolean {
  const kind = detectKind(name, bytes);
  if (kind === 'onnx') return true;
  if (kind !== 'tfjs') return false;
  const head = new TextDecoder().decode(bytes.subarray(0, 1 << 16));
  if (/"format"\s*:\s*"neural-blocks\.graph"/.test(head) && !/"modelTopology"|"weightsManifest"/.test(head)) return false;
  return /"modelTopology"|"weightsManifest"/.test(head);
}

/**
 * Imports one file: an .onnx model, or a tfjs model.json (pass its weights.bin in
 * opts.weightsBin; without it the graph opens with fresh weights). Rejects with ImportError
 * (`unsupported` lists ops with no block; `malformed` for unreadable files).
 */
export async function importFile(name: string, bytes: Uint8Array, opts: ImportFileOptions = {}): Promise<{ doc: ImportResult['doc']; weights?: ImportedWeights; report: ImportReport }> {
  const kind = detectKind(name, bytes);
  if (kind === 'onnx') return importOnnx(bytes, await reader(opts), { source: name });
  if (kind === 'tfjs') {
    let json: unknown;
    try {
      // TextDecoder drops a UTF-8 BOM.
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw malformed(`${name} is not valid JSON: ${(e as Error).message}`);
    }
    const deep = tooDeep(json);
    if (deep) throw malformed(`${name}: JSON nested more than ${MAX_JSON_DEPTH} levels deep at ${deep.slice(0, 60)}`);
    const r = importTfjs(json, opts.weightsBin, name);
    return opts.weightsBin ? r : { doc: r.doc, report: r.report };
  }
  throw new ImportError(`${name}: not an ONNX model (.onnx) or a tfjs model.json`, [], true);
}
