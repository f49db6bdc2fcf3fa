/**
 * Parameter efficiency, as the thesis' Fig. 4.4: the best validation metric against the share of trainable
 * parameters (log scale), one line per method family through its sizes, shaded ± std over seeds.
 */
import { useRef } from 'react';
import { Area, ComposedChart, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { efficiencySeries, type ResultRow } from '../../../engine/report/results_table';
import { metricLabel } from '../../../engine/train/task';
import { useWidth } from '../../components/useWidth';
import { PALETTE } from '../../lib/run_types';

const HEIGHT = 260;

export function EfficiencyChart({ rows, metric }: { readonly rows: readonly ResultRow[]; readonly metric: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const width = useWidth(ref);
  const series = [...efficiencySeries(rows, metric)];
  if (series.length === 0) return null;
  return (
    <figure className="chart" ref={ref} data-testid="efficiency-chart">
      <figcaption>Parameter efficiency: validation {metricLabel(metric)} (%) vs trainable parameters (% of the model, log scale)</figcaption>
      {width > 0 && (
        <ComposedChart width={width} height={HEIGHT} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <XAxis dataKey="percent" type="number" scale="log" domain={['auto', 'auto']} allowDuplicatedCategory={false} tickFormatter={(v: number) => `${v}%`} />
          <YAxis type="number" domain={['auto', 'auto']} tickFormatter={(v: number) => (100 * v).toFixed(1)} width={48} />
          <Tooltip formatter={(v) => (Array.isArray(v) ? v.map((x) => (100 * Number(x)).toFixed(2)).join(' – ') : (100 * Number(v)).toFixed(2))} labelFormatter={(v) => `${Number(v).toFixed(2)}% trainable`} />
          {series.map(([family, points], i) => {
            const data = points.map((p) => ({ ...p, band: [p.mean - p.std, p.mean + p.std] }));
            const color = PALETTE[i % PALETTE.length]!;
            return [
              <Area key={`${family}-band`} data={data} dataKey="band" stroke="none" fill={color} fillOpacity={0.15} isAnimationActive={false} legendType="none" name={`${family} ± std`} />,
              <Line key={family} data={data} dataKey="mean" stroke={color} dot isAnimationActive={false} name={family} />,
            ];
          })}
        </ComposedChart>
      )}
      <ul className="legend">
        {series.map(([family], i) => (
          <li key={family}>
            <span className="swatch" style={{ background: PALETTE[i % PALETTE.length] }} /> {family}
          </li>
        ))}
      </ul>
    </figure>
  );
}
