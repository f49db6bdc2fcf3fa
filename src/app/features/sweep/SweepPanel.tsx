/** Sweeps: one setting's values × seeds, queued and trained one after another. */
import { useMemo, useState } from 'react';
import { ConfigError } from '../../../engine/peft/fields';
import { parseRunConfig, type RunConfig } from '../../../engine/train/run_config';
import { Card } from '../../components/Card';
import { SelectField, TextField } from '../../components/fields';
import { methodLabel } from '../../../engine/report/method_label';
import { THESIS_SEEDS } from '../../lib/presets';
import { expandSweep, parseValueList, SWEEP_PARAMS, type SweepParam } from '../../lib/sweep';
import { downloadProject } from '../../store/cluster';
import { cancelQueue, queueRuns } from '../../store/runner';
import { useLab } from '../../store/store';

interface Expanded {
  readonly items: { readonly config: RunConfig; readonly name: string }[];
  readonly problems: string[];
}

function expand(base: RunConfig | null, param: SweepParam, values: number[] | null, seeds: number[] | null, model: Parameters<typeof parseRunConfig>[1]): Expanded {
  if (!base) return { items: [], problems: ['Fix the run configuration first.'] };
  if (!seeds) return { items: [], problems: ['Seeds: give whole numbers separated by commas.'] };
  if (param !== 'none' && !values) return { items: [], problems: ['Values: give numbers separated by commas.'] };
  const items: Expanded['items'] = [];
  const problems: string[] = [];
  for (const point of expandSweep(base, param, values ?? [], seeds)) {
    try {
      const config = parseRunConfig(point.json, model);
      items.push({ config, name: `${methodLabel(config.peft)} · ${point.label}` });
    } catch (error) {
      problems.push(`${point.label}: ${error instanceof ConfigError ? error.problems.join('; ') : String(error)}`);
    }
  }
  return { items, problems };
}

export function SweepPanel() {
  const base = useLab((s) => s.runConfig);
  const model = useLab((s) => s.checkedModel.config);
  const queued = useLab((s) => s.runs.filter((r) => r.status === 'queued').length);
  const setNotice = useLab((s) => s.setNotice);
  const [param, setParam] = useState<SweepParam>('none');
  const [valuesText, setValuesText] = useState('32, 64, 128, 256');
  const [seedsText, setSeedsText] = useState(THESIS_SEEDS.join(', '));
  const types = new Set(base?.peft.methods.map((m) => m.type) ?? []);
  const options = SWEEP_PARAMS.filter((p) => !p.method || types.has(p.method as never)).map((p) => ({ value: p.id, label: p.label }));
  const expanded = useMemo(() => {
    const seeds = parseValueList(seedsText);
    const whole = seeds && seeds.every((s) => Number.isInteger(s) && s >= 0) ? seeds : null;
    return expand(base, param, parseValueList(valuesText), whole, model);
  }, [base, param, valuesText, seedsText, model]);
  const queue = () => {
    const problem = queueRuns(expanded.items, `sweep-${Date.now().toString(36)}`);
    if (problem) setNotice(problem);
  };
  return (
    <Card title="Sweep" testId="sweep-panel">
      <p className="muted small">Queue a grid of runs from the configuration above; they train one after another.</p>
      <div className="grid3">
        <SelectField label="Vary" value={param} options={options} onChange={(v) => setParam(v as SweepParam)} testId="sweep-param" />
        {param !== 'none' && <TextField label="Values" value={valuesText} onChange={setValuesText} testId="sweep-values" />}
        <TextField label="Seeds" value={seedsText} onChange={setSeedsText} testId="sweep-seeds" help="The thesis used 123456, 654321, 123" />
      </div>
      {expanded.problems.length > 0 && (
        <ul className="error-text small">{expanded.problems.slice(0, 5).map((p) => <li key={p}>{p}</li>)}</ul>
      )}
      <div className="row">
        <button type="button" onClick={queue} disabled={expanded.items.length === 0 || expanded.problems.length > 0} data-testid="queue-sweep">
          Queue {expanded.items.length} run{expanded.items.length === 1 ? '' : 's'}
        </button>
        <button type="button" className="secondary" onClick={() => downloadProject(expanded.items)} disabled={expanded.items.length === 0 || expanded.problems.length > 0} data-testid="export-sweep" title="The whole grid as a PyTorch project (transformers + peft + accelerate) for a GPU cluster">
          Export as a PyTorch project
        </button>
        {queued > 0 && <button type="button" className="secondary" onClick={cancelQueue}>Cancel {queued} queued</button>}
      </div>
    </Card>
  );
}
