/** The adapter the engine found: identity, the features that matter for training, and the limits it raised. */
import { formatBytes } from '../../lib/format';
import { useLab } from '../../store/store';
import { EnableWebGpu } from './EnableWebGpu';
import { Benchmark } from './Benchmark';
import { KernelTuning } from './KernelTuning';
import { SelfCheck } from './SelfCheck';

const KEY_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
] as const;

function formatLimit(name: string, value: number): string {
  if (name.endsWith('Size') && value >= 1 << 20) return `${(value / (1 << 20)).toLocaleString('en-US')} MiB`;
  if (name.endsWith('Size') && value >= 1 << 10) return `${(value / (1 << 10)).toLocaleString('en-US')} KiB`;
  return value.toLocaleString('en-US');
}

/** GPU memory the engine holds now (the training device's buffer arena) and the peak of the last run. */
function MemoryInUse() {
  const live = useLab((s) => s.memoryLive);
  const peak = useLab((s) => s.memoryPeak);
  return (
    <>
      <dt>Memory in use</dt>
      <dd data-testid="memory-in-use">
        {formatBytes(live)} <span className="muted">(peak of the last run {formatBytes(peak)})</span>
      </dd>
    </>
  );
}

function Feature({ name, on }: { readonly name: string; readonly on: boolean }) {
  return (
    <li className={on ? 'feature on' : 'feature off'}>
      {on ? '✓' : '✗'} {name}
    </li>
  );
}

export function DevicePanel() {
  const status = useLab((s) => s.deviceStatus);
  const adapter = useLab((s) => s.adapter);
  const features = useLab((s) => s.features);
  const message = useLab((s) => s.deviceMessage);

  if (status === 'probing') return <section className="card" aria-busy="true">Looking for a WebGPU adapter…</section>;
  if (status === 'unavailable') return <EnableWebGpu message={message ?? ''} />;
  if (status === 'error' && !adapter) {
    return (
      <section className="card error" role="alert">
        <h2>The GPU failed</h2>
        <p>{message}</p>
      </section>
    );
  }
  if (!adapter || !features) return null;
  return (
    <section className="card" aria-labelledby="device-title" data-testid="device-panel">
      <h2 id="device-title">GPU</h2>
      {status === 'error' && <p role="alert" className="error-text">{message}</p>}
      <dl className="facts">
        <dt>Vendor</dt>
        <dd data-testid="adapter-vendor">{adapter.vendor}</dd>
        <dt>Architecture</dt>
        <dd data-testid="adapter-architecture">{adapter.architecture}</dd>
        <dt>Description</dt>
        <dd>{adapter.description || '—'}</dd>
        <MemoryInUse />
      </dl>
      {adapter.isFallbackAdapter && <p className="muted">This is a software (fallback) adapter: training will be very slow.</p>}
      <h3>Features</h3>
      <ul className="features" aria-label="GPU features">
        <Feature name="shader-f16 (half-precision frozen weights)" on={features.f16} />
        <Feature name="subgroups (faster reductions)" on={features.subgroups} />
        <Feature name="timestamp-query (kernel timings)" on={features.timestampQuery} />
      </ul>
      <h3>Limits</h3>
      <table className="limits">
        <tbody>
          {KEY_LIMITS.map((name) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{adapter.limits[name] === undefined ? '—' : formatLimit(name, adapter.limits[name])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <SelfCheck />
      <KernelTuning />
      <Benchmark />
    </section>
  );
}
