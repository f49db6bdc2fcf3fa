/**
 * Config slice: the run configuration being edited (PEFT methods and recipe as plain JSON drafts), the preset
 * it came from, and the result of validating it with the engine's own parser: a RunConfig ready to train, or
 * the list of problems. Validation runs against the loaded model (or, before one is loaded, the model a share
 * link names, or codebert-base), so parameter counts are meaningful from the first visit.
 */
import type { StateCreator } from 'zustand';
import { PRESETS, type EncoderConfig } from '../../engine/model/config';
import { ConfigError } from '../../engine/peft/fields';
import { defaultMethod } from '../../engine/peft/method_fields';
import type { MethodType, PeftConfig } from '../../engine/peft/types';
import { parseRunConfig, type RecipeSettings, type RunConfig } from '../../engine/train/run_config';
import { DEFAULT_SCHEDULE, type PruneSchedule } from '../../engine/prune/schedule_config';
import { CLASSIFICATION_DEFAULTS, CODE_SEARCH } from '../../engine/train/task';
import { METHOD_PRESETS, RECIPE_PRESETS, TASK_PRESETS } from '../lib/presets';
import { unsafePatternIn } from '../lib/share';
import { selectDatasetName } from './dataSlice';
import type { LabState } from './store';

export type MethodDraft = { readonly type: MethodType } & Readonly<Record<string, unknown>>;

export interface PeftDraft {
  readonly methods: readonly MethodDraft[];
  /** A layer list, null (all layers), or what the user typed when it is not a list (the validator names it). */
  readonly layers: unknown;
  readonly trainPooler: boolean;
}

export type RecipeDraft = Readonly<Record<string, unknown>>;

export type PruningDraft = Readonly<Record<string, unknown>>;

/** The task as edited: `kind` and, for classification, its fields (checked by the engine's readTask). */
export type TaskDraft = Readonly<Record<string, unknown>>;

/** A share link's request: the model and dataset it was made with. */
export interface SharedSetup {
  readonly model: string;
  readonly dataset: string;
}

export interface ConfigSlice {
  taskDraft: TaskDraft;
  peftDraft: PeftDraft;
  recipeDraft: RecipeDraft;
  /** A pruning schedule as edited (null: an ordinary run); checked by the engine's readPruneSchedule. */
  pruningDraft: PruningDraft | null;
  presetId: string | null;
  recipePresetId: string | null;
  runConfig: RunConfig | null;
  configProblems: readonly string[];
  /** The model the configuration was checked against, and why when it is not the loaded one. */
  checkedModel: { readonly name: string; readonly config: EncoderConfig; readonly note: string | null };
  shared: SharedSetup | null;
  shareError: string | null;
  applyPreset: (id: string) => void;
  applyRecipePreset: (id: string) => void;
  toggleMethod: (type: MethodType, on: boolean) => void;
  setMethodField: (type: MethodType, field: string, value: unknown) => void;
  setPeftLayers: (layers: unknown) => void;
  setTrainPooler: (on: boolean) => void;
  setRecipeField: (key: keyof RecipeSettings, value: unknown) => void;
  /** Turns the pruning schedule on (the paper's 3 rounds of 10%) or off. */
  setPruning: (on: boolean) => void;
  setPruningField: (key: keyof PruneSchedule, value: unknown) => void;
  /** `kind` switches the task (classification starts from its defaults); other keys edit a classification field. */
  setTaskField: (key: string, value: unknown) => void;
  applyTaskPreset: (id: string) => void;
  applyShared: (json: unknown) => void;
  /** The configuration a restored workspace held, checked as a share link's is (nothing happens if it is not usable). */
  restoreConfig: (json: unknown) => void;
  /** A whole PEFT configuration, as parsed (an imported adapter's). */
  applyPeft: (peft: PeftConfig) => void;
  setShareError: (message: string | null) => void;
  dismissShared: () => void;
  revalidate: () => void;
}

const FALLBACK_MODEL = 'microsoft/codebert-base';

function checkedModel(s: LabState): ConfigSlice['checkedModel'] {
  if (s.model) return { name: s.model.name, config: s.model.config, note: null };
  const wanted = s.shared?.model;
  if (wanted && Object.hasOwn(PRESETS, wanted)) return { name: wanted, config: PRESETS[wanted as keyof typeof PRESETS], note: `${wanted}'s shape (not loaded yet)` };
  const note = wanted ? `microsoft/codebert-base's shape until ${wanted} is loaded` : "microsoft/codebert-base's shape (no model loaded yet)";
  return { name: wanted ?? FALLBACK_MODEL, config: PRESETS[FALLBACK_MODEL], note };
}

function validate(s: LabState, task: unknown, peft: unknown, recipe: unknown, pruning: unknown): Pick<ConfigSlice, 'runConfig' | 'configProblems' | 'checkedModel'> {
  const checked = checkedModel(s);
  try {
    const runConfig = parseRunConfig({ model: checked.name, dataset: selectDatasetName(s), task, peft, recipe, pruning }, checked.config);
    return { runConfig, configProblems: [], checkedModel: checked };
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems : [error instanceof Error ? error.message : String(error)];
    return { runConfig: null, configProblems: problems, checkedModel: checked };
  }
}

function draftOf(peft: PeftConfig): PeftDraft {
  return { methods: peft.methods.map((m) => ({ ...m })), layers: peft.layers, trainPooler: peft.trainPooler };
}

/** Problems quoted from a link are cut: the message must stay readable whatever the link holds. */
const MAX_QUOTED = 400;

/** A share link's JSON, validated against the model it names (or a stand-in shape until that is loaded). */
function readShared(json: unknown, s: LabState): { config: RunConfig } | { error: string } {
  const model = (json as { model?: unknown } | null)?.model;
  const checked = checkedModel({ ...s, shared: { model: typeof model === 'string' ? model : '', dataset: '' } });
  try {
    const unsafe = unsafePatternIn(json);
    if (unsafe) throw new ConfigError('The link', [unsafe]);
    return { config: parseRunConfig(json, checked.config) };
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems.join('; ') : String(error);
    const quoted = problems.length > MAX_QUOTED ? `${problems.slice(0, MAX_QUOTED)}…` : problems;
    return { error: `This share link holds a configuration the lab cannot use (${quoted}), so nothing was restored. The page works as usual: set up the run by hand, or ask for a new link.` };
  }
}

const initialPreset = METHOD_PRESETS.find((p) => p.id === 'LoRA-64')!;
const initialRecipe = RECIPE_PRESETS[0]!;

export const createConfigSlice: StateCreator<LabState, [], [], ConfigSlice> = (set, get) => {
  const edit = (change: Partial<ConfigSlice>): void => {
    set(change);
    get().revalidate();
  };
  const editMethods = (fn: (methods: readonly MethodDraft[]) => MethodDraft[]): void => {
    const d = get().peftDraft;
    edit({ peftDraft: { ...d, methods: fn(d.methods) }, presetId: null });
  };
  return {
    taskDraft: { ...CODE_SEARCH },
    peftDraft: { methods: initialPreset.peft.methods.map((m) => ({ ...m }) as MethodDraft), layers: null, trainPooler: false },
    recipeDraft: { ...initialRecipe.recipe },
    pruningDraft: null,
    presetId: initialPreset.id,
    recipePresetId: initialRecipe.id,
    runConfig: null,
    configProblems: [],
    checkedModel: { name: FALLBACK_MODEL, config: PRESETS[FALLBACK_MODEL], note: null },
    shared: null,
    shareError: null,
    applyPreset: (id) => {
      const preset = METHOD_PRESETS.find((p) => p.id === id);
      if (!preset) return;
      const methods = preset.peft.methods.map((m) => ({ ...m }) as MethodDraft);
      edit({ peftDraft: { methods, layers: preset.peft.layers ?? null, trainPooler: false }, presetId: id });
    },
    applyRecipePreset: (id) => {
      const preset = RECIPE_PRESETS.find((p) => p.id === id);
      if (preset) edit({ recipeDraft: { ...preset.recipe }, recipePresetId: id });
    },
    toggleMethod: (type, on) =>
      editMethods((methods) => (on ? [...methods.filter((m) => m.type !== type), defaultMethod(type, get().checkedModel.config)] : methods.filter((m) => m.type !== type))),
    setMethodField: (type, field, value) => editMethods((methods) => methods.map((m) => (m.type === type ? { ...m, [field]: value } : m))),
    setPeftLayers: (layers) => edit({ peftDraft: { ...get().peftDraft, layers }, presetId: null }),
    setTrainPooler: (trainPooler) => edit({ peftDraft: { ...get().peftDraft, trainPooler }, presetId: null }),
    setRecipeField: (key, value) => edit({ recipeDraft: { ...get().recipeDraft, [key]: value }, recipePresetId: null }),
    setPruning: (on) => edit({ pruningDraft: on ? { ...DEFAULT_SCHEDULE } : null }),
    setPruningField: (key, value) => edit({ pruningDraft: { ...(get().pruningDraft ?? DEFAULT_SCHEDULE), [key]: value } }),
    applyTaskPreset: (id) => {
      const preset = TASK_PRESETS.find((p) => p.id === id);
      if (preset) edit({ taskDraft: { ...preset.task } });
    },
    setTaskField: (key, value) => {
      if (key === 'kind') return edit({ taskDraft: value === 'classification' ? { ...CLASSIFICATION_DEFAULTS } : { ...CODE_SEARCH } });
      edit({ taskDraft: { ...get().taskDraft, [key]: value } });
    },
    applyShared: (json) => {
      const result = readShared(json, get());
      if ('error' in result) return set({ shareError: result.error });
      const { task, peft, recipe, model, dataset, pruning } = result.config;
      edit({ taskDraft: { ...task }, peftDraft: draftOf(peft), recipeDraft: { ...recipe }, pruningDraft: pruning ? { ...pruning } : null, presetId: null, recipePresetId: null, shared: { model, dataset }, shareError: null });
    },
    restoreConfig: (json) => {
      const result = readShared(json, get());
      if ('error' in result) return;
      const pruning = result.config.pruning;
      edit({ taskDraft: { ...result.config.task }, peftDraft: draftOf(result.config.peft), recipeDraft: { ...result.config.recipe }, pruningDraft: pruning ? { ...pruning } : null, presetId: null, recipePresetId: null });
    },
    applyPeft: (peft) => edit({ peftDraft: draftOf(peft), presetId: null }),
    setShareError: (shareError) => set({ shareError }),
    dismissShared: () => edit({ shared: null, shareError: null }),
    revalidate: () => {
      const s = get();
      set(validate(s, s.taskDraft, s.peftDraft, s.recipeDraft, s.pruningDraft));
    },
  };
};
