/**
 * The benchmark in this browser (the CLI's `npm run bench` suite in the Worker): the training step per method
 * and evaluation throughput on this GPU, shown as a table and downloadable as the CLI's JSON; the last report
 * stays in this browser and the Train panel's time estimate uses it.
 */
import { useState } from 'react';
import type { BenchResult } from '../../../bench/suite';
import { download } from '../../lib/export_runs';
import { formatBytes } from '../../lib/format';
import { startBenchmark } from '../../store/tuning_client';
import { useLab } from '../../store/store';

function Report({ report }: { readonly report: BenchResult }) {
  const a = report.environment.adapter;
  return (
    <>
      <p className="small" data-testid="benchmark-summary">
        {report.quick ? 'Quick check' : `${report.model.name}, batch ${report.recipe.batchSize}, code ${report.recipe.codeLength} / query ${report.recipe.nlLength}`} on{' '}
        {a.description || a.vendor || 'this GPU'}, {report.date.slice(0, 16).replace('T', ' ')}
        {report.failures.length > 0 ? ` — ${report.failures.length} failed (${report.failures.map((f) => f.name).join(', ')})` : ''}
      </p>
      <table className="runs" data-testid="benchmark-table">
        <thead>
          <tr>
            <th>Method</th>
            <th>ms / step</th>
            <th>pairs / s</th>
            <th>GFLOPS</th>
            <th>GPU memory</th>
          </tr>
        </thead>
        <tbody>
          {report.steps.map((s) => (
            <tr key={s.method} data-testid="benchmark-row">
              <td>{s.method}</td>
              <td>{s.ms.toFixed(1)}</td>
              <td>{s.pairsPerSecond.toFixed(1)}</td>
              <td>{(1000 * s.tflops).toFixed(s.tflops < 0.01 ? 3 : 1)}</td>
              <td>{formatBytes(s.peakBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.eval && (
        <p className="small" data-testid="benchmark-eval">
          Evaluation: {report.eval.sequencesPerSecond.toFixed(1)} sequences/s ({report.eval.method}, batch {report.eval.batchSize}).
        </p>
      )}
      <button type="button" className="secondary" onClick={() => download('webgpu-bench.json', `${JSON.stringify(report, null, 2)}\n`, 'application/json')} data-testid="benchmark-download">
        Download the report (JSON)
      </button>
    </>
  );
}

export function Benchmark() {
  const state = useLab((s) => s.benchmark);
  const report = useLab((s) => s.benchmarkReport);
  const [problem, setProblem] = useState<string | null>(null);
  const running = state.status === 'running';
  return (
    <section className="benchmark" aria-label="Benchmark this GPU" data-testid="benchmark">
      <h3>Benchmark this GPU</h3>
      <p className="muted small">
        The training step of every method and evaluation, timed on this GPU as <code>npm run bench</code> does (the same JSON; compare it with
        PyTorch on the same GPU with the CLI). The full run uses codebert-base&apos;s shapes at the thesis recipe and takes minutes.
      </p>
      <div className="row">
        <button type="button" className="secondary" disabled={running} onClick={() => setProblem(startBenchmark(true))} data-testid="benchmark-quick">
          Quick check (tiny model)
        </button>
        <button type="button" className="secondary" disabled={running} onClick={() => setProblem(startBenchmark(false))} data-testid="benchmark-full">
          Benchmark codebert-base shapes
        </button>
      </div>
      {problem && <p role="alert" className="error-text">{problem}</p>}
      {running && (
        <p role="status" className="muted small" data-testid="benchmark-progress">
          {state.lines.at(-1) ?? 'starting…'}
        </p>
      )}
      {state.status === 'error' && <p role="alert" className="error-text">{state.message}</p>}
      {report && !running && <Report report={report} />}
    </section>
  );
}
