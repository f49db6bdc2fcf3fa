/**
 * A sweep as parallel coordinates: an axis per setting the finished runs disagree on, then the best validation
 * metric; each run a line, darker and thicker the better it scored, named on hover (engine/report/parallel_coords).
 */
import { useMemo, useRef, useState } from 'react';
import { parallelCoordinates, type ParallelAxis } from '../../../engine/report/parallel_coords';
import { metricLabel } from '../../../engine/train/task';
import { useWidth } from '../../components/useWidth';
import { runResult } from '../../lib/results';
import type { RunRecord } from '../../lib/run_types';

const HEIGHT = 240;
const PAD = { top: 34, bottom: 16, side: 56 };

/** Light to dark blue as the metric rises (0 = worst run shown, 1 = best). */
function shade(t: number): string {
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * t);
  return `rgb(${mix(180, 24)}, ${mix(200, 70)}, ${mix(235, 170)})`;
}

function Axis({ axis, x, y }: { readonly axis: ParallelAxis; readonly x: number; readonly y: (at: number) => number }) {
  return (
    <g>
      <line x1={x} x2={x} y1={y(0)} y2={y(1)} stroke="#8a93a5" />
      <text x={x} y={PAD.top - 14} textAnchor="middle" fontSize={11} fontWeight={600} fill="#2c3445">{axis.label}</text>
      {axis.ticks.map((t) => (
        <text key={t.label} x={x + 4} y={y(t.at) + 4} fontSize={10} fill="#5b6577">{t.label}</text>
      ))}
    </g>
  );
}

export function SweepCoordinates({ runs }: { readonly runs: readonly RunRecord[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const width = useWidth(ref);
  const [hover, setHover] = useState<string | null>(null);
  const { data, metric } = useMemo(() => {
    const results = runs.filter((r) => r.status === 'done' || r.status === 'stopped').map((r) => ({ run: r, result: runResult(r) }));
    const first = results[0]?.result.metric ?? 'mrr';
    const same = results.filter((x) => x.result.metric === first);
    return { metric: first, data: parallelCoordinates(same.map(({ run, result }) => ({ id: run.id, name: run.name, config: run.config, metric: result.best })), metricLabel(first)) };
  }, [runs]);
  if (data.axes.length < 2) return null;
  const inner = Math.max(1, width - 2 * PAD.side);
  const x = (i: number): number => PAD.side + (inner * i) / (data.axes.length - 1);
  const y = (at: number): number => HEIGHT - PAD.bottom - at * (HEIGHT - PAD.top - PAD.bottom);
  const named = data.lines.find((l) => l.id === hover);
  return (
    <figure className="chart" ref={ref} data-testid="sweep-coordinates">
      <figcaption>
        Sweep: each finished run across the settings that differ, to its best validation {metricLabel(metric)}
        {named ? <strong> — {named.name}: {(100 * named.metric).toFixed(2)}</strong> : null}
      </figcaption>
      {width > 0 && (
        <svg width={width} height={HEIGHT} role="img" aria-label={`Parallel coordinates of ${data.lines.length} runs`}>
          {data.lines.map((line) => {
            const t = line.at.at(-1)!;
            const on = hover === line.id;
            return (
              <polyline
                key={line.id}
                data-testid="sweep-line"
                points={line.at.map((at, i) => `${x(i)},${y(at)}`).join(' ')}
                fill="none"
                stroke={on ? '#e0662b' : shade(t)}
                strokeWidth={on ? 3 : 1.2 + 1.6 * t}
                onPointerEnter={() => setHover(line.id)}
                onPointerLeave={() => setHover(null)}
              >
                <title>{`${line.name}: ${(100 * line.metric).toFixed(2)}`}</title>
              </polyline>
            );
          })}
          {data.axes.map((axis, i) => <Axis key={axis.path} axis={axis} x={x(i)} y={y} />)}
        </svg>
      )}
    </figure>
  );
}
