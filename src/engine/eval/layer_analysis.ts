/**
 * Telly's layer analysis on the representations of layer_representations.ts: a linear probe per layer (what a
 * layer's <s> or mean state says about a label: logistic regression trained on a seeded split, accuracy on the
 * held-out part) and the drift of each layer between two models on the same inputs (linear CKA: 1 = the layer
 * represents the inputs as before, lower = fine-tuning changed it).
 */
import { splitIndices } from '../data/split';
import { linearCka } from './cka';
import { fitLogisticRegression, predictProbabilities } from './logistic_regression';

export interface ProbeOptions {
  /** Fraction of the examples held out to measure the probe (the rest train it). */
  readonly heldOut: number;
  readonly seed: number;
  /** The probe's inverse L2 strength (scikit-learn's C). */
  readonly c: number;
}

export const PROBE_DEFAULTS: ProbeOptions = { heldOut: 0.25, seed: 1, c: 1 };

export interface LayerProbe {
  /** 0: the embeddings' output; l: encoder layer l. */
  readonly layer: number;
  /** Accuracy on the held-out examples. */
  readonly accuracy: number;
  readonly trainAccuracy: number;
  readonly converged: boolean;
}

function rows(data: Float32Array, d: number, idx: readonly number[]): Float64Array {
  const out = new Float64Array(idx.length * d);
  idx.forEach((r, i) => out.set(data.subarray(r * d, (r + 1) * d), i * d));
  return out;
}

/** Each feature scaled by the training part's mean and standard deviation (a constant feature is only centered). */
function standardize(train: Float64Array, test: Float64Array, d: number): void {
  const n = train.length / d;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += train[i * d + j]!;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (train[i * d + j]! - mean) ** 2;
    const scale = Math.sqrt(variance / n) || 1;
    for (const m of [train, test]) for (let i = 0; i < m.length / d; i++) m[i * d + j] = (m[i * d + j]! - mean) / scale;
  }
}

function accuracy(probabilities: Float64Array, labels: readonly number[], classes: number): number {
  let correct = 0;
  labels.forEach((y, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
    if (best === y) correct++;
  });
  return labels.length === 0 ? 0 : correct / labels.length;
}

/** A probe per layer on (n, d) representations with labels in [0, classes). */
export function probeLayers(layers: readonly Float32Array[], d: number, labels: ArrayLike<number>, classes: number, options: Partial<ProbeOptions> = {}): LayerProbe[] {
  const o = { ...PROBE_DEFAULTS, ...options };
  const split = splitIndices(labels.length, { valid: o.heldOut, test: 0, seed: o.seed });
  const yTrain = split.train.map((i) => labels[i]!);
  const yTest = split.valid.map((i) => labels[i]!);
  return layers.map((data, layer) => {
    const train = rows(data, d, split.train);
    const test = rows(data, d, split.valid);
    standardize(train, test, d);
    const model = fitLogisticRegression(train, yTrain, classes, { c: o.c });
    return {
      layer,
      accuracy: accuracy(predictProbabilities(model, test), yTest, classes),
      trainAccuracy: accuracy(predictProbabilities(model, train), yTrain, classes),
      converged: model.converged,
    };
  });
}

/** Linear CKA of each layer of `before` with the same layer of `after` (both (n, d) per layer, same inputs). */
export function driftByLayer(before: readonly Float32Array[], after: readonly Float32Array[], d: number): number[] {
  if (before.length !== after.length) throw new RangeError(`driftByLayer: ${before.length} layers before, ${after.length} after`);
  return before.map((x, l) => linearCka(x, d, after[l]!, d));
}

export interface LayerStudyRow {
  readonly layer: number;
  readonly model: LayerProbe;
  readonly run?: LayerProbe;
  /** Linear CKA of the model's and the run's representations (NaN where a layer is constant over the inputs). */
  readonly cka?: number;
}

/** A probe of every layer of a model, and of a run with each layer's drift from the model when given. */
export interface LayerStudy {
  readonly examples: number;
  readonly classes: readonly string[];
  readonly counts: readonly number[];
  /** The largest class's share: the accuracy of always guessing it, the baseline a probe has to beat. */
  readonly majority: number;
  readonly options: ProbeOptions;
  readonly layers: readonly LayerStudyRow[];
}

/** Probes (and drift) from each side's per-layer representations of the same labelled inputs. */
export function studyLayers(model: readonly Float32Array[], run: readonly Float32Array[] | null, d: number, labelled: { readonly classes: readonly string[]; readonly labels: ArrayLike<number>; readonly counts: readonly number[] }, options: Partial<ProbeOptions> = {}): LayerStudy {
  const o = { ...PROBE_DEFAULTS, ...options };
  const k = labelled.classes.length;
  const before = probeLayers(model, d, labelled.labels, k, o);
  const after = run ? probeLayers(run, d, labelled.labels, k, o) : null;
  const drift = run ? driftByLayer(model, run, d) : null;
  return {
    examples: labelled.labels.length,
    classes: labelled.classes,
    counts: labelled.counts,
    majority: Math.max(...labelled.counts) / labelled.labels.length,
    options: o,
    layers: before.map((p, l) => ({ layer: l, model: p, ...(after ? { run: after[l]!, cka: drift![l]! } : {}) })),
  };
}
