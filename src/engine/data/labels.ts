/**
 * The classes of a labelled dataset: each distinct label becomes a class index, in the order of the labels
 * sorted (numbers numerically, then text), so the same file always gives the same classes and "0"/"1" labels
 * map to 0/1. Reported by name, so the user sees what was found.
 */
import { DataError, type Example } from './types';

/** More distinct labels than this is not a classification dataset (probably a free-text field chosen as label). */
export const MAX_CLASSES = 1000;

export interface LabelledSet {
  /** Class names; class i is `classes[i]`. */
  readonly classes: readonly string[];
  /** Each example's class index. */
  readonly labels: Int32Array;
  /** Examples per class. */
  readonly counts: readonly number[];
}

function compareLabels(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  const numeric = a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y);
  return numeric ? x - y : a < b ? -1 : a > b ? 1 : 0;
}

export function labelClasses(examples: readonly Example[], what: string): LabelledSet {
  const names = new Set<string>();
  for (const e of examples) {
    if (e.label === undefined) throw new DataError(`${what}: record at line ${e.line} has no label (choose the label field)`);
    names.add(e.label);
    if (names.size > MAX_CLASSES) throw new DataError(`${what}: more than ${MAX_CLASSES} distinct labels: the label field looks like free text, not classes`);
  }
  const classes = [...names].sort(compareLabels);
  if (classes.length < 2) throw new DataError(`${what}: every record has the label ${JSON.stringify(classes[0] ?? null)}; a classifier needs at least two classes`);
  if (classes.length > 2 && classes.length > examples.length / 2) throw new DataError(`${what}: ${classes.length} distinct labels for ${examples.length} records, so most classes would have one example: the label field looks like an identifier or free text, not classes`);
  const index = new Map(classes.map((c, i) => [c, i]));
  const labels = Int32Array.from(examples, (e) => index.get(e.label!)!);
  const counts = classes.map(() => 0);
  for (const l of labels) counts[l]!++;
  return { classes, labels, counts };
}
