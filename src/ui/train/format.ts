// How the Train panel writes shapes, fractions and durations.
import { formatDims } from '../../core/shapes';

/** A data shape per example, an unknown size as "?": "[28, 28, 1]". */
export const fmtShape = (s: readonly (number | null)[]): string => formatDims(s, { open: '[', close: ']', sep: ', ', unknown: '?' });

export const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

/** Rounded to whole seconds first, so 479.7 s reads "8 min 0 s", not "7 min 60 s". */
export const fmtSecs = (s: number): string => {
  if (!Number.isFinite(s)) return '—';
  const r = Math.round(s);
  return r < 60 ? `${r} s` : `${Math.floor(r / 60)} min ${r % 60} s`;
};
