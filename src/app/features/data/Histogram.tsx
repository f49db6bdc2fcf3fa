/** Token-length histogram of code or queries: bars per length bin, the truncation limit marked. */
import type { LengthStatistics } from '../../../engine/data';

export function Histogram({ title, stats }: { readonly title: string; readonly stats: LengthStatistics }) {
  const { counts, edges } = stats.histogram;
  const last = counts.reduce((at, c, i) => (c > 0 ? i : at), 0);
  const shown = counts.slice(0, Math.max(last + 1, edges.findIndex((e) => e > stats.limit) + 1 || counts.length));
  const max = Math.max(1, ...shown);
  const label = (i: number): string => (i === edges.length - 1 ? `≥${edges[i]}` : `${edges[i]}–${edges[i + 1]! - 1}`);
  return (
    <figure className="histogram" aria-label={`${title}: token length histogram`}>
      <figcaption>
        {title}: mean {stats.mean.toFixed(0)}, median {stats.median}, p90 {stats.p90}, max {stats.max} tokens ·{' '}
        <strong>{(100 * stats.truncatedShare).toFixed(1)}% truncated</strong> at {stats.limit}
      </figcaption>
      <div className="bars">
        {shown.map((count, i) => (
          <div key={edges[i]} className={`bar ${edges[i]! >= stats.limit ? 'cut' : ''}`} title={`${label(i)} tokens: ${count}`}>
            <span style={{ height: `${(100 * count) / max}%` }} />
            <small>{edges[i]}</small>
          </div>
        ))}
      </div>
    </figure>
  );
}
