import { Notice } from './components/Notice';
import { LayerAnalysis } from './features/analysis/LayerAnalysis';
import { ConfigDiff } from './features/compare/ConfigDiff';
import { CompressionPanel } from './features/compression/CompressionPanel';
import { PrecisionPanel } from './features/compression/PrecisionPanel';
import { PruningPanel } from './features/compression/PruningPanel';
import { ResultsPanel } from './features/compare/ResultsPanel';
import { AttentionView } from './features/playground/AttentionView';
import { PerExample } from './features/playground/PerExample';
import { Playground } from './features/playground/Playground';
import { CurvesPanel } from './features/curves/CurvesPanel';
import { DataPanel } from './features/data/DataPanel';
import { DevicePanel } from './features/device/DevicePanel';
import { MethodPanel } from './features/method/MethodPanel';
import { ModelPicker } from './features/model/ModelPicker';
import { RecipePanel } from './features/recipe/RecipePanel';
import { Interrupted } from './features/runs/Interrupted';
import { RunsTable } from './features/runs/RunsTable';
import { ShareButton } from './features/share/ShareButton';
import { StoragePanel } from './features/storage/StoragePanel';
import { SharedNotice } from './features/share/SharedNotice';
import { QuickStart } from './features/start/QuickStart';
import { SweepPanel } from './features/sweep/SweepPanel';
import { TaskPanel } from './features/task/TaskPanel';
import { TrainPanel } from './features/train/TrainPanel';
import { useLab } from './store/store';

/**
 * The workspace: the run's setup (model, data, task, method, recipe, sweep) in a side panel that scrolls on its
 * own and folds away; the live view — training controls, curves, runs — beside it, so a run's curves stay in view
 * while it trains; the analysis views below them.
 */
export function App() {
  const hidden = useLab((s) => s.setupHidden);
  const setHidden = useLab((s) => s.setSetupHidden);
  return (
    <main className={hidden ? 'workspace setup-hidden' : 'workspace'}>
      <header className="top">
        <div>
          <h1>WebGPU Fine-tuning Lab</h1>
          <p className="muted small">
            Fine-tune CodeBERT-family encoders on your own GPU — code search and classification; LoRA, adapters, prefix-tuning,
            BitFit, layer freezing — and compare the methods side by side.
          </p>
        </div>
        <div className="row">
          <button type="button" className="secondary" onClick={() => setHidden(!hidden)} aria-expanded={!hidden} aria-controls="setup-panel" data-testid="toggle-setup">
            {hidden ? 'Show the setup' : 'Hide the setup'}
          </button>
          <ShareButton />
        </div>
      </header>
      <SharedNotice />
      <Notice />
      <Interrupted />
      <div className="layout">
        <aside id="setup-panel" className="setup-panel" aria-label="Run setup" hidden={hidden} data-testid="setup-panel">
          <QuickStart />
          <ModelPicker />
          <DataPanel />
          <TaskPanel />
          <MethodPanel />
          <RecipePanel />
          <PruningPanel />
          <SweepPanel />
        </aside>
        <section className="live" aria-label="Training and results">
          <TrainPanel />
          <CurvesPanel />
          <RunsTable />
          <ConfigDiff />
          <ResultsPanel />
          <CompressionPanel />
          <PrecisionPanel />
          <Playground />
          <PerExample />
          <AttentionView />
          <LayerAnalysis />
          <StoragePanel />
          <DevicePanel />
        </section>
      </div>
    </main>
  );
}
