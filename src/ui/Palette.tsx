// The block palette: every registered block grouped by category, fuzzy search (Enter adds the
// top hit), click to add at the view centre, or drag onto the canvas (lands at the drop point).
import { useMemo, useState } from 'react';
import { BLOCKS } from '../../blocks/index';
import { CATEGORIES, CATEGORY_ORDER as CORE_CATEGORY_ORDER, type AnyBlockSpec } from '../core/spec';
import { bestScore } from './fuzzy';
import { addBlockAtCentre } from './actions';
import { useStore } from './store';
import { MACRO_TYPE } from '../core/macro';
import { addNode } from '../core/edit';
import { commit, getState } from './store';
import { viewCentre } from './actions';

export const DRAG_MIME = 'application/x-neural-block';

export const CATEGORY_ORDER: string[] = CORE_CATEGORY_ORDER;
export const CATEGORY_LABELS: Record<string, string> = Object.fromEntries(Object.entries(CATEGORIES).map(([k, c]) => [k, c.label]));

export function searchBlocks(q: string, pool: readonly AnyBlockSpec[] = BLOCKS): AnyBlockSpec[] {
  if (!q.trim()) return [...pool];
  return pool
    .map((b) => ({ b, s: bestScore(q, [b.label, b.type]) * 1 + Math.max(0, bestScore(q, [b.category])) * 0.2 }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s)
    .map((x) => x.b);
}

function grouped(blocks: AnyBlockSpec[]): [string, AnyBlockSpec[]][] {
  const m = new Map<string, AnyBlockSpec[]>();
  for (const b of blocks) {
    const l = m.get(b.category) ?? [];
    l.push(b);
    m.set(b.category, l);
  }
  const cats = [...m.keys()].sort((a, b) => (CATEGORY_ORDER.indexOf(a) + 100) % 100 - (CATEGORY_ORDER.indexOf(b) + 100) % 100);
  return cats.map((c) => [c, m.get(c)!]);
}

export function Palette() {
  const [q, setQ] = useState('');
  const hits = useMemo(() => searchBlocks(q), [q]);
  const groups = useMemo(() => grouped(hits), [hits]);
  const macros = useStore((s) => s.doc.macros);
  const macroNames = Object.keys(macros ?? {}).filter((n) => !q || bestScore(q, [n, macros![n]!.label ?? n]) > 0);
  const addMacro = (name: string) => {
    const c = viewCentre();
    const r = addNode(getState().doc, MACRO_TYPE, { x: c.x - 100, y: c.y - 50 }, { name });
    commit(r.doc, { select: [r.id] });
  };
  return (
    <aside className="nb-palette" data-testid="palette">
      <div className="nb-palette-search">
        <input
          placeholder="Search (Enter adds)"
          aria-label="Search blocks; Enter adds the top hit"
          title="Search blocks; Enter adds the top hit at the centre of the view"
          value={q}
          data-testid="palette-search"
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && hits[0]) {
              addBlockAtCentre(hits[0].type);
              setQ('');
            } else if (e.key === 'Escape') setQ('');
          }}
        />
      </div>
      <div className="nb-palette-list">
        {macroNames.length > 0 && (
          <div className="nb-pgroup">
            <div className="nb-pgroup-title">{CATEGORY_LABELS.macro}</div>
            {macroNames.map((name) => (
              <div
                key={name}
                className="nb-pitem cat-macro"
                draggable
                data-testid={`palette-macro-${name}`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_MIME, `${MACRO_TYPE}:${name}`);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => addMacro(name)}
                title={macros![name]!.description ?? `Macro block ${name}`}
              >
                <span className="nb-pdot" />
                <span>{macros![name]!.label ?? name}</span>
              </div>
            ))}
          </div>
        )}
        {groups.map(([cat, list]) => (
          <div key={cat} className="nb-pgroup">
            <div className="nb-pgroup-title">{CATEGORY_LABELS[cat] ?? cat}</div>
            {list.map((b) => (
              <div
                key={b.type}
                className={`nb-pitem cat-${b.category}`}
                draggable
                data-testid={`palette-${b.type}`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_MIME, b.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => addBlockAtCentre(b.type)}
                role="button"
                tabIndex={0}
                onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), addBlockAtCentre(b.type))}
                title={b.docs}
              >
                <span className="nb-pdot" />
                <span className="nb-plabel">{b.label}</span>
              </div>
            ))}
          </div>
        ))}
        {hits.length === 0 && macroNames.length === 0 && <div className="nb-muted nb-pad">No block matches “{q}”.</div>}
      </div>
    </aside>
  );
}
