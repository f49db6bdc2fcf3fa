/**
 * Resolves a PEFT configuration against a model: which parameters exist, which train, the exact and the
 * thesis-convention counts, and the lowest layer anything trains in (backward stops below it).
 */
import type { EncoderConfig } from '../model/config';
import { baseParams, classifierParams, countParams, type ParamSpec } from '../model/params';
import { allLayers } from './module';
import { moduleFor } from './registry';
import type { MethodConfig, PeftConfig } from './types';

export interface PeftPlan {
  readonly model: EncoderConfig;
  readonly peft: PeftConfig;
  /** Classes of the classification head (a classification run), null for code search. */
  readonly classes: number | null;
  readonly base: readonly ParamSpec[];
  readonly added: readonly ParamSpec[];
  /** Every parameter that trains at some point of the run, in layout order. */
  readonly trainable: readonly ParamSpec[];
  readonly baseTotal: number;
  readonly exactTrainable: number;
  readonly paperTrainable: number;
  /** -1 when the embeddings train; `layers` when only the pooler does. */
  readonly lowestTrainableLayer: number;
}

export function methodLayers(method: MethodConfig, peft: PeftConfig, model: EncoderConfig): readonly number[] {
  const own = 'layers' in method ? method.layers : null;
  return own ?? (moduleFor(method).addsModules ? peft.layers : null) ?? allLayers(model);
}

/**
 * `classes`: a classification run's head (its tensors are added and always train, as peft's modules_to_save);
 * the pooler, which RobertaForSequenceClassification does not have, then never trains.
 */
export function planPeft(model: EncoderConfig, peft: PeftConfig, classes: number | null = null): PeftPlan {
  const base = baseParams(model);
  const head = classes === null ? [] : classifierParams(model, classes);
  const added = [...peft.methods.flatMap((m) => moduleFor(m).addedParams(m, model, methodLayers(m, peft, model))), ...head];
  const trainsPooler = classes === null && (peft.trainPooler || peft.methods.some((m) => moduleFor(m).trainsPooler === true));
  const trainsBase = (spec: ParamSpec): boolean =>
    spec.location.kind === 'pooler' ? trainsPooler : peft.methods.some((m) => moduleFor(m).trainsBase(m, spec));
  const trainable = [...base.filter(trainsBase), ...added].sort((a, b) => order(a, model) - order(b, model));
  const paperAdded = peft.methods.reduce((sum, m) => sum + moduleFor(m).paperCount(m, model, methodLayers(m, peft, model)), countParams(head));
  const trainableBase = trainable.filter((s) => s.module === 'base');
  return {
    model,
    peft,
    classes,
    base,
    added,
    trainable,
    baseTotal: countParams(base),
    exactTrainable: countParams(trainable),
    paperTrainable: paperAdded + countParams(trainableBase),
    lowestTrainableLayer: Math.min(model.layers, ...trainable.map((s) => lowestLayerOf(s, peft, model))),
  };
}

/** Layout order: embeddings, layers bottom-up, pooler, prefix, classifier — so one layer's tensors are contiguous. */
function order(spec: ParamSpec, model: EncoderConfig): number {
  switch (spec.location.kind) {
    case 'embeddings':
      return -1;
    case 'layer':
      return spec.location.layer;
    case 'pooler':
      return model.layers;
    case 'prefix':
      return model.layers + 1;
    case 'classifier':
      return model.layers + 2;
  }
}

/** The lowest layer whose backward must run for this tensor to get its gradient. */
function lowestLayerOf(spec: ParamSpec, peft: PeftConfig, model: EncoderConfig): number {
  if (spec.location.kind !== 'prefix') return order(spec, model);
  // Plain prefix rows belong to one layer; the prefix MLP feeds every layer it covers.
  const match = /^prefix\.layer\.(\d+)\./.exec(spec.name);
  if (match) return Number(match[1]);
  const method = peft.methods.find((m) => moduleFor(m).attach.prefix !== undefined);
  return method ? Math.min(...methodLayers(method, peft, model)) : 0;
}

export function percentOf(part: number, total: number): number {
  return total === 0 ? 0 : (100 * part) / total;
}
