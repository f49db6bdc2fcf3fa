/**
 * Live curves of every visible run. Charts are the expensive part of the page, so they never render in the
 * store's synchronous updates: a transient subscription copies what they need (runs shown, smoothing, the
 * curve tick) into local state inside a transition, which React renders in slices without holding the main
 * thread.
 */
import { startTransition, useEffect, useId, useMemo, useState } from 'react';
import { Card } from '../../components/Card';
import { formatMetric, formatValue } from '../../lib/format';
import type { Smoothing } from '../../lib/ema';
import { runColor, type RunRecord } from '../../lib/run_types';
import { X_AXES, isXAxisKind, type XAxisKind } from '../../lib/x_axis';
import { curvesOf } from '../../store/metrics';
import { useLab, type LabState } from '../../store/store';
import { useTransitioned } from '../../store/useTransitioned';
import { buildRows } from './chartData';
import { Chart } from './Chart';

interface ChartInputs {
  readonly runs: readonly RunRecord[];
  readonly smoothing: number;
  readonly kind: Smoothing;
  readonly axis: XAxisKind;
  readonly tick: number;
}

const shownRuns = (s: LabState): RunRecord[] => s.runs.filter((r) => !s.hiddenRuns.includes(r.id) && r.status !== 'queued');
/** What the charts' legend depends on: a string, so a run's step counter moving does not count as a change. */
const runsKey = (s: LabState): string => shownRuns(s).map((r) => `${r.id}|${r.name}|${r.color}`).join('\n');
const inputsOf = (s: LabState): ChartInputs => ({ runs: shownRuns(s), smoothing: s.smoothing, kind: s.smoothingKind, axis: s.xAxis, tick: s.curvesTick });

function useChartInputs(): ChartInputs {
  const [inputs, setInputs] = useState(() => inputsOf(useLab.getState()));
  useEffect(
    () =>
      useLab.subscribe((s, prev) => {
        if (s.curvesTick === prev.curvesTick && s.smoothing === prev.smoothing && s.smoothingKind === prev.smoothingKind && s.xAxis === prev.xAxis && runsKey(s) === runsKey(prev)) return;
        startTransition(() => setInputs(inputsOf(s)));
      }),
    [],
  );
  return inputs;
}

function Visibility() {
  // Keyed by a string: a run's step counter moving does not re-render the legend.
  const key = useTransitioned((s) => s.runs.map((r) => `${r.id}|${r.color}|${r.name}`).join('\n'));
  const hidden = useLab((s) => s.hiddenRuns);
  const toggle = useLab((s) => s.toggleRunHidden);
  const runs = useMemo(() => key.split('\n').filter(Boolean).map((line) => {
    const [id, color, ...name] = line.split('|');
    return { id: id!, color: Number(color), name: name.join('|') };
  }), [key]);
  return (
    <fieldset className="legend">
      <legend>Runs shown</legend>
      {runs.map((r) => (
        <label key={r.id} className="check">
          <input type="checkbox" checked={!hidden.includes(r.id)} onChange={() => toggle(r.id)} />
          <span className="swatch" style={{ background: runColor(r) }} />
          <span>{r.name}</span>
        </label>
      ))}
    </fieldset>
  );
}

function SmoothingSlider() {
  const smoothing = useLab((s) => s.smoothing);
  const kind = useLab((s) => s.smoothingKind);
  const setKind = useLab((s) => s.setSmoothingKind);
  const setSmoothing = useLab((s) => s.setSmoothing);
  const id = useId();
  return (
    <div className="row">
      <label htmlFor={`${id}-kind`} className="visually-hidden">Smoothing kind</label>
      <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Smoothing)} data-testid="smoothing-kind">
        <option value="ema">EMA (TensorBoard)</option>
        <option value="window">running average</option>
      </select>
      <label htmlFor={id}>Loss smoothing</label>
      <input id={id} type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} />
      <output htmlFor={id}>{kind === 'ema' ? smoothing.toFixed(2) : `${1 + Math.round(100 * smoothing)} steps`}</output>
    </div>
  );
}

function AxisPicker() {
  const axis = useLab((s) => s.xAxis);
  const setAxis = useLab((s) => s.setXAxis);
  const id = useId();
  return (
    <div className="row axis-picker">
      <label htmlFor={id}>x-axis</label>
      <select id={id} value={axis} onChange={(e) => isXAxisKind(e.target.value) && setAxis(e.target.value)} data-testid="x-axis">
        {X_AXES.map((a) => <option key={a.id} value={a.id}>{a.label}</option>)}
      </select>
    </div>
  );
}

export function CurvesPanel() {
  const hasRuns = useTransitioned((s) => s.runs.length > 0);
  const inputs = useChartInputs();
  const rows = useMemo(() => buildRows(inputs.runs, curvesOf, inputs.smoothing, inputs.tick, inputs.kind, inputs.axis), [inputs]);
  const k = rows.keys;
  // The charts are mounted even before the first run (see Chart's Plot): a run's first points are an update.
  return (
    // The x-axis sits in the header: a third control in the row would push "Runs shown" (and the charts) down.
    <Card title="Curves" testId="curves-panel" className="curves" actions={hasRuns ? <AxisPicker /> : null}>
      {hasRuns ? (
        <div className="curves-controls">
          <SmoothingSlider />
          <Visibility />
        </div>
      ) : (
        <p className="muted">Loss, learning rate, gradient norm, throughput and the validation metrics (MRR; accuracy, F1 and AUC-ROC for classification) appear here while a run trains.</p>
      )}
      {rows.left > 0 && <p className="muted small" data-testid="axis-left-out">{rows.left === 1 ? 'One run was' : `${rows.left} runs were`} stored before this lab kept wall time and epochs: shown on the step axis only.</p>}
      <div className="charts">
        <Chart title="Training loss" rows={rows.loss} keys={k} axis={rows.axis} withRaw={inputs.smoothing > 0} testId="chart-loss" />
        {rows.accuracy.length === 0 || rows.mrr.length > 0 ? <Chart title="Validation MRR (%)" rows={rows.mrr} keys={k} axis={rows.axis} format={formatMetric} dots testId="chart-mrr" /> : null}
        {rows.accuracy.length > 0 ? (
          <>
            <Chart title="Validation accuracy (%)" rows={rows.accuracy} keys={k} axis={rows.axis} format={formatMetric} dots testId="chart-accuracy" />
            <Chart title="Validation F1 (%) — positive class, or macro" rows={rows.f1} keys={k} axis={rows.axis} format={formatMetric} dots testId="chart-f1" />
            <Chart title="Validation AUC-ROC (%)" rows={rows.auc} keys={k} axis={rows.axis} format={formatMetric} dots testId="chart-auc" />
          </>
        ) : null}
        <Chart title="Learning rate" rows={rows.lr} keys={k} axis={rows.axis} testId="chart-lr" />
        <Chart title="Gradient norm (before clipping)" rows={rows.gradNorm} keys={k} axis={rows.axis} testId="chart-grad" />
        <Chart title="Throughput (tokens/s)" rows={rows.throughput} keys={k} axis={rows.axis} format={(v) => formatValue(v, 3)} testId="chart-throughput" />
      </div>
    </Card>
  );
}
