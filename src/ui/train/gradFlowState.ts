// The live gradient-flow samples of the current run (from the worker's 'gradflow' messages), for
// the Train panel's chart and the canvas blocks' heat overlay. Kept apart from trainState.ts: a
// small store of its own, fed by its own listener on the training client.
import { useSyncExternalStore } from 'react';
import { diagnose, type FlowFlag, type GradFlowSample } from '../../train/gradFlow';
import type { TrainClient } from '../../train/client';
import { getState } from '../store';

export interface GradFlowUi {
  samples: GradFlowSample[];
  /** The document the samples were trained for (the overlay shows only on it). */
  docId?: string;
  /** Flags of the latest sample. */
  flags: FlowFlag[];
}

/** Samples kept (older ones thinned, like the loss curve's points). */
const MAX_SAMPLES = 400;

let state: GradFlowUi = { samples: [], flags: [] };
const listeners = new Set<() => void>();

export function getGradFlow(): GradFlowUi {
  return state;
}
export function setGradFlow(p: Partial<GradFlowUi>): void {
  state = { ...state, ...p };
  for (const l of listeners) l();
}
export function useGradFlow<T>(sel: (s: GradFlowUi) => T): T {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => sel(state),
  );
}

/** Adds a sample; one at or before the last (a new run, a resumed one) replaces the samples from there on. */
export function addSample(g: GradFlowSample, docId: string): void {
  let samples = [...state.samples.filter((s) => s.step < g.step && state.docId === docId), g];
  while (samples.length > MAX_SAMPLES) samples = samples.filter((_, i) => i % 2 === 0 || i === samples.length - 1);
  setGradFlow({ samples, docId, flags: diagnose(g) });
}

const subscribed = new WeakSet<TrainClient>();
/** Listens to a training client's gradient-flow messages (once per client). */
export function listenGradFlow(c: TrainClient): void {
  if (subscribed.has(c)) return;
  subscribed.add(c);
  c.on((e) => {
    if (e.t === 'gradflow') addSample(e.g, getState().docId);
  });
}

/** Heat of a block in the latest sample: log10 of its gradient norm relative to the strongest block's (0 = strongest). */
export function heatOf(s: GradFlowSample | undefined, node: string): { rel: number; gradNorm: number } | undefined {
  if (!s) return undefined;
  const b = s.blocks.find((x) => x.node === node);
  if (!b) return undefined;
  const top = Math.max(...s.blocks.map((x) => x.gradNorm));
  return { rel: top > 0 && b.gradNorm > 0 ? Math.log10(b.gradNorm / top) : -Infinity, gradNorm: b.gradNorm };
}
