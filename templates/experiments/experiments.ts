// The Experiments gallery: each experiment is a set of graph variants (with their training
// configs) run one after another on the same data, their curves overlaid, and a card with the
// result measured here (templates/experiments/results.json, written by
// scripts/measure-experiments.ts on tfjs' WASM backend). Plain data: the app and the script share it.
import type { GraphDoc } from '../../src/core/graph';
import { deepMlp } from './graphs';
import { MORE, PENDING_IDS } from './more';
import { PRETRAINING } from './pretraining';

export { deepMlp } from './graphs';

export interface Variant {
  name: string;
  graph: GraphDoc;
  /**
   * Trained first, on its own data and config; the variant then starts from its weights wherever
   * a block is the same in both graphs (id, type, params, input shapes: a pretrained encoder, a fresh head).
   */
  pretrain?: GraphDoc;
}

export interface Experiment {
  id: string;
  title: string;
  /** The lecture's claim the experiment checks. */
  claim: string;
  /** What the card compares (its measured numbers are in results.json). */
  measures: string;
  /** What the measured result shows (the numbers quoted are results.json's). */
  shows: string;
  variants: Variant[];
  /** The measured numbers the card's table shows (results.json fields), in order. */
  columns: Column[];
}

export type Column = 'gradRatioFirst' | 'testAccuracy' | 'trainAccuracy' | 'valAccuracy' | 'gap' | 'maxGradNorm' | 'status';

/** MNIST subset shared by the MLP experiments: small enough to run in a browser tab in a minute or two. */
const DATA = { dataset: 'mnist', limit: 3000, validationSplit: 0.1, seed: 1 };
const SGD = { optimizer: 'sgd', momentum: 0.9, learningRate: 0.01, batchSize: 64, epochs: 3 };

/** Every experiment, measured or not: what scripts/measure-experiments.ts measures. */
export const ALL_EXPERIMENTS: Experiment[] = [
  {
    id: 'vanishing',
    title: '1 · Vanishing gradients: 10 sigmoid layers vs ReLU + He vs batch norm',
    claim: 'In a deep sigmoid network the gradient shrinks layer by layer on its way back, so the first layers barely learn; ReLU with He initialisation, or batch normalisation, keeps it flowing.',
    measures: "the first Dense block's gradient norm relative to the output block's (at the first batch), and test accuracy after 3 epochs",
    shows:
      "At the first batch the sigmoid network's first block gets 10⁻⁶ of the gradient its output block gets (2.6e-6), and after 3 epochs it is still at chance (10.4%). With ReLU and He initialisation the first block's gradient is as large as the output's (2.7×) and the network reaches 77.8%; a batch norm before each sigmoid does the same for the sigmoid network (1.6×, 87.6%).",
    variants: [
      { name: 'sigmoid', graph: deepMlp('10 × Dense sigmoid', 10, 'sigmoid', { training: { ...DATA, ...SGD } }) },
      { name: 'ReLU + He', graph: deepMlp('10 × Dense ReLU, He init', 10, 'relu', { training: { ...DATA, ...SGD, kernelInitializer: 'heNormal' } }) },
      { name: 'sigmoid + batch norm', graph: deepMlp('10 × Dense + BatchNorm + sigmoid', 10, 'sigmoid', { batchNorm: true, training: { ...DATA, ...SGD } }) },
    ],
    columns: ['gradRatioFirst', 'testAccuracy'],
  },
  {
    id: 'optimizers',
    title: '3 · Optimizers: SGD vs momentum vs AdaGrad vs Adam',
    claim: 'On the same model and data, momentum speeds plain SGD up, and adaptive methods (AdaGrad, Adam) make fast early progress with little tuning.',
    measures: 'validation loss per epoch and test accuracy after 3 epochs, each at its usual learning rate',
    shows:
      'After 3 epochs plain SGD at 0.01 reaches 64.5%; momentum 0.9 at the same rate reaches 91.1%. AdaGrad at 0.01 reaches 81.4%, and Adam at its default 0.001 reaches 91.3% with the lowest validation loss at every epoch (0.56, 0.36, 0.31).',
    variants: [
      { name: 'SGD', graph: deepMlp('MLP · SGD', 2, 'relu', { units: 128, training: { ...DATA, optimizer: 'sgd', momentum: 0, learningRate: 0.01, batchSize: 64, epochs: 3, kernelInitializer: 'heNormal' } }) },
      { name: 'SGD + momentum', graph: deepMlp('MLP · momentum', 2, 'relu', { units: 128, training: { ...DATA, optimizer: 'sgd', momentum: 0.9, learningRate: 0.01, batchSize: 64, epochs: 3, kernelInitializer: 'heNormal' } }) },
      { name: 'AdaGrad', graph: deepMlp('MLP · AdaGrad', 2, 'relu', { units: 128, training: { ...DATA, optimizer: 'adagrad', learningRate: 0.01, batchSize: 64, epochs: 3, kernelInitializer: 'heNormal' } }) },
      { name: 'Adam', graph: deepMlp('MLP · Adam', 2, 'relu', { units: 128, training: { ...DATA, optimizer: 'adam', learningRate: 0.001, batchSize: 64, epochs: 3, kernelInitializer: 'heNormal' } }) },
    ],
    columns: ['gradRatioFirst', 'testAccuracy'],
  },
  ...MORE,
  PRETRAINING,
];

/**
 * Experiments defined but not measured yet (the machine they were measured on was too loaded to finish them):
 * kept out of the gallery, because a card states only numbers measured here. Measure with
 * `npx tsx scripts/measure-experiments.ts --only ID`, write the card's `shows`, and remove the id.
 */
export const PENDING = new Set<string>(PENDING_IDS);

/** The gallery: the measured experiments. */
export const EXPERIMENTS: Experiment[] = ALL_EXPERIMENTS.filter((e) => !PENDING.has(e.id));

export interface VariantResult {
  testAccuracy: number;
  valLoss: number[];
  /** Training loss per epoch (in training mode: with dropout on). */
  trainLoss?: number[];
  /** After training, in inference mode: accuracy on the examples trained on, and on the validation split. */
  trainAccuracy?: number;
  valAccuracy?: number;
  /** Largest global gradient norm (before clipping) over the gradient-flow samples. */
  maxGradNorm?: number;
  /** How training ended: 'nan' when a non-finite loss stopped it (the loop's message in `message`). */
  status?: string;
  message?: string;
  /** First Dense block's gradient norm over the output block's: at the first batch, and at the last sample. */
  gradRatioFirst: number;
  gradRatioLast: number;
  seconds: number;
  /**
   * Global gradient norm (before clipping) at each gradient-flow sample: [training step, norm].
   * The norm over every block's weights, as clipNorm measures it.
   */
  gradNorms?: [number, number][];
  /** With --seeds: every seed's results (the other fields are the first seed's run). */
  seeds?: SeedResult[];
  /** A pretrained variant: how long its pretraining took (once, reused by every seed). */
  pretrainSeconds?: number;
}

/** One seed's run of a variant (with --seeds). */
export interface SeedResult {
  seed: number;
  testAccuracy: number;
  /** Last epoch's validation loss (absent without a validation split). */
  valLoss?: number;
  maxGradNorm?: number;
  /** First block's gradient norm over the output block's, at the first batch. */
  gradRatioFirst?: number;
  status?: string;
}

export interface ExperimentResults {
  measuredWith: string;
  experiments: Record<string, Record<string, VariantResult>>;
}
