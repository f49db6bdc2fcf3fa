/**
 * Parameter efficiency, as the thesis' Fig. 4.4: the best validation metric against the share of trainable
 * parameters (log scale), one line per method family through its sizes, shaded ± std over seeds.
 */
import { useRef } from 'react';
import { Area, ComposedChart, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { efficiencySeries, type EfficiencyPoint, type ResultRow } from '../../../engine/report/results_table';
import { metricLabel } from '../../../engine/train/task';
import { useWidth } from '../../components/useWidth';
import { PALETTE } from '../../lib/run_types';
import { logAxis, niceAxis } from '../../lib/ticks';

const HEIGHT = 260;

const percentText = (v: number): string => `${+v.toPrecision(3)}%`;

function Plot({ series, width }: { readonly series: readonly [string, EfficiencyPoint[]][]; readonly width: number }) {
  const points = series.flatMap(([, p]) => p);
  // Axes computed here: recharts' automatic log domain misplaces single points (one run per family).
  const x = logAxis(Math.min(...points.map((p) => p.percent)), Math.max(...points.map((p) => p.percent)));
  const y = niceAxis(Math.min(...points.map((p) => p.mean - p.std)), Math.max(...points.map((p) => p.mean + p.std)), 4);
  return (
    <ComposedChart width={width} height={HEIGHT} margin={{ top: 8, right: 24, bottom: 8, left: 0 }}>
      <XAxis dataKey="percent" type="number" scale="log" domain={[...x.domain]} ticks={[...x.ticks]} interval={0} allowDataOverflow tickFormatter={percentText} />
      <YAxis type="number" domain={[...y.domain]} ticks={[...y.ticks]} interval={0} tickFormatter={(v: number) => (100 * v).toFixed(1)} width={48} />
      <Tooltip formatter={(v) => (Array.isArray(v) ? v.map((n) => (100 * Number(n)).toFixed(2)).join(' – ') : (100 * Number(v)).toFixed(2))} labelFormatter={(v) => `${percentText(Number(v))} trainable`} />
      {series.map(([family, pts], i) => {
        const data = pts.map((p) => ({ ...p, band: [p.mean - p.std, p.mean + p.std] }));
        const color = PALETTE[i % PALETTE.length]!;
        return [
          <Area key={`${family}-band`} data={data} dataKey="band" stroke="none" fill={color} fillOpacity={0.15} isAnimationActive={false} legendType="none" name={`${family} ± std`} />,
          <Line key={family} data={data} dataKey="mean" stroke={color} dot={{ r: 4, fill: color }} isAnimationActive={false} name={family} />,
        ];
      })}
    </ComposedChart>
  );
}

export function EfficiencyChart({ rows, metric }: { readonly rows: readonly ResultRow[]; readonly metric: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const width = useWidth(ref);
  const series = [...efficiencySeries(rows, metric)];
  // Always mounted (the width is measured once, on mount); empty until a finished run has a trainable share.
  return (
    <figure className="chart" ref={ref} data-testid="efficiency-chart" hidden={series.length === 0}>
      <figcaption>Parameter efficiency: validation {metricLabel(metric)} (%) vs trainable parameters (% of the model, log scale)</figcaption>
      {width > 0 && series.length > 0 && <Plot series={series} width={width} />}
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
