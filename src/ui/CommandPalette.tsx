// Command palette (Ctrl+K): every action by name, with its shortcut.
import { useEffect, useMemo, useRef, useState } from 'react';
import { ACTIONS, shortcutLabel } from './actions';
import { bestScore } from './fuzzy';
import { setState, useStore } from './store';

export function CommandPalette() {
  const open = useStore((s) => s.commandPalette);
  const [q, setQ] = useState('');
  const [idx, setIdx] = useState(0);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (open) {
      setQ('');
      setIdx(0);
      setTimeout(() => ref.current?.focus(), 0);
    }
  }, [open]);
  const hits = useMemo(() => {
    const seen = new Set<string>();
    return ACTIONS.filter((a) => {
      if (seen.has(a.label)) return false;
      seen.add(a.label);
      return true;
    })
      .map((a) => ({ a, s: bestScore(q, [a.label, a.group]) }))
      .filter((x) => x.s > 0)
      .sort((x, y) => (q ? y.s - x.s : 0))
      .map((x) => x.a);
  }, [q]);
  if (!open) return null;
  const close = () => setState({ commandPalette: false });
  const run = (i: number) => {
    const a = hits[i];
    close();
    if (a && (!a.enabled || a.enabled())) a.perform();
  };
  return (
    <div className="nb-modal-back" onMouseDown={close}>
      <div className="nb-cmdk" onMouseDown={(e) => e.stopPropagation()} data-testid="command-palette">
        <input
          ref={ref}
          value={q}
          placeholder="Type a command…"
          onChange={(e) => {
            setQ(e.target.value);
            setIdx(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
            else if (e.key === 'ArrowDown') setIdx((i) => Math.min(i + 1, hits.length - 1));
            else if (e.key === 'ArrowUp') setIdx((i) => Math.max(i - 1, 0));
            else if (e.key === 'Enter') run(idx);
          }}
        />
        <div className="nb-cmdk-list" tabIndex={0} aria-label="Commands">
          {hits.map((a, i) => (
            <div key={a.id} className={`nb-cmdk-item${i === idx ? ' active' : ''}`} onMouseEnter={() => setIdx(i)} onClick={() => run(i)}>
              <span className="nb-muted">{a.group}</span>
              <span>{a.label}</span>
              {a.shortcut && <kbd>{shortcutLabel(a.shortcut)}</kbd>}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
