/**
 * The pruning paper's figure: the validation metric of each round's chosen weights against the sparsity it
 * trained at, one line per schedule (its seeds as mean, shaded ± std).
 */
import { useRef } from 'react';
import { Area, ComposedChart, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { SparsitySeries } from '../../../engine/report/sparsity_series';
import { metricLabel } from '../../../engine/train/task';
import { useWidth } from '../../components/useWidth';
import { PALETTE } from '../../lib/run_types';
import { niceAxis } from '../../lib/ticks';

const HEIGHT = 260;

function Plot({ series, width }: { readonly series: readonly SparsitySeries[]; readonly width: number }) {
  const points = series.flatMap((s) => s.points);
  const x = niceAxis(0, Math.max(...points.map((p) => 100 * p.sparsity), 1), 5);
  const y = niceAxis(Math.min(...points.map((p) => p.mean - p.std)), Math.max(...points.map((p) => p.mean + p.std)), 4);
  return (
    <ComposedChart width={width} height={HEIGHT} margin={{ top: 8, right: 24, bottom: 8, left: 0 }}>
      <XAxis dataKey="percent" type="number" domain={[...x.domain]} ticks={[...x.ticks]} interval={0} allowDataOverflow tickFormatter={(v: number) => `${+v.toFixed(1)}%`} />
      <YAxis type="number" domain={[...y.domain]} ticks={[...y.ticks]} interval={0} tickFormatter={(v: number) => (100 * v).toFixed(1)} width={48} />
      <Tooltip formatter={(v) => (Array.isArray(v) ? v.map((n) => (100 * Number(n)).toFixed(2)).join(' – ') : (100 * Number(v)).toFixed(2))} labelFormatter={(v) => `${Number(v).toFixed(2)}% pruned`} />
      {series.map((s, i) => {
        const data = s.points.map((p) => ({ percent: 100 * p.sparsity, mean: p.mean, band: [p.mean - p.std, p.mean + p.std] }));
        const color = PALETTE[i % PALETTE.length]!;
        return [
          <Area key={`${s.label}-band`} data={data} dataKey="band" stroke="none" fill={color} fillOpacity={0.15} isAnimationActive={false} legendType="none" name={`${s.label} ± std`} />,
          <Line key={s.label} data={data} dataKey="mean" stroke={color} dot={{ r: 4, fill: color }} isAnimationActive={false} name={s.label} />,
        ];
      })}
    </ComposedChart>
  );
}

export function SparsityChart({ series }: { readonly series: readonly SparsitySeries[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const width = useWidth(ref);
  const metric = series[0]?.metric ?? 'mrr';
  // Always mounted (the width is measured once, on mount); empty until a round has finished.
  return (
    <figure className="chart" ref={ref} data-testid="sparsity-chart" hidden={series.length === 0}>
      <figcaption>Validation {metricLabel(metric)} (%) of each round&apos;s chosen weights vs sparsity of the prunable weights</figcaption>
      {width > 0 && series.length > 0 && <Plot series={series} width={width} />}
      <ul className="legend">
        {series.map((s, i) => (
          <li key={s.label}>
            <span className="swatch" style={{ background: PALETTE[i % PALETTE.length] }} /> {s.label}
            {s.runs.length > 1 ? ` (${s.runs.length} seeds)` : ''}
          </li>
        ))}
      </ul>
    </figure>
  );
}
