// The measurement behind `npm run bench -- loopOverhead` (bench/loopOverhead.ts), shared by Node
// and the browser's bench worker (loopBenchWorker.ts): a bare training step against the app's
// loop (train()) on the current tfjs backend, for one graph at one batch size. Not part of the app.
import * as tf from '@tensorflow/tfjs';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { rng } from '../core/randomInputs';
import type { Dataset } from '../data/dataset';
import { DEFAULT_TRAINING } from './config';
import { lossValue } from './losses';
import { makeOptimizer, train } from './loop';
import { installLazyConvInputGradient } from './lazyConvGrads';

/** Elapsed times in ms: wall clock, and (in Node) this process's CPU time. */
export interface Took {
  wall: number;
  cpu?: number;
}
/** Starts a clock; calling the result reads it. */
export type Clock = () => () => Took;

export const wallClock: Clock = () => {
  const t0 = performance.now();
  return () => ({ wall: performance.now() - t0 });
};

const per = (t: Took, steps: number): Took => ({ wall: t.wall / steps, cpu: t.cpu === undefined ? undefined : t.cpu / steps });

export const WARM = 2;

/** A bare training step on fixed inputs (forward, loss, gradients, Adam update), and how to free it. */
function bareStepper(doc: GraphDoc, batch: number): { step(): void; settle(): Promise<unknown>; dispose(): void } {
  // The loop's step skips the first convolution's unneeded input gradient (lazyConvGrads.ts, installed
  // by its first batch); the bare step must skip it too, or a bare step run before any loop does a
  // convolution more than the loop and the comparison flatters the loop.
  installLazyConvInputGradient();
  const c = compile(doc, { seed: 1 });
  const shape = c.model.inputs[0]!.shape.slice(1) as number[];
  const size = shape.reduce((a, b) => a * b, 1);
  const r = rng(2);
  const x = tf.tensor(Float32Array.from({ length: batch * size }, r), [batch, ...shape]);
  const y = tf.tensor(Int32Array.from({ length: batch }, () => Math.floor(r() * 10)), [batch], 'int32');
  // The app's Adam (makeOptimizer: fused on WASM and CPU), so the loop is compared with the step it runs.
  const opt = makeOptimizer({ ...DEFAULT_TRAINING, optimizer: 'adam', learningRate: 1e-3 });
  return {
    step: () => opt.minimize(() => lossValue('sparseCategoricalCrossentropy', y, c.model.apply(x, { training: true }) as tf.Tensor), false),
    settle: () => c.model.trainableWeights[0]!.read().data(),
    dispose: () => {
      tf.dispose([x, y]);
      opt.dispose();
      c.model.dispose();
    },
  };
}

/** ms per bare step (forward, loss, gradients, Adam update on tensors already in place); one read at the end waits for the last. */
export async function bareStep(doc: GraphDoc, batch: number, steps: number, clock: Clock): Promise<Took> {
  const b = bareStepper(doc, batch);
  for (let i = 0; i < WARM; i++) b.step();
  await b.settle();
  const took = clock();
  for (let i = 0; i < steps; i++) b.step();
  await b.settle();
  const t = per(took(), steps);
  b.dispose();
  return t;
}

/** n random examples of the given input shape, 10 classes. */
function randomData(shape: number[], n: number): Dataset {
  const size = shape.reduce((a, b) => a * b, 1);
  const r = rng(3);
  return {
    name: 'random',
    title: 'random',
    description: 'random data for the loop benchmark',
    task: 'classification',
    numClasses: 10,
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: { n, x: [{ shape, dtype: 'float32', data: Float32Array.from({ length: n * size }, r) }], y: [{ shape: [], dtype: 'int32', data: Int32Array.from({ length: n }, () => Math.floor(r() * 10)) }] },
    test: { n: 0, x: [{ shape, dtype: 'float32', data: new Float32Array(0) }], y: [{ shape: [], dtype: 'int32', data: new Int32Array(0) }] },
  };
}

/**
 * ms per batch of the app's loop on random data of the graph's input shape (10 classes), between
 * the reports of batch WARM-1 and WARM+steps-1; one more batch follows, so the last timed one
 * overlaps with the next as the others do.
 */
export async function loopBatch(doc: GraphDoc, batch: number, steps: number, clock: Clock): Promise<Took> {
  const c = compile(doc, { seed: 1 });
  const shape = c.model.inputs[0]!.shape.slice(1) as number[];
  const data = randomData(shape, batch * (WARM + steps + 1));
  let took: (() => Took) | undefined;
  let t: Took = { wall: NaN };
  await train(c, data, { ...DEFAULT_TRAINING, batchSize: batch, epochs: 1, validationSplit: 0 }, {
    onBatch: (e) => {
      if (e.batch === WARM - 1) took = clock();
      if (e.batch === WARM + steps - 1) t = took!();
    },
  });
  c.model.dispose();
  return per(t, steps);
}

export interface OverheadRuns {
  runs: { bare: Took; loop: Took }[];
}

/**
 * Bare and loop alternately `times` times. The machine's load drifts between and within runs, so
 * each loop run is compared with the bare run just before it (a paired ratio); the bench reports
 * the median of those ratios, and the fastest of each as a second view.
 */
export async function measureOverhead(doc: GraphDoc, batch: number, steps: number, times: number, clock: Clock): Promise<OverheadRuns> {
  const runs: OverheadRuns['runs'] = [];
  for (let k = 0; k < times; k++) runs.push({ bare: await bareStep(doc, batch, steps, clock), loop: await loopBatch(doc, batch, steps, clock) });
  return { runs };
}

/** loop / bare of each paired run, in CPU time where measured (Node) else wall clock. */
export function pairedRatios(r: OverheadRuns): number[] {
  return r.runs.map(({ bare, loop }) => (bare.cpu !== undefined && loop.cpu !== undefined ? loop.cpu / bare.cpu : loop.wall / bare.wall));
}

export function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Totals of an interleaved run, in ms, and each step's loop / bare ratio (wall clock). */
export interface Interleaved {
  steps: number;
  bare: Took;
  loop: Took;
  ratios: number[];
}

const add = (a: Took, b: Took): Took => ({ wall: a.wall + b.wall, cpu: a.cpu === undefined || b.cpu === undefined ? undefined : a.cpu + b.cpu });

/**
 * The loop and the bare step interleaved step by step, for the backends whose kernels run
 * synchronously (WASM, CPU): between two of the loop's batches, one bare step on a second model.
 * Each loop batch then runs beside a bare step under the same load — on a shared machine a fixed
 * computation's time varies by ±30% from one 15 ms stretch to the next, far more than the 5% measured.
 * Returns ms per step (per batch) of each, averaged over `steps` after WARM.
 */
export async function measureInterleaved(doc: GraphDoc, batch: number, steps: number, clock: Clock): Promise<Interleaved> {
  const c = compile(doc, { seed: 1 });
  const shape = c.model.inputs[0]!.shape.slice(1) as number[];
  const b = bareStepper(doc, batch);
  const zero: Took = { wall: 0, cpu: 0 };
  let bare = zero;
  let loop = zero;
  const ratios: number[] = [];
  let since: (() => Took) | undefined;
  try {
    await train(c, randomData(shape, batch * (WARM + steps)), { ...DEFAULT_TRAINING, batchSize: batch, epochs: 1, validationSplit: 0 }, {
      onBatch: async (e) => {
        // The loop's batch e ended here; it began when the previous callback returned.
        const l = since?.();
        const t = clock();
        b.step();
        await b.settle();
        const s = t();
        if (l && e.batch >= WARM) {
          loop = add(loop, l);
          bare = add(bare, s);
          ratios.push(l.wall / s.wall);
        }
        since = clock();
      },
    });
  } finally {
    b.dispose();
    c.model.dispose();
  }
  const n = ratios.length;
  return { steps: n, bare: per(bare, n), loop: per(loop, n), ratios };
}
