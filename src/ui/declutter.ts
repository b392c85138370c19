// Edge labels never sit on another label or on a block. After each render the drawn labels are
// measured and hidden greedily: error labels first, then selected ones, then the rest in document
// order; a label that would touch a block or a label already kept is hidden (its shape is still
// in the port's tooltip and the inspector). Labels and blocks scale together with the zoom, so
// what collides does not depend on it; only which labels are drawn does (far zoom draws none,
// big graphs draw only what is on screen), and that re-runs this.

export const HIDDEN_ATTR = 'data-hidden';

interface R {
  l: number;
  t: number;
  r: number;
  b: number;
}

const CELL = 160;

/** A uniform grid of boxes: which kept boxes a new one may touch, without comparing all pairs. */
class Grid {
  private cells = new Map<string, R[]>();
  private keys(a: R): string[] {
    const out: string[] = [];
    for (let i = Math.floor(a.l / CELL); i <= Math.floor(a.r / CELL); i++) for (let j = Math.floor(a.t / CELL); j <= Math.floor(a.b / CELL); j++) out.push(`${i},${j}`);
    return out;
  }
  add(a: R): void {
    for (const k of this.keys(a)) {
      const c = this.cells.get(k);
      if (c) c.push(a);
      else this.cells.set(k, [a]);
    }
  }
  hits(a: R, gap: number): boolean {
    for (const k of this.keys(a)) for (const b of this.cells.get(k) ?? []) if (a.l < b.r + gap && b.l < a.r + gap && a.t < b.b + gap && b.t < a.b + gap) return true;
    return false;
  }
}

const rect = (el: Element): R => {
  const r = el.getBoundingClientRect();
  return { l: r.left, t: r.top, r: r.right, b: r.bottom };
};

/** Hides the labels under `root` that would overlap a block or a label drawn before them. */
export function declutterLabels(root: Element): void {
  const labels = [...root.querySelectorAll<HTMLElement>('.nb-edge-label')];
  if (!labels.length) return;
  const blocks = new Grid();
  for (const n of root.querySelectorAll('.react-flow__node')) blocks.add(rect(n));
  const rank = (el: HTMLElement) => (el.classList.contains('error') ? 0 : el.classList.contains('selected') ? 1 : 2);
  const order = labels.map((el, i) => ({ el, i, k: rank(el) })).sort((a, b) => a.k - b.k || a.i - b.i);
  const kept = new Grid();
  for (const { el } of order) {
    const r = rect(el);
    const hide = blocks.hits(r, 0) || kept.hits(r, 1);
    if (hide) el.setAttribute(HIDDEN_ATTR, '');
    else {
      el.removeAttribute(HIDDEN_ATTR);
      kept.add(r);
    }
  }
}
