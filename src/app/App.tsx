import { Notice } from './components/Notice';
import { LayerAnalysis } from './features/analysis/LayerAnalysis';
import { ConfigDiff } from './features/compare/ConfigDiff';
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

export function App() {
  return (
    <main>
      <header className="top">
        <div>
          <h1>WebGPU Fine-tuning Lab</h1>
          <p className="muted">
            Fine-tune CodeBERT-family encoders for code search on your own GPU — LoRA, adapters, prefix-tuning, BitFit,
            layer freezing — and compare the methods side by side.
          </p>
        </div>
        <ShareButton />
      </header>
      <SharedNotice />
      <Notice />
      <Interrupted />
      <QuickStart />
      <div className="setup">
        <div className="column">
          <ModelPicker />
          <DataPanel />
          <TaskPanel />
        </div>
        <div className="column">
          <MethodPanel />
          <RecipePanel />
        </div>
      </div>
      <div className="setup">
        <TrainPanel />
        <SweepPanel />
      </div>
      <CurvesPanel />
      <RunsTable />
      <ConfigDiff />
      <ResultsPanel />
      <Playground />
      <PerExample />
      <AttentionView />
      <LayerAnalysis />
      <StoragePanel />
      <DevicePanel />
    </main>
  );
}
