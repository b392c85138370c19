// One training step of a template — forward, sparse cross-entropy, gradients, Adam update, the loss
// read back — timed on whatever tfjs backend is current. The same module runs in Node and in the
// browser page (loaded from the Vite dev server by bench/vsTorch.ts), so both time the same code.
import * as tf from '@tensorflow/tfjs';
import { compile } from '../src/core/compile';
import type { GraphDoc } from '../src/core/graph';
import { rng } from '../src/core/randomInputs';
import { lossValue } from '../src/train/loop';
import { FusedAdam } from '../src/train/fusedAdam';

export interface Stepper {
  /** Mean ms of `steps` training steps (each reads its loss back). */
  time(steps: number): Promise<number>;
  dispose(): void;
}

/** A template compiled once with its random batch and optimizer, two warm-up steps taken, timed on demand. */
export async function makeStepper(doc: GraphDoc, batch: number): Promise<Stepper> {
  const c = compile(doc, { seed: 1 });
  const inShape = c.model.inputs[0]!.shape.slice(1) as number[];
  const out = c.model.outputs[0]!.shape.slice(1) as number[];
  const r = rng(1);
  const tokens = c.analysis.nodes.get(c.analysis.inputs[0]!)!.outputDtypes?.out === 'int32';
  const n = batch * inShape.reduce((a, b) => a * b, 1);
  // Token ids below 12: within every template's vocabulary.
  const x = tokens ? tf.tensor(Int32Array.from({ length: n }, () => Math.floor(r() * 12)), [batch, ...inShape], 'int32') : tf.tensor(Float32Array.from({ length: n }, r), [batch, ...inShape]);
  const y = tf.tensor(Int32Array.from({ length: batch * out.slice(0, -1).reduce((a, b) => a * b, 1) }, () => Math.floor(r() * out[out.length - 1]!)), [batch, ...out.slice(0, -1)], 'int32');
  // The app's Adam (src/train/fusedAdam.ts: tf.train.adam's numbers, one kernel a weight on WASM).
  const opt = new FusedAdam(1e-3, 0.9, 0.999, 1e-7);
  const step = async () => {
    const loss = opt.minimize(() => lossValue('sparseCategoricalCrossentropy', y, c.model.apply(x, { training: true }) as tf.Tensor), true) as tf.Scalar;
    await loss.data();
    loss.dispose();
  };
  await step();
  await step();
  return {
    async time(steps) {
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await step();
      return (performance.now() - t0) / steps;
    },
    dispose() {
      tf.dispose([x, y]);
      opt.dispose();
      c.model.dispose();
    },
  };
}

/** Mean ms of `steps` training steps at `batch` after two warm-up steps. */
export async function timeTrainingSteps(doc: GraphDoc, batch: number, steps: number): Promise<number> {
  const s = await makeStepper(doc, batch);
  const ms = await s.time(steps);
  s.dispose();
  return ms;
}

const held = new Map<string, Stepper>();

/** A stepper kept by name between calls (the browser page's bench calls this through page.evaluate). */
export async function timeHeld(name: string, doc: GraphDoc, batch: number, steps: number): Promise<number> {
  let s = held.get(name);
  if (!s) held.set(name, (s = await makeStepper(doc, batch)));
  return s.time(steps);
}

export function disposeHeld(): void {
  for (const s of held.values()) s.dispose();
  held.clear();
}
