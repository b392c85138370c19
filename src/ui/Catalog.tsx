// The blocks reference: every registered block with its docs, ports and parameters.
import { useMemo, useState } from 'react';
import { BLOCKS } from '../../blocks/index';
import { isVariadic, type AnyBlockSpec, type ParamDef, type ParamSchema } from '../core/spec';
import { defaultParams } from '../core/params';
import { CATEGORY_LABELS, CATEGORY_ORDER, searchBlocks } from './Palette';
import { toText } from './format';

function describe(def: ParamDef): string {
  switch (def.kind) {
    case 'int':
    case 'float':
      return `${def.kind}${def.min !== undefined || def.max !== undefined ? ` in ${def.min ?? '−∞'}…${def.max ?? '∞'}` : ''}${def.nullable ? ', or null' : ''}`;
    case 'enum':
      return def.options.join(' | ');
    case 'ints':
      return `${def.length} integers (one number = all)`;
    case 'intList':
      return `list of integers${def.required ? ' (required)' : ''}`;
    case 'padding2d':
      return 'n, [h, w] or [[top, bottom], [left, right]]';
    default:
      return def.kind;
  }
}

function ports(b: AnyBlockSpec): { ins: string; outs: string } {
  let p: Record<string, unknown> = {};
  try {
    p = defaultParams(b);
  } catch {
    p = {};
  }
  const ins = b.inputs(p as never);
  return {
    ins: isVariadic(ins) ? `in0, in1, … (at least ${ins.min})` : ins.map((x) => x.name + (x.optional ? '?' : '')).join(', ') || 'none',
    outs: b.outputs(p as never).join(', '),
  };
}

export function Catalog() {
  const [q, setQ] = useState('');
  const list = useMemo(() => searchBlocks(q).sort((a, b) => (q ? 0 : CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category))), [q]);
  return (
    <div className="nb-catalog" data-testid="catalog">
      <div className="nb-catalog-head">
        <h2>Blocks reference</h2>
        <span className="nb-muted">{BLOCKS.length} blocks</span>
        <input placeholder="Filter…" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <div className="nb-catalog-grid">
        {list.map((b) => {
          const pr = ports(b);
          return (
            <section key={b.type} className={`nb-card cat-${b.category}`} id={`block-${b.type}`}>
              <div className="nb-card-head">
                <h3>{b.label}</h3>
                <code>{b.type}</code>
                <span className="nb-chip">{CATEGORY_LABELS[b.category] ?? b.category}</span>
              </div>
              <p>{b.docs}</p>
              <div className="nb-card-ports">
                <span>inputs: <code>{pr.ins}</code></span>
                <span>outputs: <code>{pr.outs}</code></span>
              </div>
              {Object.keys(b.params).length > 0 && (
                <table className="nb-params">
                  <tbody>
                    {Object.entries(b.params as ParamSchema).map(([name, def]) => (
                      <tr key={name}>
                        <td>
                          <code>{name}</code>
                        </td>
                        <td className="nb-muted">{describe(def)}</td>
                        <td>
                          <code>{def.default === null ? '—' : toText(def.default)}</code>
                        </td>
                        <td>{def.doc}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          );
        })}
      </div>
    </div>
  );
}
