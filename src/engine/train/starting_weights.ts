/**
 * The one rule for the weights a run or an evaluation starts from, in the CLI and the Worker alike:
 *  - every base parameter from the base model, replaced by a trained folder's base weights where it has them
 *    (a full / Telly / BitFit run's model.safetensors);
 *  - the added parameters (LoRA, adapters, prefix, (IA)³) all from the adapter when one is given — it must hold
 *    exactly the tensors the configuration needs, with their sizes, or nothing starts — else all from the
 *    methods' seeded initializations, so the same configuration and seed start from the same weights.
 * The report says where each came from.
 */
import { specNumel, type ParamSpec } from '../model/params';
import { initializeAdded } from '../peft/init';
import type { PeftPlan } from '../peft/plan';

export interface WeightSources {
  /** The base model's weights (every base parameter must be here or in `trained`). */
  readonly base: ReadonlyMap<string, Float32Array>;
  /** Base weights of a trained model folder, which replace the base model's. */
  readonly trained?: ReadonlyMap<string, Float32Array>;
  /** An adapter's added tensors, and what to call it in messages ("--init runs/a", "adapter x.safetensors"). */
  readonly adapter?: { readonly tensors: ReadonlyMap<string, Float32Array>; readonly name: string } | null;
}

export interface StartingReport {
  readonly fromBase: number;
  readonly fromTrained: number;
  readonly fromAdapter: number;
  readonly initialized: number;
  /** One line for a log: "199 tensors from the base model, 48 initialized (seed 7)". */
  readonly text: string;
}

export interface StartingWeights {
  readonly values: Map<string, Float32Array>;
  readonly report: StartingReport;
}

/** A problem with the weights a run would start from: what is missing or does not fit, and what to do. */
export class StartingWeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartingWeightsError';
  }
}

export function startingWeights(plan: PeftPlan, sources: WeightSources, seed: number): StartingWeights {
  const values = new Map<string, Float32Array>();
  let fromBase = 0;
  let fromTrained = 0;
  for (const spec of plan.base) {
    const trained = sources.trained?.get(spec.name);
    const data = trained ?? sources.base.get(spec.name);
    if (!data) throw new StartingWeightsError(`the base model has no "${spec.name}": load the complete model folder (model.safetensors or pytorch_model.bin) it was saved with`);
    expectSize(spec, data, trained ? 'the trained model folder' : 'the base model');
    values.set(spec.name, data);
    if (trained) fromTrained++;
    else fromBase++;
  }
  const adapter = sources.adapter ?? null;
  // An adapter without a head under a classification plan (a code-search run continued as classification, or a
  // method's folder): its tensors as they are, the head freshly initialized.
  // A trained classification folder brings its head with its base weights (`trained`).
  const headOf = (name: string): Float32Array | undefined => sources.trained?.get(name);
  const fromFolder = plan.added.filter((s) => s.module === 'classifier' && !adapter?.tensors.has(s.name) && headOf(s.name) !== undefined);
  const fresh = plan.added.filter((s) => !fromFolder.includes(s) && (!adapter || (s.module === 'classifier' && !adapter.tensors.has(s.name))));
  const taken = plan.added.filter((s) => !fresh.includes(s) && !fromFolder.includes(s));
  for (const spec of fromFolder) {
    expectSize(spec, headOf(spec.name)!, 'the trained model folder');
    values.set(spec.name, headOf(spec.name)!);
  }
  if (adapter) {
    const problem = adapterMismatch(taken, adapter.tensors);
    if (problem) throw new StartingWeightsError(`${adapter.name} does not fit the configuration: ${problem}. Use the adapter with the configuration it was saved with (its adapter_config.json or lab_peft.json), or start without it.`);
    for (const spec of taken) values.set(spec.name, adapter.tensors.get(spec.name)!);
  }
  const init = initializeAdded(plan, seed);
  for (const spec of fresh) values.set(spec.name, init.get(spec.name)!);
  fromTrained += fromFolder.length;
  const fromAdapter = taken.length;
  const initialized = fresh.length;
  const parts = [
    fromBase > 0 ? `${fromBase} from the base model` : '',
    fromTrained > 0 ? `${fromTrained} from the trained model folder` : '',
    fromAdapter > 0 ? `${fromAdapter} from ${adapter!.name}` : '',
    initialized > 0 ? `${initialized} initialized (seed ${seed})` : '',
  ].filter((p) => p !== '');
  return { values, report: { fromBase, fromTrained, fromAdapter, initialized, text: `starting weights: ${parts.join(', ')}` } };
}

function expectSize(spec: ParamSpec, data: Float32Array, where: string): void {
  const numel = specNumel(spec);
  if (data.length !== numel) throw new StartingWeightsError(`"${spec.name}" in ${where} has ${data.length} values where the model needs ${numel} (shape ${spec.shape.join('×')}): it was saved from a model of another shape`);
}

/** An adapter's tensors without a classification head's (`classifier.*`): its encoder part. */
export function withoutHead(tensors: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  return new Map([...tensors].filter(([name]) => !name.startsWith('classifier.')));
}

/** Names what does not fit between the added tensors a configuration needs and the ones an adapter holds. */
export function adapterMismatch(added: readonly ParamSpec[], tensors: ReadonlyMap<string, Float32Array>): string | null {
  const needed = new Set(added.map((s) => s.name));
  for (const spec of added) {
    const data = tensors.get(spec.name);
    if (!data) return `it lacks ${spec.name}`;
    const numel = specNumel(spec);
    if (data.length !== numel) return `${spec.name} has ${data.length} values where this model needs ${numel} (shape ${spec.shape.join('×')})`;
  }
  const extra = [...tensors.keys()].find((name) => !needed.has(name));
  return extra === undefined ? null : `it holds ${extra}, which this configuration does not use`;
}
