/** One metric over the chosen x-axis for every visible run: fixed colors, a hover readout listing each run's value. */
import { memo, startTransition, useEffect, useRef, useState } from 'react';
import { useWidth } from '../../components/useWidth';
import { Line, LineChart, Tooltip, XAxis, YAxis, type TooltipContentProps, type XAxisTickContentProps } from 'recharts';
import { formatValue } from '../../lib/format';
import { formatX, readoutLabel, type XAxisKind } from '../../lib/x_axis';
import { RAW_SUFFIX, type SeriesKey } from './chartData';
import { enqueueFrame } from './frameQueue';
import { niceAxis, rowsRange } from '../../lib/ticks';

interface ChartProps {
  readonly title: string;
  readonly rows: ReadonlyArray<Record<string, number>>;
  readonly keys: readonly SeriesKey[];
  readonly axis: XAxisKind;
  readonly format?: (v: number) => string;
  readonly withRaw?: boolean;
  readonly dots?: boolean;
  readonly testId?: string;
}

function Readout({ active, payload, label, keys, format, axis }: TooltipContentProps & { readonly keys: readonly SeriesKey[]; readonly format: (v: number) => string; readonly axis: XAxisKind }) {
  if (!active || !payload || payload.length === 0) return null;
  const values = payload.filter((p) => !String(p.dataKey).endsWith(RAW_SUFFIX) && typeof p.value === 'number');
  return (
    <div className="chart-readout">
      <div className="muted">{typeof label === 'number' ? readoutLabel(axis, label) : label}</div>
      {values.map((p) => {
        const key = keys.find((k) => k.id === p.dataKey);
        return (
          <div key={String(p.dataKey)}>
            <span className="swatch" style={{ background: key?.color }} /> {key?.name}: <strong>{format(p.value as number)}</strong>
          </div>
        );
      })}
    </div>
  );
}

/** The props last shown (null before the first turn): new ones wait for this chart's turn in the frame queue. */
function useQueued<T>(value: T): T | null {
  const [shown, setShown] = useState<T | null>(null);
  useEffect(() => {
    let current = true;
    // A transition: React may pause this chart's render between components to let input through.
    enqueueFrame(() => current && startTransition(() => setShown(value)));
    return () => {
      current = false;
    };
  }, [value]);
  return shown;
}

const CHART_HEIGHT = 190;

function ChartImpl(props: ChartProps) {
  const shown = useQueued(props);
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  // The hover readout is mounted only while the pointer is over the chart: every recharts component
  // re-runs its selectors on each data update, and the tooltip is only needed under the pointer.
  const [hover, setHover] = useState(false);
  const { title, testId } = props;
  return (
    <figure className="chart" data-testid={testId} aria-label={`${title} chart`} onPointerEnter={() => setHover(true)} onPointerLeave={() => setHover(false)}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-box">
        {shown && width > 0 && <Plot {...shown} width={width} hover={hover} />}
      </div>
    </figure>
  );
}

/**
 * Always a chart, empty or not: mounting recharts is several times dearer than updating it, so the charts
 * mount with the page and a run's first points are only an update.
 */
/** A plain SVG label: recharts' own tick text measures itself in the DOM on every update. */
function tick(format: (v: number) => string, axis: 'x' | 'y') {
  return function Tick({ x, y, payload }: Pick<XAxisTickContentProps, 'x' | 'y' | 'payload'>) {
    return (
      <text x={x} y={y} dy={axis === 'x' ? 12 : 4} textAnchor={axis === 'x' ? 'middle' : 'end'} fontSize={11} fill="#5b6577">
        {typeof payload.value === 'number' ? format(payload.value) : String(payload.value)}
      </text>
    );
  };
}

function Plot({ rows, keys, axis, format = (v: number) => formatValue(v), withRaw = false, dots = false, width, hover }: ChartProps & { readonly width: number; readonly hover: boolean }) {
  const ids = keys.flatMap((k) => (withRaw ? [k.id, k.id + RAW_SUFFIX] : [k.id]));
  // Steps and examples are counts: no 0.2-step ticks (they would all read 0 or 1 early in a run).
  const whole = axis === 'step' || axis === 'examples';
  const x = niceAxis(0, Math.max(whole ? 1 : 0, rows.at(-1)?.x ?? 1), 5, true);
  const y = niceAxis(...rowsRange(rows, ids), 4);
  return (
    <>
      <LineChart width={width} height={CHART_HEIGHT} data={[...rows]} margin={{ top: 6, right: 16, bottom: 0, left: 0 }}>
        <XAxis dataKey="x" type="number" domain={[...x.domain]} ticks={whole ? x.ticks.filter(Number.isInteger) : [...x.ticks]} interval={0} tick={tick((v) => formatX(axis, v), 'x')} />
        <YAxis type="number" width={58} domain={[...y.domain]} ticks={[...y.ticks]} interval={0} tick={tick(format, 'y')} />
        {hover && <Tooltip content={(props: TooltipContentProps) => <Readout {...props} keys={keys} format={format} axis={axis} />} isAnimationActive={false} />}
        {withRaw &&
          keys.map((k) => <Line key={k.id + RAW_SUFFIX} dataKey={k.id + RAW_SUFFIX} stroke={k.color} strokeOpacity={0.22} dot={false} activeDot={false} isAnimationActive={false} connectNulls />)}
        {keys.map((k) => (
          <Line key={k.id} dataKey={k.id} name={k.name} stroke={k.color} strokeWidth={1.8} dot={dots ? { r: 3 } : false} isAnimationActive={false} connectNulls />
        ))}
      </LineChart>
      {rows.length === 0 && <p className="muted chart-empty">No data yet.</p>}
    </>
  );
}

/** Memoized: the charts redraw only when their rows change, not on every store update. */
export const Chart = memo(ChartImpl);
