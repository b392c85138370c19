// The weight files a tfjs model.json lists (weightsManifest[].paths), checked before any is
// read: each must be a plain relative name inside the model.json's folder (no "..", no
// absolute or drive path, no URL, no backslash), and the bytes the manifest's shapes describe
// must be a sane amount. The CLI (src/cli/weightFiles.ts) then confines the reads to regular
// files in that folder; the browser (src/ui/docs.ts) matches them to the files the user picked.
// No Node or DOM APIs here.
import { MAX_WEIGHT_BYTES } from '../core/limits';
import { hasControls } from '../core/text';

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

export interface WeightFilePlan {
  /** The relative paths, in manifest order, each with where it is named ("weightsManifest[0].paths[1]"). */
  files: { path: string; entry: string }[];
  /** Bytes the manifest's weights take together: what the files must hold. */
  bytes: number;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1, int16: 2 };

/** Why a manifest path is refused, or undefined when it names a file inside the folder. */
export function badWeightPath(p: unknown): string | undefined {
  if (typeof p !== 'string' || p === '') return 'is not a file name';
  if (p.length > 255 * 8) return 'is too long';
  if (hasControls(p)) return 'contains control characters';
  if (p.includes('\\')) return 'contains a backslash (use "/" between folders)';
  if (p.startsWith('/')) return 'is an absolute path; weight files must sit beside the model.json';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(p)) return 'is a drive or URL, not a file beside the model.json';
  if (p.split('/').some((s) => s === '..')) return 'leaves the model.json\'s folder ("..")';
  if (p.split('/').some((s) => s === '')) return 'has an empty path segment';
  return undefined;
}

function q(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * The weight files of a parsed model.json and the bytes they must hold together. Throws
 * ManifestError naming the manifest entry (and quoting it) for anything unreadable or unsafe.
 */
export function planWeightFiles(modelJson: unknown, source: string): WeightFilePlan {
  const manifest = (modelJson as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) throw new ManifestError(`${source} has no "weightsManifest" list`);
  const files: WeightFilePlan['files'] = [];
  let bytes = 0;
  manifest.forEach((group: unknown, g) => {
    const at = `${source}: weightsManifest[${g}]`;
    const { paths, weights } = (group ?? {}) as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths)) throw new ManifestError(`${at}.paths must be a list of file names, got ${q(paths)}`);
    paths.forEach((p: unknown, i) => {
      const why = badWeightPath(p);
      if (why) throw new ManifestError(`${at}.paths[${i}] ${q(p)} ${why}`);
      files.push({ path: p as string, entry: `weightsManifest[${g}].paths[${i}] ${q(p)}` });
    });
    if (weights !== undefined && !Array.isArray(weights)) throw new ManifestError(`${at}.weights must be a list, got ${q(weights)}`);
    ((weights ?? []) as unknown[]).forEach((w, i) => {
      const { name, shape, dtype, quantization } = (w ?? {}) as { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: { dtype?: unknown } };
      const where = `${at}.weights[${i}] (${q(name)})`;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
        throw new ManifestError(`${where}: "shape" must be a list of non-negative integers, got ${q(shape)}`);
      const type = String(quantization?.dtype ?? dtype);
      const per = DTYPE_BYTES[type];
      if (!per || !Object.hasOwn(DTYPE_BYTES, type)) throw new ManifestError(`${where}: unknown dtype ${q(type)}`);
      bytes += (shape as number[]).reduce((a, b) => a * b, 1) * per;
      if (!(bytes <= MAX_WEIGHT_BYTES)) throw new ManifestError(`${where}: the manifest's weights would take more than ${MAX_WEIGHT_BYTES} bytes`);
    });
  });
  return { files, bytes };
}

/**
 * The browser's side: the manifest's files among those the user picked (matched by file name,
 * as a browser gives no folders), with their sizes checked against the manifest before any is
 * read. Returns them in manifest order; throws ManifestError naming the entry that is missing.
 */
export function pickWeightFiles<F extends { name: string; size: number }>(plan: WeightFilePlan, picked: readonly F[], source: string): F[] {
  const out = plan.files.map((f) => {
    const base = f.path.slice(f.path.lastIndexOf('/') + 1);
    const hit = picked.find((p) => p.name === base);
    if (!hit) throw new ManifestError(`${source}: ${f.entry} was not among the files picked (${picked.map((p) => p.name).join(', ') || 'none'}); pick it together with the model.json`);
    return hit;
  });
  const total = out.reduce((n, f) => n + f.size, 0);
  if (total !== plan.bytes) throw new ManifestError(`${source}: the weight files hold ${total} bytes, but the manifest's weights take ${plan.bytes} — are they the weights of this model.json?`);
  return out;
}
