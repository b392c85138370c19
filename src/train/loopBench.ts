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

/** ms per bare step (forward, loss, gradients, Adam update on tensors already in place); one read at the end waits for the last. */
export async function bareStep(doc: GraphDoc, batch: number, steps: number, clock: Clock): Promise<Took> {
  const c = compile(doc, { seed: 1 });
  const shape = c.model.inputs[0]!.shape.slice(1) as number[];
  const size = shape.reduce((a, b) => a * b, 1);
  const r = rng(2);
  const x = tf.tensor(Float32Array.from({ length: batch * size }, r), [batch, ...shape]);
  const y = tf.tensor(Int32Array.from({ length: batch }, () => Math.floor(r() * 10)), [batch], 'int32');
  // The app's Adam (makeOptimizer: fused on WASM and CPU), so the loop is compared with the step it runs.
  const opt = makeOptimizer({ ...DEFAULT_TRAINING, optimizer: 'adam', learningRate: 1e-3 });
  const step = () => opt.minimize(() => lossValue('sparseCategoricalCrossentropy', y, c.model.apply(x, { training: true }) as tf.Tensor), false);
  const w = () => c.model.trainableWeights[0]!.read().data();
  for (let i = 0; i < WARM; i++) step();
  await w();
  const took = clock();
  for (let i = 0; i < steps; i++) step();
  await w();
  const t = per(took(), steps);
  tf.dispose([x, y]);
  opt.dispose();
  c.model.dispose();
  return t;
}

/**
 * ms per batch of the app's loop on random data of the graph's input shape (10 classes), between
 * the reports of batch WARM-1 and WARM+steps-1; one more batch follows, so the last timed one
 * overlaps with the next as the others do.
 */
export async function loopBatch(doc: GraphDoc, batch: number, steps: number, clock: Clock): Promise<Took> {
  const c = compile(doc, { seed: 1 });
  const shape = c.model.inputs[0]!.shape.slice(1) as number[];
  const size = shape.reduce((a, b) => a * b, 1);
  const n = batch * (WARM + steps + 1);
  const r = rng(3);
  const data: Dataset = {
    name: 'random',
    title: 'random',
    description: 'random data for the loop benchmark',
    task: 'classification',
    numClasses: 10,
    defaultLoss: 'sparseCategoricalCrossentropy',
    train: { n, x: [{ shape, dtype: 'float32', data: Float32Array.from({ length: n * size }, r) }], y: [{ shape: [], dtype: 'int32', data: Int32Array.from({ length: n }, () => Math.floor(r() * 10)) }] },
    test: { n: 0, x: [{ shape, dtype: 'float32', data: new Float32Array(0) }], y: [{ shape: [], dtype: 'int32', data: new Int32Array(0) }] },
  };
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

/** Bare and loop alternately `times` times (the machine's load drifts; compare the fastest of each). */
export async function measureOverhead(doc: GraphDoc, batch: number, steps: number, times: number, clock: Clock): Promise<OverheadRuns> {
  const runs: OverheadRuns['runs'] = [];
  for (let k = 0; k < times; k++) runs.push({ bare: await bareStep(doc, batch, steps, clock), loop: await loopBatch(doc, batch, steps, clock) });
  return { runs };
}
