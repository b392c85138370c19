// Fuzzy matching for the palette, search-to-add and the command palette: every query character
// must appear in order; contiguous runs, word starts and prefix matches score higher.
export function fuzzyScore(query: string, text: string): number {
  const q = query.toLowerCase().replace(/\s+/g, '');
  if (!q) return 1;
  const t = text.toLowerCase();
  if (t === q) return 1000;
  if (t.startsWith(q)) return 500 - t.length;
  const idx = t.indexOf(q);
  if (idx >= 0) return 300 - idx - t.length / 10;
  let score = 0;
  let ti = 0;
  let run = 0;
  for (const c of q) {
    const found = t.indexOf(c, ti);
    if (found < 0) return -1;
    run = found === ti ? run + 1 : 0;
    const wordStart = found === 0 || /[^a-z0-9]/.test(t[found - 1]!) || (text[found] !== undefined && text[found] === text[found]!.toUpperCase() && /[A-Z0-9]/.test(text[found]!));
    score += 1 + run * 2 + (wordStart ? 3 : 0);
    ti = found + 1;
  }
  return score - t.length / 20;
}

/** Best score over several fields (label, type, category). */
export function bestScore(query: string, fields: string[]): number {
  let best = -1;
  for (const f of fields) best = Math.max(best, fuzzyScore(query, f));
  return best;
}
