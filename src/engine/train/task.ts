/**
 * What a run learns, beside its method and recipe: `code-search` (CodeXGLUE's contrastive objective over code
 * and query towers, MRR) or `classification` (transformers' RobertaForSequenceClassification head on the <s>
 * state, cross-entropy over the classes, accuracy / F1 / AUC-ROC). Plain data, validated field by field, in the
 * run configuration (`task`), share links and the CLI's flags (docs/TASKS.md).
 */
import { asObject, FieldReader } from '../peft/fields';

/** The metric a classification run keeps its best weights by (all are "higher is better"). */
export const CLASSIFICATION_METRICS = ['accuracy', 'f1', 'macro_f1', 'auc'] as const;
export type ClassificationMetric = (typeof CLASSIFICATION_METRICS)[number];

/** How messages name the metrics a run keeps its best weights by. */
export const METRIC_LABELS: Readonly<Record<string, string>> = { mrr: 'MRR', accuracy: 'accuracy', f1: 'F1', macro_f1: 'macro-F1', auc: 'AUC-ROC' };

export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric;
}

/**
 * Class weights of the loss: none (transformers' plain cross-entropy), `balanced` (scikit-learn's
 * n / (classes · count_c), from the training set) or one weight per class, in class order.
 */
export type ClassWeights = 'none' | 'balanced' | readonly number[];

export interface CodeSearchTask {
  readonly kind: 'code-search';
}

export interface ClassificationTask {
  readonly kind: 'classification';
  /** The record field(s) holding the input: one (single input), or two read as a RoBERTa pair `<s> a </s></s> b </s>`. */
  readonly text: string;
  readonly pair: string | null;
  readonly label: string;
  /**
   * Class names in class order; null: the labels found in the training set, sorted (numbers numerically). With
   * two classes, class 1 is the positive one for F1 and AUC.
   */
  readonly classes: readonly string[] | null;
  readonly classWeights: ClassWeights;
  readonly bestMetric: ClassificationMetric;
}

export type TaskConfig = CodeSearchTask | ClassificationTask;

export const CODE_SEARCH: CodeSearchTask = { kind: 'code-search' };

export const CLASSIFICATION_DEFAULTS: ClassificationTask = {
  kind: 'classification',
  text: 'code',
  pair: null,
  label: 'label',
  classes: null,
  classWeights: 'none',
  bestMetric: 'accuracy',
};

/** Reads `task` of a run configuration (absent: code search, as every configuration before tasks existed). */
export function readTask(json: unknown, path: string, problems: string[]): TaskConfig {
  if (json === undefined || json === null) return CODE_SEARCH;
  const f = new FieldReader(asObject(json, path, problems), path, problems);
  const kind = f.oneOf('kind', ['code-search', 'classification']);
  if (kind === 'code-search') {
    f.rejectUnknown(['kind']);
    return CODE_SEARCH;
  }
  const d = CLASSIFICATION_DEFAULTS;
  f.rejectUnknown(Object.keys(d));
  const text = fieldName(f, 'text', d.text);
  const pair = f.raw('pair') === undefined || f.raw('pair') === null ? null : fieldName(f, 'pair', '');
  if (pair !== null && pair === text) f.problem('pair', `is the same field as text ("${text}"): leave it out for single-input classification`);
  return { kind, text, pair, label: fieldName(f, 'label', d.label), classes: readClasses(f), classWeights: readWeights(f), bestMetric: f.oneOf('bestMetric', CLASSIFICATION_METRICS, d.bestMetric) };
}

function fieldName(f: FieldReader, key: string, fallback: string): string {
  const v = f.raw(key) ?? fallback;
  if (typeof v !== 'string' || v.length === 0 || v.length > 200) {
    f.problem(key, `must be a record field name (got ${JSON.stringify(v)})`);
    return fallback;
  }
  return v;
}

function readClasses(f: FieldReader): readonly string[] | null {
  const v = f.raw('classes');
  if (v === undefined || v === null) return null;
  const names = f.strings('classes', []);
  if (names.length < 2 || new Set(names).size !== names.length) f.problem('classes', 'must list at least two distinct class names');
  return names.length >= 2 ? names : null;
}

function readWeights(f: FieldReader): ClassWeights {
  const v = f.raw('classWeights');
  if (v === undefined || v === 'none') return 'none';
  if (v === 'balanced') return 'balanced';
  if (Array.isArray(v) && v.length >= 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= 1e6)) return v as number[];
  f.problem('classWeights', `must be "none", "balanced" or a list of positive numbers, one per class (got ${JSON.stringify(v)})`);
  return 'none';
}

/** Per-class loss weights for `counts` training examples per class (null: unweighted). */
export function classWeightValues(weights: ClassWeights, counts: readonly number[]): Float64Array | null {
  if (weights === 'none') return null;
  if (weights === 'balanced') {
    const n = counts.reduce((a, b) => a + b, 0);
    // scikit-learn's compute_class_weight('balanced'); a class with no training example gets weight 0 (it never
    // appears as a target, so its weight is never used).
    return Float64Array.from(counts, (c) => (c === 0 ? 0 : n / (counts.length * c)));
  }
  if (weights.length !== counts.length) throw new RangeError(`${weights.length} class weights for ${counts.length} classes: give one weight per class`);
  return Float64Array.from(weights);
}
