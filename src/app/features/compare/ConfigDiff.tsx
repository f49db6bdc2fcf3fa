/** The configuration fields that differ between the runs shown in the curves (the others are the same everywhere). */
import { useMemo } from 'react';
import { configDiff } from '../../../engine/report/config_diff';
import { Card } from '../../components/Card';
import { runColor } from '../../lib/run_types';
import { useLab } from '../../store/store';
import { useTransitioned } from '../../store/useTransitioned';

export function ConfigDiff() {
  const runs = useTransitioned((s) => s.runs);
  const hidden = useLab((s) => s.hiddenRuns);
  const shown = useMemo(() => runs.filter((r) => !hidden.includes(r.id)), [runs, hidden]);
  const rows = useMemo(() => configDiff(shown.map((r) => r.config)), [shown]);
  if (shown.length < 2) return null;
  return (
    <Card title="What differs between the runs shown" testId="config-diff">
      {rows.length === 0 ? (
        <p className="muted">Their configurations are identical.</p>
      ) : (
        <table className="runs">
          <thead>
            <tr>
              <th>Setting</th>
              {shown.map((r) => (
                <th key={r.id}>
                  <span className="swatch" style={{ background: runColor(r) }} /> {r.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.path} data-testid="diff-row">
                <td>
                  <code>{row.path}</code>
                </td>
                {row.values.map((v, i) => (
                  <td key={shown[i]!.id}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">Choose the runs with “Runs shown” in the curves.</p>
    </Card>
  );
}
