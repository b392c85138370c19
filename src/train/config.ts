// The training config, stored in the graph document's `training` object. Every field has a
// default; a bad value is reported on its field with the value quoted.

export const LOSSES = ['sparseCategoricalCrossentropy', 'categoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError', 'meanAbsoluteError'] as const;
export type LossName = (typeof LOSSES)[number];
export const OPTIMIZERS = ['sgd', 'adam', 'adagrad', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
// normal0.01 / normal1: N(0, σ²) whatever the fan-in — badly scaled on purpose (the initialisation experiment).
export const INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'normal0.01', 'normal1'] as const;
export const LR_SCHEDULES = ['constant', 'cosine'] as const;

export interface TrainingConfig {
  /** Built-in dataset name (see src/data/registry.ts). */
  dataset?: string;
  /** Cap on the number of examples loaded (small runs, tests). */
  limit?: number;
  /** One loss for all outputs, or one per output node id. */
  loss: LossName | Record<string, LossName>;
  /** What the outputs are trained to match: the dataset's labels, or the input itself (autoencoders). */
  target: 'auto' | 'labels' | 'input';
  optimizer: OptimizerName;
  learningRate: number;
  /**
   * constant, or cosine: epoch e of E trains at learningRate · ½(1 + cos(π·e/E)), from the full rate
   * down towards 0. "Train more" continues where the schedule ended (see moreEpochsSchedule); a
   * restart of the schedule at the full rate is an explicit choice.
   */
  lrSchedule: (typeof LR_SCHEDULES)[number];
  /** SGD momentum (0 = plain SGD). */
  momentum: number;
  batchSize: number;
  epochs: number;
  validationSplit: number;
  /** Clip gradients by their global norm; null = no clipping. */
  clipNorm: number | null;
  seed: number;
  kernelInitializer: (typeof INITIALIZERS)[number];
  /** Image inputs only: shift each training image by up to this many pixels each way (0 = off). */
  augmentShift: number;
  /** Image inputs only: mirror training images left–right at random. */
  augmentFlip: boolean;
  /** Image inputs only: rotate each training image by up to this many degrees each way (0 = off). */
  augmentRotate: number;
}

export const DEFAULT_TRAINING: TrainingConfig = {
  loss: 'sparseCategoricalCrossentropy',
  target: 'auto',
  optimizer: 'adam',
  learningRate: 0.001,
  lrSchedule: 'constant',
  momentum: 0,
  batchSize: 32,
  epochs: 5,
  validationSplit: 0.1,
  clipNorm: null,
  seed: 1,
  kernelInitializer: 'glorotUniform',
  augmentShift: 0,
  augmentFlip: false,
  augmentRotate: 0,
};

export interface ConfigIssue {
  field: string;
  message: string;
}

const q = (v: unknown) => JSON.stringify(v);

export function parseTrainingConfig(raw: Record<string, unknown> | undefined): { config: TrainingConfig; issues: ConfigIssue[] } {
  const c: TrainingConfig = { ...DEFAULT_TRAINING };
  const issues: ConfigIssue[] = [];
  const r = raw ?? {};
  const num = (field: keyof TrainingConfig, ok: (v: number) => boolean, rule: string, int = false) => {
    const v = r[field];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v)) || !ok(v)) issues.push({ field, message: `training.${field} must be ${rule}, got ${q(v)}` });
    else (c as unknown as Record<string, unknown>)[field] = v;
  };
  const oneOf = (field: keyof TrainingConfig, options: readonly string[]) => {
    const v = r[field];
    if (v === undefined) return;
    if (typeof v !== 'string' || !options.includes(v)) issues.push({ field, message: `training.${field} must be one of ${options.join(', ')}, got ${q(v)}` });
    else (c as unknown as Record<string, unknown>)[field] = v;
  };
  if (r.dataset !== undefined) {
    if (typeof r.dataset !== 'string') issues.push({ field: 'dataset', message: `training.dataset must be a dataset name, got ${q(r.dataset)}` });
    else c.dataset = r.dataset;
  }
  num('limit', (v) => v >= 1, 'an integer ≥ 1', true);
  if (r.loss !== undefined) {
    const ok = (v: unknown) => typeof v === 'string' && (LOSSES as readonly string[]).includes(v);
    if (typeof r.loss === 'object' && r.loss !== null && !Array.isArray(r.loss)) {
      const bad = Object.entries(r.loss).find(([, v]) => !ok(v));
      if (bad) issues.push({ field: 'loss', message: `training.loss["${bad[0]}"] must be one of ${LOSSES.join(', ')}, got ${q(bad[1])}` });
      else c.loss = r.loss as Record<string, LossName>;
    } else if (!ok(r.loss)) issues.push({ field: 'loss', message: `training.loss must be one of ${LOSSES.join(', ')} (or an object of them per output), got ${q(r.loss)}` });
    else c.loss = r.loss as LossName;
  }
  oneOf('target', ['auto', 'labels', 'input']);
  oneOf('optimizer', OPTIMIZERS);
  num('learningRate', (v) => v > 0 && v < 10, 'a number in (0, 10)');
  oneOf('lrSchedule', LR_SCHEDULES);
  num('momentum', (v) => v >= 0 && v < 1, 'a number in [0, 1)');
  num('batchSize', (v) => v >= 1 && v <= 65536, 'an integer in [1, 65536]', true);
  num('epochs', (v) => v >= 1 && v <= 100000, 'an integer ≥ 1', true);
  num('validationSplit', (v) => v >= 0 && v < 1, 'a number in [0, 1)');
  if (r.clipNorm !== undefined && r.clipNorm !== null) num('clipNorm', (v) => v > 0, 'a number > 0 (or null for no clipping)');
  num('seed', () => true, 'an integer', true);
  oneOf('kernelInitializer', INITIALIZERS);
  num('augmentShift', (v) => v >= 0 && v <= 16, 'an integer in [0, 16] (pixels)', true);
  num('augmentRotate', (v) => v >= 0 && v <= 45, 'a number in [0, 45] (degrees)');
  if (r.augmentFlip !== undefined) {
    if (typeof r.augmentFlip !== 'boolean') issues.push({ field: 'augmentFlip', message: `training.augmentFlip must be true or false, got ${q(r.augmentFlip)}` });
    else c.augmentFlip = r.augmentFlip;
  }
  return { config: c, issues };
}

/** The learning rate of an epoch (0-based) under the config's schedule. */
export function learningRateAt(c: Pick<TrainingConfig, 'learningRate' | 'lrSchedule' | 'epochs'>, epoch: number): number {
  if (c.lrSchedule === 'cosine') return c.learningRate * 0.5 * (1 + Math.cos((Math.PI * epoch) / c.epochs));
  return c.learningRate;
}

/** The learning rates of one stretch of training: a run's own schedule, or what "Train more" adds. */
export type LrSchedule = Pick<TrainingConfig, 'learningRate' | 'lrSchedule' | 'epochs'>;

/**
 * The schedule of the epochs "Train more" adds, after a run whose last epoch trained at
 * `lastRate`. By default training continues: a constant schedule keeps the config's rate, and a
 * cosine one stays at the rate its last epoch trained at (it does not jump back to the peak,
 * which, with the optimizer's state kept, would undo much of the annealing and make the model
 * worse). `restart` runs the config's schedule again from its full rate: a warm restart (SGDR),
 * which can reach a better minimum over several epochs but first makes the model worse.
 */
export function moreEpochsSchedule(cfg: TrainingConfig, lastRate: number | undefined, epochs: number, restart: boolean): LrSchedule {
  if (restart || cfg.lrSchedule === 'constant' || lastRate === undefined) return { learningRate: cfg.learningRate, lrSchedule: cfg.lrSchedule, epochs };
  return { learningRate: lastRate, lrSchedule: 'constant', epochs };
}

export function lossFor(c: TrainingConfig, outputNode: string): LossName {
  // Own properties only: an output named "constructor" must not find Object.prototype's.
  return typeof c.loss === 'string' ? c.loss : (Object.hasOwn(c.loss, outputNode) ? c.loss[outputNode] : undefined) ?? (DEFAULT_TRAINING.loss as LossName);
}
