// The automatic backend choice: measured, not assumed. Many browsers have no usable GPU (virtual
// machines, remote desktops, blocklisted drivers) and are then handed a *software* WebGPU adapter
// and software WebGL (SwiftShader, llvmpipe): the first adapter is not the fastest. So "Auto" times
// a few training steps of the user's own model on every backend that starts, picks the fastest, and
// says why; the result is cached per model and machine. No DOM: the steps run in the worker or in
// Node, and the pure parts (ranking, wording) are unit-tested.
import * as tf from '@tensorflow/tfjs';
import { compile } from '../core/compile';
import type { GraphDoc } from '../core/graph';
import { randomInputs } from '../core/randomInputs';
import { BACKEND_LABELS, type BackendName } from './backends';
import type { TrainingConfig } from './config';
import { makeOptimizer } from './loop';

export interface Measured {
  backend: BackendName;
  /** Median time of one training step (forward, gradients, update, read-back of the loss). */
  msPerStep: number;
  /** True when the first step alone ran past the budget: msPerStep is then a lower bound. */
  lowerBound?: boolean;
  /** Set when the backend renders in software (e.g. "google / swiftshader"). */
  software?: string;
  /** Why it could not be measured (it did not start, or a step failed). */
  failed?: string;
}

export interface Budget {
  /** Stop timing a backend after this long (ms), once it has run a few steps. */
  perBackendMs: number;
  /** A first step (shader compilation included) longer than this ends the backend's probe. */
  firstStepMs: number;
}

export const DEFAULT_BUDGET: Budget = { perBackendMs: 800, firstStepMs: 2500 };

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const sleep = (ms: number) => new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms));

/**
 * Times training steps of `graph` on the current tfjs backend with random data of the model's
 * shapes at the config's batch size. A first step that runs past budget.firstStepMs (a software
 * GPU compiling its shaders and then emulating the arithmetic) ends the probe: its time so far is
 * a lower bound.
 */
export async function timeSteps(graph: GraphDoc, cfg: TrainingConfig, budget: Budget = DEFAULT_BUDGET): Promise<{ msPerStep: number; lowerBound: boolean }> {
  const c = compile(graph, { seed: cfg.seed, kernelInitializer: cfg.kernelInitializer });
  const optimizer = makeOptimizer(cfg);
  const shapes = c.analysis.inputs.map((id) => c.analysis.nodes.get(id)!.outputShapes!.out!);
  const dtypes = c.analysis.inputs.map((id) => (c.analysis.nodes.get(id)!.outputDtypes?.out === 'int32' ? 'int32' : 'float32') as 'int32' | 'float32');
  const xs = randomInputs(shapes, dtypes, 2, cfg.seed, Math.max(1, cfg.batchSize));
  const vars = c.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () =>
    tf.tidy(() => {
      // A stand-in loss of the right cost: every output, reduced (the real losses are a few ops more).
      const { value, grads } = tf.variableGrads(() => {
        const out = c.model.apply(xs.length === 1 ? xs[0]! : xs, { training: true }) as tf.Tensor | tf.Tensor[];
        return (Array.isArray(out) ? out : [out]).map((o) => tf.mean(tf.square(o))).reduce((a, b) => tf.add(a, b)) as tf.Scalar;
      }, vars);
      optimizer.applyGradients(grads);
      return value;
    });
  const pending: Promise<unknown>[] = [];
  try {
    const t0 = now();
    const first = step();
    const done = first.data().finally(() => first.dispose());
    pending.push(done);
    // On a GPU the step runs after step() returns and the race can cut it short; on the CPU
    // backends it ran inside step(), so check the time as well.
    if ((await Promise.race([done, sleep(budget.firstStepMs)])) === 'timeout' || now() - t0 > budget.firstStepMs) return { msPerStep: now() - t0, lowerBound: true };
    const times: number[] = [];
    const start = now();
    while (times.length < 3 || (now() - start < budget.perBackendMs && times.length < 20)) {
      const t = now();
      const v = step();
      await v.data();
      v.dispose();
      times.push(now() - t);
    }
    times.sort((a, b) => a - b);
    return { msPerStep: times[Math.floor(times.length / 2)]!, lowerBound: false };
  } finally {
    // A step still running on a slow backend finishes in the background; free everything after it.
    void Promise.allSettled(pending).then(() => {
      tf.dispose(xs);
      optimizer.dispose();
      c.model.dispose();
    });
  }
}

/** The fastest measured backend (ties go to the earlier one in the list). */
export function fastest(ms: Measured[]): Measured | undefined {
  return ms.filter((m) => !m.failed && !m.lowerBound).reduce<Measured | undefined>((best, m) => (!best || m.msPerStep < best.msPerStep ? m : best), undefined);
}

const msText = (ms: number) => (ms >= 100 ? `${Math.round(ms).toLocaleString('en-US')} ms` : `${ms.toPrecision(2)} ms`);

/** One sentence for the Train panel: what Auto chose and why, with the measured ratios. */
export function explainChoice(ms: Measured[], cached = false): string {
  const best = fastest(ms);
  if (!best) return 'no backend could run a training step of this model';
  const label = (m: Measured) => BACKEND_LABELS[m.backend];
  const others = ms
    .filter((m) => m !== best)
    .map((m) => {
      if (m.failed) return `${label(m)} did not run (${m.failed})`;
      const ratio = m.msPerStep / best.msPerStep;
      const what = m.software ? `${label(m)} here is a software emulation (${m.software})` : label(m);
      const times = `${m.lowerBound ? '≥ ' : ''}${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}×`;
      return `${what}: ${label(best)} is ${times} faster for this model (${m.lowerBound ? '> ' : ''}${msText(m.msPerStep)} a step)`;
    });
  return `${label(best)}, chosen automatically${cached ? ' (measured earlier on this machine)' : ''}: ${msText(best.msPerStep)} a training step${others.length ? ` — ${others.join('; ')}` : ''}`;
}

/** Software renderers, by the names adapters and WebGL renderers give them. */
export function softwareRenderer(text: string | undefined): string | undefined {
  return text && /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|mesa offscreen/i.test(text) ? text : undefined;
}

/** A key for caching a measurement: the model's structure and what sets its speed. */
export function choiceKey(graph: GraphDoc, cfg: TrainingConfig, machine: string): string {
  const shape = JSON.stringify({ n: graph.nodes.map((n) => [n.type, n.params ?? {}]), e: graph.edges.map((e) => [e.source, e.target, e.sourceHandle ?? '', e.targetHandle ?? '']), b: cfg.batchSize, o: cfg.optimizer, m: machine });
  let h = 2166136261;
  for (let i = 0; i < shape.length; i++) h = Math.imul(h ^ shape.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
