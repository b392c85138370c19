// The Train panel's Try it section: draw or pick an image, type a sequence to decode greedily, or
// type a row of values — and see the model's prediction with its probes.
import { useState } from 'react';
import { detokenize, tokenize } from '../../../data/preview';
import type { Prediction } from '../../../train/protocol';
import { client, useTrain } from '../trainState';
import { DrawPad, PixelView } from '../Charts';
import { Bars, ProbeViews } from './Probes';

// Which request the shown prediction answers: a late reply to an earlier click must not replace
// the answer to a later one (the worker's replies can overtake each other). Module-wide, so the
// numbers keep rising when the section remounts.
let asked = 0;

export function TryItSection() {
  const meta = useTrain((s) => s.meta);
  const hasModel = useTrain((s) => !!s.weights);
  const [pred, setPred] = useState<Prediction | null>(null);
  const [shown, setShown] = useState<{ n: number; source: string }>({ n: 0, source: '' });
  const [picked, setPicked] = useState<number | null>(null);
  const [word, setWord] = useState('');
  const [decoded, setDecoded] = useState<{ text: string; src: string[]; tgt: string[] } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [row, setRow] = useState<string | null>(null);
  if (!meta || !hasModel) return null;
  const d = meta.dataset;
  const x0 = d.train.x[0]!;
  const width = x0.shape.reduce((a, b) => a * b, 1);
  const labels = d.classNames ?? Array.from({ length: d.numClasses ?? 0 }, (_, i) => String(i));
  const isImage = meta.preview.kind === 'images';
  const run = (inputs: Float32Array, source: string) => {
    const n = ++asked;
    return client()
      .predict([{ shape: x0.shape, dtype: 'float32', data: inputs }])
      .then((p) => {
        if (n !== asked) return;
        setPred(p);
        setShown({ n, source });
        setErr(null);
      })
      .catch((e: Error) => setErr(e.message));
  };
  const probs = pred?.outputs[0] && pred.outputs[0].shape.length === 2 ? pred.outputs[0].data : null;
  return (
    <section className="nbt-section" data-testid="try-it">
      <h4>Try it</h4>
      {isImage && meta.preview.kind === 'images' && (
        <>
          <div className="nbt-tryrow">
            {x0.shape[0] === x0.shape[1] && x0.shape[2] === 1 && (
              <div>
                <div className="nbt-sub">Draw</div>
                <DrawPad
                  size={x0.shape[0]!}
                  onImage={(px) => {
                    setPicked(null);
                    void run(px, 'draw');
                  }}
                />
              </div>
            )}
            <div style={{ flex: 1 }}>
              <div className="nbt-sub">…or pick a test image</div>
              <div className="nbt-thumbs tight">
                {meta.preview.items.map((it, i) => (
                  <PixelView
                    key={i}
                    data={it.pixels}
                    h={meta.preview.kind === 'images' ? meta.preview.h : 0}
                    w={meta.preview.kind === 'images' ? meta.preview.w : 0}
                    c={meta.preview.kind === 'images' ? meta.preview.c : 1}
                    size={34}
                    selected={picked === i}
                    testId={`pick-${i}`}
                    onClick={() => {
                      setPicked(i);
                      void run(it.pixels, `pick-${i}`);
                    }}
                  />
                ))}
              </div>
              {probs && <Bars probs={probs} labels={labels} shown={shown} />}
            </div>
          </div>
          {pred && <ProbeViews pred={pred} />}
        </>
      )}
      {d.task === 'seq2seq' && d.vocab && (
        <>
          <div className="nbt-row">
            <input className="nbt-input" placeholder={`type an input, e.g. ${meta.preview.kind === 'pairs' ? meta.preview.pairs[0]?.[0] : ''}`} value={word} onChange={(e) => setWord(e.target.value)} data-testid="seq-input" />
            <button
              className="nb-btn"
              data-testid="seq-decode"
              onClick={() => {
                const sv = d.sourceVocab ?? d.vocab!;
                const { ids, unknown } = tokenize(word, sv);
                if (unknown.length) return setErr(`not in the input vocabulary: ${unknown.join(' ')}`);
                if (meta.decoderStart === undefined) return setErr('this data gives no decoder input to read the start token from');
                client()
                  .decode(Int32Array.from(ids), d.train.x[1]?.shape[0] ?? 20, meta.decoderStart, d.vocab!.indexOf('</s>'))
                  .then(({ tokens, prediction }) => {
                    setDecoded({ text: detokenize(tokens, d.vocab!), src: ids.map((i) => sv[i]!), tgt: tokens.map((t) => d.vocab![t]!) });
                    setPred(prediction);
                    setErr(null);
                  })
                  .catch((e: Error) => setErr(e.message));
              }}
            >
              Decode
            </button>
          </div>
          {decoded && (
            <div className="nbt-note good mono" data-testid="seq-output">
              → {decoded.text || '(empty)'}
            </div>
          )}
          {pred && decoded && <ProbeViews pred={pred} srcLabels={decoded.src} tgtLabels={decoded.tgt} />}
        </>
      )}
      {!isImage && meta.preview.kind === 'rows' && x0.dtype === 'float32' && (
        <>
          <div className="nbt-sub">
            {width} input value{width === 1 ? '' : 's'}, as the model sees them (numeric columns standardised, categorical ones one-hot)
          </div>
          <div className="nbt-row">
            <input className="nbt-input" value={row ?? new Array(width).fill(0).join(', ')} onChange={(e) => setRow(e.target.value)} data-testid="row-input" />
            <button
              className="nb-btn"
              data-testid="row-predict"
              onClick={() => {
                const text = row ?? new Array(width).fill(0).join(', ');
                const vals = text.split(/[\s,;]+/).filter(Boolean).map(Number);
                if (vals.length !== width || vals.some((v) => !Number.isFinite(v))) return setErr(`type ${width} numbers separated by commas (got ${JSON.stringify(text)})`);
                void run(Float32Array.from(vals), 'row');
              }}
            >
              Predict
            </button>
          </div>
          {probs && <Bars probs={probs} labels={labels} shown={shown} />}
          {!probs && pred?.outputs[0] && (
            <div className="nbt-note mono" data-testid="row-output">
              → {Array.from(pred.outputs[0].data.slice(0, 8), (v) => v.toPrecision(4)).join(', ')}
            </div>
          )}
        </>
      )}
      {err && <div className="nbt-note error">{err}</div>}
    </section>
  );
}
