// The inspector: a form generated from the selected block's params schema. Each field checks its
// value with the same resolveParam the validator uses and commits at once when valid, so shapes
// re-infer as you type; an invalid value shows its message at the field and is not applied.
import { TrainableField } from './train/BlockInsight';
import { useEffect, useState } from 'react';
import { getBlock } from '../../blocks/index';
import type { ParamDef, ParamSchema } from '../core/spec';
import { resolveParam } from '../core/params';
import { renameNode, setLabel, setParam } from '../core/edit';
import { commit, getState, useStore } from './store';
import { parseText, toText, shortShape, compactCount } from './format';
import { CATEGORY_LABELS } from './Palette';
import { MACRO_TYPE, macroDef as lookupMacro } from '../core/macro';
import { formatMacs } from '../core/summary';
import { ACTIONS } from './actions';

function ParamField({ nodeId, name, def, raw }: { nodeId: string; name: string; def: ParamDef; raw: unknown }) {
  const [text, setText] = useState(toText(raw));
  const [error, setError] = useState<string | null>(null);
  // Follow outside changes (undo, JSON edits) unless the text already means the same value.
  useEffect(() => {
    const cur = parseText(text, def.kind);
    if (JSON.stringify(cur) !== JSON.stringify(raw)) {
      setText(toText(raw));
      setError(null);
    }
  }, [raw]);
  const apply = (value: unknown) => {
    if (value !== undefined) {
      const r = resolveParam(name, def, value);
      if ('error' in r) {
        setError(r.error);
        return;
      }
    } else if (def.kind === 'intList' && def.required) {
      setError(`param "${name}" is required`);
      return;
    }
    setError(null);
    commit(setParam(getState().doc, nodeId, name, value), { coalesce: `param:${nodeId}:${name}` });
  };
  const id = `f-${nodeId}-${name}`;
  let input: React.ReactNode;
  if (def.kind === 'bool') {
    const checked = raw === undefined ? def.default : raw === true;
    input = <input id={id} type="checkbox" checked={checked} data-testid={`param-${name}`} onChange={(e) => apply(e.target.checked)} />;
  } else if (def.kind === 'enum') {
    const v = typeof raw === 'string' ? raw : def.default;
    input = (
      <select id={id} value={v} data-testid={`param-${name}`} onChange={(e) => apply(e.target.value)}>
        {def.options.map((o) => (
          <option key={o} value={o}>
            {o}
            {o === def.default ? ' (default)' : ''}
          </option>
        ))}
      </select>
    );
  } else {
    const placeholder = def.default === null ? (def.kind === 'intList' && def.required ? 'required' : 'none') : toText(def.default);
    const range =
      (def.kind === 'int' || def.kind === 'float') && (def.min !== undefined || def.max !== undefined)
        ? `${def.min ?? '−∞'} … ${def.max ?? '∞'}`
        : def.kind === 'ints'
          ? `${def.length} integers`
          : def.kind === 'intList'
            ? 'list of integers'
            : def.kind === 'padding2d'
              ? 'n, [h, w] or [[t, b], [l, r]]'
              : '';
    input = (
      <input
        id={id}
        type="text"
        inputMode={def.kind === 'int' || def.kind === 'float' ? 'decimal' : undefined}
        value={text}
        placeholder={placeholder}
        data-testid={`param-${name}`}
        className={error ? 'invalid' : ''}
        title={range}
        onChange={(e) => {
          setText(e.target.value);
          apply(parseText(e.target.value, def.kind));
        }}
        onBlur={() => {
          if (error) {
            setText(toText(raw));
            setError(null);
          }
        }}
      />
    );
  }
  return (
    <div className={`nb-field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        <span className="nb-field-name">{name}</span>
        <span className="nb-field-kind">{def.kind === 'ints' ? `${def.kind}×${def.length}` : def.kind}</span>
      </label>
      {input}
      {error && (
        <div className="nb-field-error" data-testid={`param-error-${name}`}>
          {error}
        </div>
      )}
      <div className="nb-field-doc">{def.doc}</div>
    </div>
  );
}

function IdField({ nodeId }: { nodeId: string }) {
  const [text, setText] = useState(nodeId);
  useEffect(() => setText(nodeId), [nodeId]);
  const taken = text !== nodeId && getState().doc.nodes.some((n) => n.id === text);
  return (
    <div className={`nb-field${taken ? ' has-error' : ''}`}>
      <label htmlFor="nb-field-id">
        <span className="nb-field-name">id</span>
      </label>
      <input
        id="nb-field-id"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          if (text && !taken && text !== nodeId) commit(renameNode(getState().doc, nodeId, text), { select: [text] });
          else setText(nodeId);
        }}
        onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
      />
      {taken && <div className="nb-field-error">id "{text}" is already used by another block</div>}
    </div>
  );
}

export function Inspector() {
  const selected = useStore((s) => s.selectedNodes);
  const doc = useStore((s) => s.doc);
  const analysis = useStore((s) => s.analysis);
  if (selected.size === 0) {
    const graphErrors = analysis.errors;
    return (
      <div className="nb-inspector nb-pad">
        <div className="nb-muted">Select a block to edit its parameters.</div>
        <h4>Graph</h4>
        <div className="nb-kv">
          <span>Blocks</span>
          <b>{doc.nodes.length}</b>
          <span>Connections</span>
          <b>{doc.edges.length}</b>
          <span>Problems</span>
          <b className={graphErrors.length ? 'nb-red' : 'nb-green'}>{graphErrors.length || 'none'}</b>
        </div>
        {graphErrors.length > 0 && (
          <ul className="nb-errlist">
            {graphErrors.slice(0, 50).map((d, i) => (
              <li key={i}>
                {d.node && <b>{d.node}: </b>}
                {d.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  if (selected.size > 1)
    return (
      <div className="nb-inspector nb-pad">
        <div className="nb-muted">{selected.size} blocks selected.</div>
        <div className="nb-muted">Ctrl+D duplicates, Delete removes, Ctrl+G groups them into a macro block.</div>
      </div>
    );
  const id = [...selected][0]!;
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) return null;
  const info = analysis.nodes.get(id);
  const spec = getBlock(node.type);
  const isMacro = node.type === MACRO_TYPE;
  const macroDef = isMacro ? lookupMacro(doc.macros, String(node.params?.name)) : undefined;
  return (
    <div className="nb-inspector" data-testid="inspector">
      <div className={`nb-insp-head cat-${spec?.category ?? (isMacro ? 'macro' : 'unknown')}`}>
        <div className="nb-insp-title">{spec?.label ?? (isMacro ? macroDef?.label ?? String(node.params?.name) : node.type)}</div>
        <div className="nb-insp-sub">
          {node.type}
          {spec ? ` · ${CATEGORY_LABELS[spec.category] ?? spec.category}` : isMacro ? ' · macro block' : ''}
        </div>
      </div>
      <div className="nb-pad">
        {info && info.errors.length > 0 && (
          <div className="nb-insp-errors" data-testid="inspector-errors">
            {info.errors.map((d, i) => (
              <div key={i}>⚠ {d.message}</div>
            ))}
          </div>
        )}
        {spec && <p className="nb-docs">{spec.docs}</p>}
        {macroDef && (
          <button className="nb-btn" style={{ marginBottom: 12 }} onClick={() => ACTIONS.find((a) => a.id === 'expand')!.perform()} data-testid="btn-expand">
            Expand macro block
          </button>
        )}
        {macroDef && (
          <p className="nb-docs">
            {macroDef.description ?? `A macro block of ${macroDef.nodes.length} blocks.`} Inputs: {macroDef.inputs.join(', ') || 'none'}; outputs:{' '}
            {macroDef.outputs.map((o) => o.name).join(', ')}.
          </p>
        )}
        <div className="nb-kv">
          <span>Output</span>
          <b data-testid="inspector-shape">
            {info?.outputShapes
              ? Object.entries(info.outputShapes)
                  .map(([p, s]) => (Object.keys(info.outputShapes!).length > 1 ? `${p} ${shortShape(s)}` : shortShape(s)))
                  .join(', ')
              : '?'}
          </b>
          <span>Params</span>
          <b>{info?.paramCount ? `${compactCount(info.paramCount.trainable)} trainable${info.paramCount.nonTrainable ? ` + ${compactCount(info.paramCount.nonTrainable)}` : ''}` : '—'}</b>
          <span>MACs</span>
          <b>{info?.macs !== undefined ? formatMacs(info.macs) : '—'}</b>
        </div>
        <IdField key={id} nodeId={id} />
        <div className="nb-field">
          <label htmlFor="nb-field-label">
            <span className="nb-field-name">label</span>
          </label>
          <input
            id="nb-field-label"
            key={`label-${id}`}
            defaultValue={node.label ?? ''}
            placeholder={spec?.label ?? node.type}
            onChange={(e) => commit(setLabel(getState().doc, id, e.target.value), { coalesce: `label:${id}` })}
          />
        </div>
        <TrainableField nodeId={id} hasWeights={isMacro || (info?.paramCount?.trainable ?? 0) > 0} />
        {spec && Object.keys(spec.params).length > 0 && <h4>Parameters</h4>}
        {spec &&
          Object.entries(spec.params as ParamSchema).map(([name, def]) => (
            <ParamField key={`${id}:${name}`} nodeId={id} name={name} def={def} raw={node.params?.[name]} />
          ))}
      </div>
    </div>
  );
}
