/** The finished runs of this session whose weights the Worker still holds, for the analysis views' model choices. */
import { useMemo } from 'react';
import type { RunRecord } from '../lib/run_types';
import { endedInThisPage } from './runner';
import { useLab } from './store';

export interface SessionRun {
  readonly id: string;
  readonly name: string;
}

/** Keyed by a string of ids and names: a run's step counter moving does not re-render the panel. */
export function useSessionRuns(keep: (run: RunRecord) => boolean = () => true): SessionRun[] {
  const key = useLab((s) => s.runs.filter((r) => r.status === 'done' && endedInThisPage(r.id) && keep(r)).map((r) => `${r.id}\u0000${r.name}`).join('\n'));
  return useMemo(
    () =>
      key
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [id, name] = line.split('\u0000');
          return { id: id!, name: name ?? '' };
        }),
    [key],
  );
}

export const isCodeSearch = (run: RunRecord): boolean => run.config.task.kind === 'code-search';
