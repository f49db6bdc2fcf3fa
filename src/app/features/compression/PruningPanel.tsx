/**
 * The pruning schedule of the run being set up (the pruning paper's lottery-ticket rounds): off by default; on,
 * the run fine-tunes, prunes a share of what is left, rewinds and fine-tunes again, round after round, and the
 * Compression panel draws its metric against sparsity. The engine's validator names any problem.
 */
import { densityAfter, DEFAULT_SCHEDULE, type PruneSchedule } from '../../../engine/prune/schedule_config';
import { Card } from '../../components/Card';
import { CheckField, NumberField, SelectField } from '../../components/fields';
import { useLab } from '../../store/store';

const PICK = [
  { value: 'last', label: 'last weights' },
  { value: 'best', label: 'best evaluation' },
];
const REWIND = [
  { value: 'start', label: 'starting weights' },
  { value: 'first-round', label: "round 0's weights" },
  { value: 'none', label: 'no rewind' },
];
const SELECTION = [
  { value: 'l1', label: 'L1 magnitude' },
  { value: 'random', label: 'random' },
];
const PRUNABLE = [
  { value: 'paper', label: 'attention + FFN (paper)' },
  { value: 'attention', label: 'attention only' },
  { value: 'ffn', label: 'FFN only' },
];
const SCOPE = [
  { value: 'global', label: 'global' },
  { value: 'per-tensor', label: 'per tensor' },
];

/** "3 rounds → 27.1% of the prunable weights pruned", when the numbers are usable. */
function outcome(draft: Readonly<Record<string, unknown>>): string | null {
  const { rounds, amount } = draft;
  if (typeof rounds !== 'number' || typeof amount !== 'number' || !(amount > 0 && amount < 1) || !Number.isInteger(rounds) || rounds < 1) return null;
  const sparsity = 1 - densityAfter({ ...DEFAULT_SCHEDULE, rounds, amount }, rounds);
  return `${rounds + 1} fine-tunings; the last at ${(100 * sparsity).toFixed(1)}% of the prunable weights pruned.`;
}

function ScheduleFields({ draft }: { readonly draft: Readonly<Record<string, unknown>> }) {
  const setField = useLab((s) => s.setPruningField);
  const set = (key: keyof PruneSchedule) => (v: unknown) => setField(key, v);
  return (
    <>
      <div className="grid3">
        <NumberField label="Pruning rounds" value={draft.rounds} onChange={set('rounds')} help="After the dense round 0" testId="pruning-rounds" />
        <NumberField label="Prune per round" value={draft.amount} onChange={set('amount')} help="Fraction of what is left (0.1 = 10%)" testId="pruning-amount" />
        <SelectField label="Selection" value={String(draft.selection)} options={SELECTION} onChange={set('selection')} testId="pruning-selection" help="Smallest |w| first, or at random" />
        <SelectField label="Scope" value={String(draft.scope)} options={SCOPE} onChange={set('scope')} testId="pruning-scope" help="Across all prunable weights, or each weight matrix alone (layer-wise)" />
        <SelectField label="Prune from" value={String(draft.pick)} options={PICK} onChange={set('pick')} testId="pruning-pick" help="The round's last weights, or its best evaluation's (picking best)" />
        <SelectField label="Prunable weights" value={String(draft.prunable ?? 'paper')} options={PRUNABLE} onChange={set('prunable')} testId="pruning-prunable" help="Attention q/k/v/output and FFN dense weights; biases, embeddings and LayerNorm never" />
        <SelectField label="Rewind to" value={String(draft.rewind)} options={REWIND} onChange={set('rewind')} testId="pruning-rewind" help="Start: the lottery ticket; round 0: the fine-tuned weights" />
      </div>
      <CheckField label="Stop rounds early" checked={draft.earlyStop === true} onChange={set('earlyStop')} testId="pruning-early-stop" help="A round ends when a validation score falls below both of the two before it (the paper's rule)" />
      <p className="muted small">Each round is as long as the recipe&apos;s steps or epochs. {outcome(draft)}</p>
    </>
  );
}

export function PruningPanel() {
  const draft = useLab((s) => s.pruningDraft);
  const setPruning = useLab((s) => s.setPruning);
  return (
    <Card title="Pruning schedule" testId="pruning-panel">
      <CheckField
        label="Prune iteratively (lottery-ticket rounds)"
        checked={draft !== null}
        onChange={setPruning}
        testId="pruning-on"
        help="Fine-tune, prune, rewind, repeat — the pruning paper's schedule. Needs validation data."
      />
      {draft ? <ScheduleFields draft={draft} /> : null}
    </Card>
  );
}
