// The Train panel's hooks: the graph's training config, whether the loaded data fits the graph,
// and bringing back a graph's kept weights when it opens.
import { useEffect, useMemo } from 'react';
import { useStore } from '../store';
import { parseTrainingConfig, type TrainingConfig } from '../../train/config';
import { planData, DataFitError, type FitIssue } from '../../train/loop';
import type { CompiledModel } from '../../core/compile';
import { getTrain, useTrain } from './trainState';
import { restoreFor } from './actions';

export function useConfig(): { config: TrainingConfig; issues: { field: string; message: string }[] } {
  const raw = useStore((s) => s.doc.training);
  return useMemo(() => parseTrainingConfig(raw), [raw]);
}

export function useFitIssues(config: TrainingConfig): FitIssue[] | null {
  const analysis = useStore((s) => s.analysis);
  const meta = useTrain((s) => s.meta);
  return useMemo(() => {
    if (!meta || !analysis.ok) return null;
    try {
      // planData reads only the analysis and the data's shapes (the examples stay in the worker).
      planData({ analysis: analysis.flat } as CompiledModel, meta.dataset, config);
      return [];
    } catch (e) {
      if (e instanceof DataFitError) return e.issues;
      return [{ node: null, message: (e as Error).message }];
    }
  }, [analysis, meta, config]);
}

/** On opening a graph: bring back its kept weights (trained earlier, before a reload). */
export function useRestore(): void {
  const docId = useStore((s) => s.docId);
  useEffect(() => (getTrain().weightsDocId === docId ? undefined : restoreFor(docId)), [docId]);
}
