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
const PAD = { top: 48, bottom: 16, side: 56 };

/** Light to dark blue as the metric rises (0 = worst run shown, 1 = best). */
function shade(t: number): string {
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * t);
  return `rgb(${mix(180, 24)}, ${mix(200, 70)}, ${mix(235, 170)})`;
}

/** `row`: axis names alternate between two rows when the axes stand too close for one. */
function Axis({ axis, x, y, row }: { readonly axis: ParallelAxis; readonly x: number; readonly y: (at: number) => number; readonly row: number }) {
  return (
    <g>
      <line x1={x} x2={x} y1={y(0)} y2={y(1)} stroke="#8a93a5" />
      <text x={x} y={PAD.top - 10 - 14 * row} textAnchor="middle" fontSize={11} fontWeight={600} fill="#2c3445">{axis.label}</text>
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
    return { metric: first, data: parallelCoordinates(same.map(({ run, result }) => ({ id: run.id, name: run.name, method: run.method, config: run.config, metric: result.best })), metricLabel(first)) };
  }, [runs]);
  const inner = Math.max(1, width - 2 * PAD.side);
  const x = (i: number): number => PAD.side + (inner * i) / (data.axes.length - 1);
  const y = (at: number): number => HEIGHT - PAD.bottom - at * (HEIGHT - PAD.top - PAD.bottom);
  const named = data.lines.find((l) => l.id === hover);
  return (
    // Always mounted (the width is measured once, on mount); hidden until the finished runs differ in a setting.
    <figure className="chart" ref={ref} data-testid="sweep-coordinates" hidden={data.axes.length < 2}>
      <figcaption>
        Sweep: each finished run across the settings that differ, to its best validation {metricLabel(metric)}
      </figcaption>
      {width > 0 && data.axes.length >= 2 && (
        <svg width={width} height={HEIGHT} role="img" aria-label={`Parallel coordinates of ${data.lines.length} runs`}>
          {data.lines.map((line) => {
            const t = line.at.at(-1)!;
            const on = hover === line.id;
            const points = line.at.map((at, i) => `${x(i)},${y(at)}`).join(' ');
            // A thin line is hard to point at: a wide transparent twin takes the pointer.
            return (
              <g key={line.id}>
                <polyline data-testid="sweep-line" points={points} fill="none" stroke={on ? '#e0662b' : shade(t)} strokeWidth={on ? 3 : 1.2 + 1.6 * t} />
                <polyline points={points} fill="none" stroke="transparent" strokeWidth={12} pointerEvents="stroke" onPointerEnter={() => setHover(line.id)} onPointerLeave={() => setHover(null)}>
                  <title>{`${line.name}: ${(100 * line.metric).toFixed(2)}`}</title>
                </polyline>
              </g>
            );
          })}
          {data.axes.map((axis, i) => <Axis key={axis.path} axis={axis} x={x(i)} y={y} row={inner / (data.axes.length - 1) < 110 ? i % 2 : 0} />)}
          {/* Inside the drawing, so naming a run never moves the lines under the pointer. */}
          {named && (
            <text x={width - 4} y={11} textAnchor="end" fontSize={11} fontWeight={600} fill="#e0662b" data-testid="sweep-hover">
              {named.name}: {(100 * named.metric).toFixed(2)}
            </text>
          )}
        </svg>
      )}
    </figure>
  );
}
