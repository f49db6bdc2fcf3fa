/** Dataset shards and how a run uses them: which one trains, and where validation pairs come from. */
import { Card } from '../../components/Card';
import { CheckField, NumberField, SelectField } from '../../components/fields';
import { loadDemoShards, loadSyntheticShards } from '../../store/loaders';
import { useLab } from '../../store/store';
import { DropZone } from './DropZone';
import { ShardCard } from './ShardCard';

function SplitControls() {
  const mode = useLab((s) => s.validMode);
  const fraction = useLab((s) => s.splitFraction);
  const seed = useLab((s) => s.splitSeed);
  const limit = useLab((s) => s.validLimit);
  const hasValidShard = useLab((s) => s.validShard !== null);
  const setMode = useLab((s) => s.setValidMode);
  const setSplit = useLab((s) => s.setSplit);
  const setLimit = useLab((s) => s.setValidLimit);
  const options = [
    ...(hasValidShard ? [{ value: 'shard', label: 'The validation shard' }] : []),
    { value: 'split', label: 'A seeded split of the training shard' },
    { value: 'none', label: 'No validation (no MRR)' },
  ];
  const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  return (
    <div className="grid3">
      <SelectField label="Validation pairs from" value={mode} options={options} onChange={(v) => setMode(v as typeof mode)} testId="valid-mode" />
      {mode === 'split' && (
        <>
          <NumberField label="Held out (fraction)" value={fraction} onChange={(v) => setSplit(Math.min(0.9, Math.max(0, num(v, fraction))), seed)} help="e.g. 0.1 = 10%" />
          <NumberField label="Split seed" value={seed} onChange={(v) => setSplit(fraction, Math.round(num(v, seed)))} />
        </>
      )}
      {mode !== 'none' && (
        <div className="field">
          <CheckField label="Limit validation pairs" checked={limit !== null} onChange={(on) => setLimit(on ? 1000 : null)} help="MRR ranks every pair against every other: cost grows with n²." />
          {limit !== null && <NumberField label="At most" value={limit} onChange={(v) => setLimit(Math.max(2, Math.round(num(v, limit))))} testId="valid-limit" />}
        </div>
      )}
    </div>
  );
}

export function DataPanel() {
  const shards = useLab((s) => s.shards);
  const modelLoaded = useLab((s) => s.model !== null);
  return (
    <Card title="2 · Data" testId="data-panel">
      <DropZone />
      <p className="small">
        Or use a bundled shard (offline): <button type="button" className="link" onClick={loadDemoShards} data-testid="use-sample">real code</button>{' '}
        (2,500 functions of Python's standard library with their docstrings, PSF licence) or{' '}
        <button type="button" className="link" onClick={loadSyntheticShards} data-testid="use-synthetic">synthetic</button> (templated functions of 69 behaviours).
      </p>
      {shards.length > 0 && (
        <ul className="shards" aria-label="Dataset shards">
          {shards.map((s) => <ShardCard key={s.id} shard={s} />)}
        </ul>
      )}
      {shards.length > 0 && !modelLoaded && <p className="muted small">Token-length statistics appear once a model (its tokenizer) is loaded.</p>}
      {shards.length > 0 && <SplitControls />}
    </Card>
  );
}
