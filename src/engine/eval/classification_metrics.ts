/**
 * Metrics of a sequence-classification evaluation, with scikit-learn's definitions (the reference the tests
 * compare with, `sklearn.metrics`): accuracy; per-class precision, recall and F1 with 0 where a denominator is 0
 * (`zero_division=0`); their unweighted means over all the task's classes ("macro", as scikit-learn with
 * `labels=range(classes)`: a class no example has or gets still counts, with 0); for two classes also the positive
 * class's (label 1, `average='binary'`); AUC-ROC from the class probabilities — binary: of label 1
 * (`roc_auc_score(y, p1)`), more classes: the mean of one-vs-rest AUCs (`multi_class='ovr', average='macro'`) —
 * computed as the Mann–Whitney statistic with tied scores counted half, which is the area under the ROC curve
 * scikit-learn draws; and the confusion matrix (rows: true class, columns: predicted), as `confusion_matrix`.
 */

export interface PerClass {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** True examples of the class. */
  readonly support: number;
}

export interface ClassificationMetrics {
  readonly n: number;
  readonly accuracy: number;
  readonly precisionMacro: number;
  readonly recallMacro: number;
  readonly f1Macro: number;
  /** The positive class's (label 1) precision, recall and F1 when there are two classes, else null. */
  readonly binary: Omit<PerClass, 'support'> | null;
  /** Null where undefined: a class (binary: either) has no example, or no example is outside it. */
  readonly aucRoc: number | null;
  readonly perClass: readonly PerClass[];
  /** confusion[t][p]: examples of true class t predicted as p. */
  readonly confusion: readonly (readonly number[])[];
}

/** Softmax of each row of `logits` (n, classes), in float64. */
function softmaxRows(logits: ArrayLike<number>, classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[r * classes + c] = Math.exp(logits[r * classes + c]! - max);
    for (let c = 0; c < classes; c++) out[r * classes + c]! /= sum;
  }
  return out;
}

/** The predicted class of each row: the first largest score, as numpy's argmax. */
function argmaxRows(scores: ArrayLike<number>, classes: number): Int32Array {
  const n = scores.length / classes;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[r * classes + c]! > scores[r * classes + best]!) best = c;
    out[r] = best;
  }
  return out;
}

function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]!]![predicted[i]!]! += 1;
  return m;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function perClassOf(m: readonly (readonly number[])[]): PerClass[] {
  return m.map((row, k) => {
    const tp = row[k]!;
    const support = row.reduce((s, v) => s + v, 0);
    const predicted = m.reduce((s, r) => s + r[k]!, 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
}

/**
 * Area under the ROC curve of `scores` for the examples where `positive` holds: P(score of a positive > score
 * of a negative) + ½ P(equal), by average ranks. Null when either side is empty.
 */
export function rocAuc(scores: ArrayLike<number>, positive: (i: number) => boolean): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // the average rank of a run of ties
    for (let k = i; k <= j; k++) {
      if (!positive(order[k]!)) continue;
      rankSum += rank;
      positives++;
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function aucOf(probabilities: Float64Array, labels: ArrayLike<number>, classes: number): number | null {
  const column = (k: number): Float64Array => Float64Array.from({ length: labels.length }, (_, i) => probabilities[i * classes + k]!);
  if (classes === 2) return rocAuc(column(1), (i) => labels[i] === 1);
  let sum = 0;
  for (let k = 0; k < classes; k++) {
    const auc = rocAuc(column(k), (i) => labels[i] === k);
    if (auc === null) return null; // a class without examples (or with all of them): one-vs-rest is undefined
    sum += auc;
  }
  return sum / classes;
}

/** Metrics from logits (n, classes) and the true labels (integers in [0, classes)). */
export function classificationMetrics(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): ClassificationMetrics {
  const n = labels.length;
  if (classes < 2 || logits.length !== n * classes) throw new RangeError(`classificationMetrics: ${logits.length} scores for ${n} examples of ${classes} classes`);
  for (let i = 0; i < n; i++) if (!Number.isInteger(labels[i]) || labels[i]! < 0 || labels[i]! >= classes) throw new RangeError(`classificationMetrics: label ${labels[i]} of example ${i} is not a class`);
  const predicted = argmaxRows(logits, classes);
  const confusion = confusionMatrix(labels, predicted, classes);
  const perClass = perClassOf(confusion);
  const mean = (f: (p: PerClass) => number): number => perClass.reduce((s, p) => s + f(p), 0) / classes;
  const correct = confusion.reduce((s, row, k) => s + row[k]!, 0);
  const positive = perClass[1]!;
  return {
    n,
    accuracy: ratio(correct, n),
    precisionMacro: mean((p) => p.precision),
    recallMacro: mean((p) => p.recall),
    f1Macro: mean((p) => p.f1),
    binary: classes === 2 ? { precision: positive.precision, recall: positive.recall, f1: positive.f1 } : null,
    aucRoc: aucOf(softmaxRows(logits, classes), labels, classes),
    perClass,
    confusion,
  };
}
