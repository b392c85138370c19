// The Train panel's curves (loss and accuracy per batch and epoch) and the test-set result.
import { useTrain } from '../trainState';
import { ConfusionMatrix, LineChart } from '../Charts';
import { fmtSecs, pct } from '../format';

export function ChartsSection() {
  const batches = useTrain((s) => s.batches);
  const epochs = useTrain((s) => s.epochs);
  const last = useTrain((s) => s.last);
  if (!batches.length) return null;
  const bpe = last?.batchesPerEpoch ?? 1;
  const ep = (f: (e: (typeof epochs)[number]) => number | undefined) => epochs.filter((e) => f(e) !== undefined).map((e) => [(e.epoch + 1) * bpe, f(e)!] as [number, number]);
  const hasAcc = batches.some((b) => b.acc !== undefined);
  return (
    <section className="nbt-section" data-testid="train-charts">
      <h4>Loss</h4>
      <LineChart
        testId="loss-chart"
        xLabel="batch"
        series={[
          { name: 'train (batch)', color: 'rgba(76,141,255,0.55)', points: batches.map((b) => [b.step, b.loss]) },
          { name: 'train (epoch)', color: '#4c8dff', points: ep((e) => e.loss), dots: true },
          { name: 'validation', color: '#f5a524', points: ep((e) => e.valLoss), dots: true, dashed: true },
        ]}
      />
      {hasAcc && (
        <>
          <h4>Accuracy</h4>
          <LineChart
            testId="acc-chart"
            xLabel="batch"
            yMin={0}
            yMax={1}
            series={[
              { name: 'train (batch)', color: 'rgba(70,192,122,0.5)', points: batches.filter((b) => b.acc !== undefined).map((b) => [b.step, b.acc!]) },
              { name: 'train (epoch)', color: '#46c07a', points: ep((e) => e.accuracy), dots: true },
              { name: 'validation', color: '#f5a524', points: ep((e) => e.valAccuracy), dots: true, dashed: true },
            ]}
          />
        </>
      )}
    </section>
  );
}

export function ResultsSection() {
  const ev = useTrain((s) => s.evaluation);
  const meta = useTrain((s) => s.meta);
  const result = useTrain((s) => s.result);
  if (!ev) return null;
  return (
    <section className="nbt-section" data-testid="test-results">
      <h4>Test set</h4>
      <div className="nbt-facts big">
        {ev.accuracy !== undefined && (
          <span>
            accuracy <b data-testid="test-accuracy">{pct(ev.accuracy)}</b>
          </span>
        )}
        {ev.exactMatch !== undefined && (
          <span>
            exact match <b>{pct(ev.exactMatch)}</b>
          </span>
        )}
        <span>
          loss <b data-testid="test-loss">{ev.loss.toFixed(4)}</b>
        </span>
        <span>
          examples <b>{ev.n}</b>
        </span>
        {result && (
          <span>
            time <b>{fmtSecs(result.seconds)}</b>
          </span>
        )}
      </div>
      {ev.confusion && <ConfusionMatrix m={ev.confusion} labels={meta?.dataset.classNames ?? ev.confusion.map((_, i) => String(i))} />}
    </section>
  );
}
