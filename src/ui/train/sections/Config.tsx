// The Train panel's Training config section: loss, optimizer, schedule and the rest, each field an
// undoable edit of the graph's `training` object (a bad value is named under its field, not saved).
import { useEffect, useState } from 'react';
import { useStore } from '../../store';
import { LOSSES, OPTIMIZERS, INITIALIZERS, LR_SCHEDULES, type TrainingConfig } from '../../../train/config';
import { getBlock } from '../../../../blocks/index';
import { editTraining } from '../actions';

function NumField({ label, field, value, int, min, max, allowEmpty, testId }: { label: string; field: string; value: number | null | undefined; int?: boolean; min?: number; max?: number; allowEmpty?: boolean; testId?: string }) {
  const [text, setText] = useState(value === null || value === undefined ? '' : String(value));
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    if (Number(text) !== value && !(text === '' && (value === null || value === undefined))) setText(value === null || value === undefined ? '' : String(value));
  }, [value]);
  return (
    <label className="nbt-field">
      <span>{label}</span>
      <input
        className={`nbt-input${err ? ' invalid' : ''}`}
        value={text}
        placeholder={allowEmpty ? 'off' : undefined}
        data-testid={testId ?? `cfg-${field}`}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (t.trim() === '' && allowEmpty) {
            setErr(null);
            return editTraining({ [field]: null }, field);
          }
          const n = Number(t);
          const bad = t.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n)) || (min !== undefined && n < min) || (max !== undefined && n > max);
          if (bad) setErr(`${int ? 'a whole number' : 'a number'}${min !== undefined ? ` ≥ ${min}` : ''}${max !== undefined ? ` ≤ ${max}` : ''}`);
          else {
            setErr(null);
            editTraining({ [field]: n }, field);
          }
        }}
      />
      {err && <em className="nbt-err">needs {err}</em>}
    </label>
  );
}

function SelectField({ label, field, value, options }: { label: string; field: string; value: string; options: readonly string[] }) {
  return (
    <label className="nbt-field">
      <span>{label}</span>
      <select className="nbt-select" value={value} data-testid={`cfg-${field}`} onChange={(e) => editTraining({ [field]: e.target.value })}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ConfigSection({ config, issues }: { config: TrainingConfig; issues: { field: string; message: string }[] }) {
  const outputs = useStore((s) => s.analysis.flat.outputs);
  const perOutput = typeof config.loss === 'object';
  const hasSampling = useStore((s) => s.doc.nodes.some((n) => getBlock(n.type)?.addsLoss));
  return (
    <section className="nbt-section">
      <h4>Training config</h4>
      {issues.length > 0 && <div className="nbt-note error">{issues.map((i) => i.message).join('; ')}</div>}
      <div className="nbt-grid">
        {!perOutput || outputs.length <= 1 ? (
          <SelectField label="loss" field="loss" value={typeof config.loss === 'string' ? config.loss : (Object.values(config.loss)[0] ?? LOSSES[0])} options={LOSSES} />
        ) : (
          outputs.map((o) => (
            <label key={o.node} className="nbt-field">
              <span>loss · {o.node}</span>
              <select className="nbt-select" value={(config.loss as Record<string, string>)[o.node] ?? LOSSES[0]} onChange={(e) => editTraining({ loss: { ...(config.loss as object), [o.node]: e.target.value } })}>
                {LOSSES.map((l) => (
                  <option key={l}>{l}</option>
                ))}
              </select>
            </label>
          ))
        )}
        <SelectField label="optimizer" field="optimizer" value={config.optimizer} options={OPTIMIZERS} />
        <NumField label="learning rate" field="learningRate" value={config.learningRate} min={1e-7} max={9.99} />
        <SelectField label="lr schedule" field="lrSchedule" value={config.lrSchedule} options={LR_SCHEDULES} />
        {config.optimizer === 'sgd' && <NumField label="momentum" field="momentum" value={config.momentum} min={0} max={0.999} />}
        <NumField label="batch size" field="batchSize" value={config.batchSize} int min={1} max={65536} />
        <NumField label="epochs" field="epochs" value={config.epochs} int min={1} />
        <NumField label="validation split" field="validationSplit" value={config.validationSplit} min={0} max={0.9} />
        <NumField label="clip norm" field="clipNorm" value={config.clipNorm} min={1e-6} allowEmpty />
        <NumField label="seed" field="seed" value={config.seed} int />
        <SelectField label="kernel init" field="kernelInitializer" value={config.kernelInitializer} options={INITIALIZERS} />
        <NumField label="augment: shift (px)" field="augmentShift" value={config.augmentShift} int min={0} max={16} />
        <NumField label="augment: rotate (°)" field="augmentRotate" value={config.augmentRotate} min={0} max={45} />
      </div>
      <label className="nbt-check" title="Images only: mirror each training image left–right at random (right for clothes and photos, wrong for digits).">
        <input type="checkbox" data-testid="cfg-augmentFlip" checked={config.augmentFlip} onChange={(e) => editTraining({ augmentFlip: e.target.checked })} /> augment: random left–right flip
      </label>
      {outputs.length > 1 && (
        <label className="nbt-check">
          <input type="checkbox" checked={perOutput} onChange={(e) => editTraining({ loss: e.target.checked ? Object.fromEntries(outputs.map((o) => [o.node, typeof config.loss === 'string' ? config.loss : LOSSES[0]])) : LOSSES[0] })} /> a loss per output
        </label>
      )}
      {hasSampling && <div className="nbt-note">The Sampling block adds the VAE’s KL term to the loss automatically.</div>}
    </section>
  );
}
