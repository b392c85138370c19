// Summary: per block output shapes, trainable and non-trainable params, MACs; totals.
import { useMemo } from 'react';
import { summarize, formatCount, formatMacs } from '../core/summary';
import { frozenNodeIds } from '../core/frozen';
import { setState, useStore } from './store';
import { shortShape } from './format';
import { Padlock } from './train/BlockInsight';

export function SummaryPanel() {
  const analysis = useStore((s) => s.analysis);
  const doc = useStore((s) => s.doc);
  const sum = useMemo(() => {
    const known = new Set(analysis.nodes.keys());
    const order = [...analysis.order.filter((id) => known.has(id)), ...doc.nodes.map((n) => n.id).filter((id) => known.has(id) && !analysis.order.includes(id))];
    return summarize(analysis, order, frozenNodeIds(doc));
  }, [analysis, doc]);
  return (
    <div className="nb-summary" data-testid="summary">
      <table>
        <thead>
          <tr>
            <th>Block</th>
            <th>Output</th>
            <th className="num">Params</th>
            <th className="num">MACs</th>
          </tr>
        </thead>
        <tbody>
          {sum.nodes.map((r) => {
            const errs = analysis.nodes.get(r.id)?.errors.length ?? 0;
            return (
              <tr key={r.id} className={errs ? 'err' : ''} onClick={() => setState({ selectedNodes: new Set([r.id]), selectedEdges: new Set() })}>
                <td>
                  <div className="nb-sum-id">
                    {r.id}
                    {r.frozen && (
                      <span className="nb-sum-frozen" data-testid="summary-frozen" title="Frozen: training leaves this block's weights as they are">
                        {' '}
                        <Padlock /> frozen
                      </span>
                    )}
                  </div>
                  <div className="nb-sum-type">{r.type}</div>
                </td>
                <td className="mono">
                  {Object.entries(r.outputShapes)
                    .map(([p, s]) => (Object.keys(r.outputShapes).length > 1 ? `${p} ${shortShape(s)}` : shortShape(s)))
                    .join(', ') || (errs ? '⚠' : '?')}
                </td>
                <td className="num mono" title={r.nonTrainableParams ? `${formatCount(r.nonTrainableParams)} non-trainable` : undefined}>
                  {formatCount(r.trainableParams + r.nonTrainableParams)}
                </td>
                <td className="num mono">{formatMacs(r.macs)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <td>Total</td>
            <td />
            <td className="num mono" data-testid="total-params">
              {formatCount(sum.totals.trainableParams + sum.totals.nonTrainableParams)}
            </td>
            <td className="num mono">{formatMacs(sum.totals.macs)}</td>
          </tr>
          <tr className="sub">
            <td colSpan={4}>
              {formatCount(sum.totals.trainableParams)} trainable · {formatCount(sum.totals.nonTrainableParams)} non-trainable
              {sum.totals.frozenParams ? <span data-testid="frozen-params"> ({formatCount(sum.totals.frozenParams)} frozen)</span> : null}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
