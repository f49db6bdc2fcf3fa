import { DevicePanel } from './features/device/DevicePanel';

export function App() {
  return (
    <main>
      <header className="top">
        <h1>WebGPU Fine-tuning Lab</h1>
        <p className="muted">
          Fine-tune CodeBERT-family encoders for code search on your own GPU — LoRA, adapters, prefix-tuning,
          BitFit, layer freezing — with numbers you can check against PyTorch.
        </p>
      </header>
      <DevicePanel />
    </main>
  );
}
