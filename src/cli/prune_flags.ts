/** `lab train`'s pruning-schedule flags (engine/prune/schedule_config.ts), over a --config's schedule if it has one. */
import { DEFAULT_SCHEDULE, readPruneSchedule, scheduleProblems, type PruneSchedule } from '../engine/prune/schedule_config';
import { ConfigError, FieldReader } from '../engine/peft/fields';
import type { FlagReader, FlagSpec } from './args';
import { CliError } from './errors';

export const PRUNE_FLAGS: FlagSpec = {
  'prune-rounds': { type: 'string' },
  'prune-amount': { type: 'string' },
  'prune-selection': { type: 'string' },
  'prune-scope': { type: 'string' },
  pick: { type: 'string' },
  'early-stop': { type: 'boolean' },
  rewind: { type: 'string' },
  prunable: { type: 'string' },
};

const d = DEFAULT_SCHEDULE;

export const PRUNE_HELP = `Pruning schedule (any of these flags runs one; docs/COMPRESSION.md): round 0 fine-tunes, then each round prunes,
rewinds and fine-tunes again (each round is --steps/--epochs long); OUT holds the last round's weights and masks.
  --prune-rounds N    pruning rounds after the dense round 0 (default ${d.rounds})
  --prune-amount P    fraction of the remaining prunable weights each round removes (default ${d.amount})
  --prune-selection S l1 (default) | random      --prune-scope S   global (default) | per-tensor
  --pick R            last (default): prune the round's last weights | best: its best evaluation's (needs --eval-every)
  --early-stop        end a round when a validation score is below both of the two before it (needs --eval-every)
  --rewind R          start (default: the --model/--init weights) | first-round (round 0's chosen weights) | none
  --prunable SET      paper (attention and FFN dense weights, default) | attention | ffn`;

const FIELD = { 'prune-rounds': 'rounds', 'prune-amount': 'amount', 'prune-selection': 'selection', 'prune-scope': 'scope', pick: 'pick', rewind: 'rewind', prunable: 'prunable' } as const;

/** The schedule the flags (over `base`) describe, or null for an ordinary run. */
export function scheduleFromFlags(f: FlagReader, base: PruneSchedule | null, evalEvery: number): PruneSchedule | null {
  const given = Object.keys(FIELD).some((flag) => f.string(flag) !== undefined) || f.bool('early-stop');
  if (!given && !base) return null;
  const raw: Record<string, unknown> = { ...(base ?? d) };
  for (const [flag, field] of Object.entries(FIELD)) {
    const v = f.string(flag);
    if (v !== undefined) raw[field] = field === 'rounds' || field === 'amount' ? Number(v) : v;
  }
  if (f.bool('early-stop')) raw.earlyStop = true;
  const problems: string[] = [];
  const schedule = readPruneSchedule(new FieldReader(raw, 'pruning', problems));
  const flagged = problems.map((p) => p.replace(/^pruning\.(\w+)/, (_, field: string) => `--${Object.entries(FIELD).find(([, v]) => v === field)?.[0] ?? field}`));
  flagged.push(...scheduleProblems(schedule, evalEvery).map((p) => p.replace('run.pruning: ', '').replace('set recipe.evalEvery', 'give --eval-every')));
  if (flagged.length > 0) throw new CliError(new ConfigError('The pruning schedule', flagged).message);
  return schedule;
}
