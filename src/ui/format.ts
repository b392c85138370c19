// Display helpers: compact shapes (24×24×6), counts (1.2k) and param values.
import type { Shape } from '../core/spec';
import { formatDims, type ShapeStyle } from '../core/shapes';

const COMPACT: ShapeStyle = { open: '', close: '', sep: '×', unknown: '?' };

/** [null, 24, 24, 6] → "24×24×6"; unknown inner dims show as "?"; a bare batch as "scalar". */
export function shortShape(s: Shape | undefined): string {
  if (!s) return '?';
  const dims = s.slice(1);
  if (dims.length === 0) return 'scalar';
  return formatDims(dims, COMPACT);
}

export function compactCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(n);
}

export function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number' || x === null)) {
      if (v.length > 1 && v.every((x) => x === v[0])) return v.length === 2 ? String(v[0]) : v.map(String).join('×');
      return formatDims(v as (number | null)[], COMPACT);
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** Param value as editable text: arrays as "3, 3", nested lists as JSON. */
export function toText(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.some(Array.isArray) ? JSON.stringify(v) : v.map((x) => (x === null ? 'null' : String(x))).join(', ');
  return String(v);
}

/**
 * Parses a field's text into a raw param value: numbers, "3, 5" / "3x5" / "[3, 5]" lists, nested
 * JSON lists, null. Returns undefined for empty text (the default applies). Unparseable text is
 * returned as the string itself so the param check quotes it in its message.
 */
export function parseText(text: string, kind: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  if (kind === 'string' || kind === 'enum') return t;
  if (t === 'null') return null;
  if (kind === 'int' || kind === 'float') {
    const n = Number(t);
    return Number.isNaN(n) ? t : n;
  }
  if (t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  }
  const parts = t.split(/\s*[,×x*]\s*|\s+/).filter(Boolean);
  const vals = parts.map((p) => (p === 'null' || p === '?' ? null : Number(p)));
  if (vals.some((v) => v !== null && Number.isNaN(v))) return t;
  if (kind === 'ints' && vals.length === 1) return vals[0];
  if (kind === 'padding2d' && vals.length === 1) return vals[0];
  return vals;
}
