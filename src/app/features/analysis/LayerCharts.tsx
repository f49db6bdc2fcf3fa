/**
 * The layer study drawn: held-out probe accuracy per layer for the model (and the run), with the majority-class
 * share as the line to beat, and each layer's CKA between the model and the run (the figure behind Telly-K).
 */
import { useRef } from 'react';
import { Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { PALETTE } from '../../lib/run_types';
import type { PageLayerStudy } from '../../worker/protocol';
import { useWidth } from '../../components/useWidth';

const HEIGHT = 220;
const FIGURE_CHROME = 32;
const layerName = (l: number): string => (l === 0 ? 'emb' : String(l));
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

export function LayerCharts({ study, runName }: { readonly study: PageLayerStudy; readonly runName: string | null }) {
  const rows = study.layers.map((l) => ({ layer: layerName(l.layer), model: l.model.accuracy, run: l.run?.accuracy ?? null, cka: l.cka !== undefined && Number.isFinite(l.cka) ? l.cka : null }));
  const box = useRef<HTMLDivElement>(null);
  // Side by side when there are two charts and room for both.
  const full = useWidth(box);
  // Each figure adds its padding and border (FIGURE_CHROME) around the plot.
  const width = Math.min(runName && full > 900 ? Math.floor((full - 12) / 2) - FIGURE_CHROME : full - FIGURE_CHROME, 600);
  const ckaValues = rows.map((r) => r.cka).filter((v): v is number => v !== null);
  // Drift is often a few thousandths: the axis starts just under the lowest value, not at 0.
  const ckaLow = ckaValues.length > 0 ? Math.max(0, Math.floor(Math.min(...ckaValues) * 100 - 1) / 100) : 0;
  return (
    <div ref={box} className="layer-charts">
      {width > 0 && (
        <figure className="chart" data-testid="chart-probe" aria-label="Probe accuracy per layer chart">
          <figcaption>Held-out probe accuracy per layer</figcaption>
          <LineChart width={width} height={HEIGHT} data={rows} margin={{ top: 6, right: 16, bottom: 0, left: 0 }}>
            <XAxis dataKey="layer" />
            <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} width={48} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? pct(v) : String(v))} isAnimationActive={false} />
            <Legend />
            <ReferenceLine y={study.majority} stroke="#8a93a3" strokeDasharray="4 4" label={{ value: 'majority class', position: 'insideBottomRight', fontSize: 11 }} />
            <Line dataKey="model" name="model" stroke={PALETTE[0]} strokeWidth={2} isAnimationActive={false} />
            {runName && <Line dataKey="run" name={runName} stroke={PALETTE[1]} strokeWidth={2} isAnimationActive={false} />}
          </LineChart>
        </figure>
      )}
      {width > 0 && runName && (
        <figure className="chart" data-testid="chart-cka" aria-label="CKA per layer chart">
          <figcaption>Linear CKA between the model and the run, per layer (1 = unchanged)</figcaption>
          <LineChart width={width} height={HEIGHT} data={rows} margin={{ top: 6, right: 16, bottom: 0, left: 0 }}>
            <XAxis dataKey="layer" />
            <YAxis domain={[ckaLow, 1]} tickFormatter={(v: number) => v.toFixed(3)} width={58} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : '—')} isAnimationActive={false} />
            <Line dataKey="cka" name="CKA" stroke={PALETTE[2]} strokeWidth={2} isAnimationActive={false} connectNulls={false} />
          </LineChart>
        </figure>
      )}
    </div>
  );
}

/** The same numbers as a table (what a screen reader reads, and what a researcher copies). */
export function LayerTable({ study, runName }: { readonly study: PageLayerStudy; readonly runName: string | null }) {
  return (
    <table className="runs" data-testid="layer-study-table">
      <thead>
        <tr>
          <th scope="col">Layer</th>
          <th scope="col">Model: held-out acc.</th>
          <th scope="col">Model: train acc.</th>
          {runName && <th scope="col">Run: held-out acc.</th>}
          {runName && <th scope="col">CKA (model, run)</th>}
        </tr>
      </thead>
      <tbody>
        {study.layers.map((l) => (
          <tr key={l.layer}>
            <td>{layerName(l.layer)}</td>
            <td>{pct(l.model.accuracy)}</td>
            <td>{pct(l.model.trainAccuracy)}</td>
            {runName && <td>{pct(l.run!.accuracy)}</td>}
            {runName && <td title={l.cka !== undefined && Number.isNaN(l.cka) ? 'The same representation for every input: no CKA' : undefined}>{l.cka !== undefined && Number.isFinite(l.cka) ? l.cka.toFixed(4) : '—'}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
