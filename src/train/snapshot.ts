// A training run's state in CPU memory: the model's weights and the optimizer's (Adam's moments
// and step count, momentum's velocities, …), at a position (epoch, batch). Taken every few seconds
// and every epoch by the worker; when a GPU device is lost the run goes on from the last one on
// another backend as the same training — same weights, same optimizer state, and (train()'s
// position-keyed streams) the same data order, augmentation and dropout.
import * as tf from '@tensorflow/tfjs';
import { makeOptimizer } from './loop';
import type { TrainingConfig } from './config';

interface Values {
  shape: number[];
  data: Float32Array;
}

export interface Snapshot {
  weights: Values[];
  /** optimizer.getWeights(): the step count first, then the optimizer's slots. */
  optimizer: Values[];
  /** Where training goes on from (train()'s resume position). */
  at: { epoch: number; batch: number };
}

export class SnapshotError extends Error {}

async function read(ts: tf.Tensor[]): Promise<Values[]> {
  // Async read-back: reliable on WebGPU, and it waits for the GPU to finish.
  const vs = await Promise.all(ts.map(async (t) => ({ shape: t.shape.slice(), data: new Float32Array((await t.data()) as Float32Array) })));
  // A read made while the device goes away can be garbage: keep only finite ones.
  for (const v of vs) for (let i = 0; i < v.data.length; i++) if (!Number.isFinite(v.data[i]!)) throw new SnapshotError('weights read back as NaN/Inf');
  return vs;
}

export async function takeSnapshot(model: tf.LayersModel, optimizer: tf.Optimizer, at: Snapshot['at']): Promise<Snapshot> {
  const weights = await read(model.getWeights());
  const slots = await optimizer.getWeights();
  try {
    return { weights, optimizer: await read(slots.map((w) => w.tensor)), at };
  } finally {
    slots[0]?.tensor.dispose(); // the step count is a fresh scalar; the rest are the optimizer's own variables
  }
}

/**
 * Puts a snapshot's weights into `model` and returns a new optimizer (on the current backend)
 * holding the snapshot's optimizer state.
 */
export async function restoreSnapshot(model: tf.LayersModel, cfg: TrainingConfig, s: Snapshot): Promise<tf.Optimizer> {
  const ws = s.weights.map((v) => tf.tensor(v.data, v.shape));
  model.setWeights(ws);
  tf.dispose(ws);
  const optimizer = makeOptimizer(cfg);
  // The optimizer makes its own variables from these (and reads the step count back to a number).
  const named = s.optimizer.map((v, i) => ({ name: `slot_${i}`, tensor: tf.tensor(v.data, v.shape) }));
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  return optimizer;
}
