// Group the selection into a named macro block (Ctrl+G): asks for the name, then replaces the
// selection with one instance; the definition appears in the palette to place again.
import { useEffect, useRef, useState } from 'react';
import { freshMacroName, groupIntoMacro } from '../core/editMacro';
import { commit, getState, setState, useStore } from './store';

export function MacroDialog() {
  const open = useStore((s) => s.macroDialog);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (open) {
      setName(freshMacroName(getState().doc));
      setError(null);
      setTimeout(() => ref.current?.select(), 0);
    }
  }, [open]);
  if (!open) return null;
  const close = () => setState({ macroDialog: false });
  const ok = () => {
    try {
      const s = getState();
      const r = groupIntoMacro(s.doc, s.selectedNodes, name.trim());
      commit(r.doc, { select: [r.id] });
      close();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const n = getState().selectedNodes.size;
  return (
    <div className="nb-modal-back" onMouseDown={close}>
      <div className="nb-dialog" onMouseDown={(e) => e.stopPropagation()} data-testid="macro-dialog">
        <h3>Group {n} block{n === 1 ? '' : 's'} into a macro block</h3>
        <p className="nb-muted">Tensors entering the selection become the block's inputs; tensors leaving it become its outputs. Place it again from the palette.</p>
        <input
          ref={ref}
          value={name}
          data-testid="macro-name"
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') ok();
            if (e.key === 'Escape') close();
          }}
        />
        {error && <div className="nb-field-error">{error}</div>}
        <div className="nb-dialog-buttons">
          <button className="nb-btn" onClick={close}>
            Cancel
          </button>
          <button className="nb-btn primary" onClick={ok}>
            Group
          </button>
        </div>
      </div>
    </div>
  );
}
