/**
 * What differs between run configurations: every leaf of their JSON by path (`recipe.lr`,
 * `peft.methods[0].r`), kept only where the runs disagree — the compare view's "configuration diff".
 */

export interface DiffRow {
  readonly path: string;
  /** The value in each configuration, as JSON text ('—' where the path is absent). */
  readonly values: readonly string[];
}

function leaves(value: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) out.set(path, JSON.stringify(value));
    else value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else out.set(path, JSON.stringify(value) ?? 'undefined');
}

/** The paths where `configs` differ, in first-seen order; `ignore`: paths never shown (e.g. the model's name). */
export function configDiff(configs: readonly unknown[], ignore: readonly string[] = []): DiffRow[] {
  const flat = configs.map((c) => {
    const m = new Map<string, string>();
    leaves(c, '', m);
    return m;
  });
  const paths = [...new Set(flat.flatMap((m) => [...m.keys()]))].filter((p) => !ignore.includes(p));
  return paths.map((path) => ({ path, values: flat.map((m) => m.get(path) ?? '—') })).filter((row) => new Set(row.values).size > 1);
}
