// The Train tab: backend, data (built-in or your own) with a preview and the fit check, the
// training config (stored in the graph's `training` object through an undoable edit), the run
// controls, live curves, the test result and confusion matrix, a try-it panel, and keeping and
// taking away the model (IndexedDB, tfjs files, ONNX, and a check in onnxruntime-web).
// Each section is its own component (sections/*.tsx); what the buttons do is in actions.ts.
import './train.css';
import { useConfig, useFitIssues, useRestore } from './hooks';
import { BackendSection } from './sections/Backend';
import { DataSection } from './sections/Data';
import { RunSection } from './sections/Run';
import { ConfigSection } from './sections/Config';
import { ChartsSection, ResultsSection } from './sections/Results';
import { TryItSection } from './sections/TryIt';
import { ModelSection } from './sections/Model';
import { GradFlowSection } from './GradFlow';
import { RunsSection } from './Runs';
import { FineTuneSection } from './FineTune';
import { ExperimentsSection } from '../experiments/Experiments';

export default function TrainPanel() {
  const { config, issues } = useConfig();
  const fit = useFitIssues(config);
  useRestore();
  return (
    <div className="nbt" data-testid="train-panel">
      <BackendSection />
      <DataSection config={config} fit={fit} />
      {/* The ▶ Train controls right after the data, above the config's many fields (in view at 1440×900). */}
      <RunSection config={config} fit={fit} />
      <ConfigSection config={config} issues={issues} />
      <ChartsSection />
      <GradFlowSection />
      <ResultsSection />
      <FineTuneSection config={config} fit={fit} />
      <RunsSection />
      <ExperimentsSection />
      <TryItSection />
      <ModelSection />
    </div>
  );
}
