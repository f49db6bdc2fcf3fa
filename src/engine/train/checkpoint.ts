/**
 * A run's checkpoint as one safetensors file, the same bytes in the CLI (a file written then renamed) and the
 * browser: tensors `flat.params`, `flat.m`, `flat.v` and `best.<parameter>`, and in `__metadata__` the format,
 * its version, the state's scalars and the fingerprint of what the run was (method, recipe, data size), so a
 * resume with other settings is refused instead of silently computing something else.
 */
import { readSafeTensors, writeSafeTensors, type TensorToWrite } from '../io/safetensors';
import type { TrainState } from './train_state';

export const CHECKPOINT_FORMAT = 'webgpu-finetuning-lab/checkpoint';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
const VERSION = '1';

/** What must be the same for a checkpoint to continue a run: compared as JSON, key by key. */
export type RunFingerprint = Readonly<Record<string, unknown>>;

export interface Checkpoint {
  readonly state: TrainState;
  readonly fingerprint: RunFingerprint;
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

interface Scalars {
  readonly step: number;
  readonly adamSteps: Record<string, number>;
  readonly best: { readonly step: number; readonly metric: string; readonly value: number } | null;
  readonly fingerprint: RunFingerprint;
}

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const { state } = c;
  const tensors: TensorToWrite[] = [];
  if (state.flat) {
    for (const key of ['params', 'm', 'v'] as const) tensors.push({ name: `flat.${key}`, shape: [state.flat[key].length], data: state.flat[key] });
  }
  for (const [name, data] of state.best?.weights ?? []) tensors.push({ name: `best.${name}`, shape: [data.length], data });
  const scalars: Scalars = { step: state.step, adamSteps: { ...state.adamSteps }, best: state.best ? { step: state.best.step, metric: state.best.metric, value: state.best.value } : null, fingerprint: c.fingerprint };
  return writeSafeTensors(tensors, { format: CHECKPOINT_FORMAT, version: VERSION, state: JSON.stringify(scalars) });
}

export function decodeCheckpoint(bytes: Uint8Array, what: string): Checkpoint {
  const file = readSafeTensors(bytes, what);
  if (file.metadata.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${what} is not a lab checkpoint (its format is ${JSON.stringify(file.metadata.format ?? null)})`);
  if (file.metadata.version !== VERSION) throw new CheckpointError(`${what} is checkpoint version ${file.metadata.version}; this lab reads version ${VERSION}`);
  const scalars = parseScalars(file.metadata.state, what);
  const f32 = (name: string): Float32Array => {
    const t = file.tensors.get(name);
    if (!t || !(t.data instanceof Float32Array) || t.dtype !== 'F32') throw new CheckpointError(`${what} lacks the F32 tensor ${name}`);
    return t.data;
  };
  const hasFlat = file.tensors.has('flat.params');
  const flat = hasFlat ? { params: f32('flat.params'), m: f32('flat.m'), v: f32('flat.v') } : null;
  if (flat && (flat.m.length !== flat.params.length || flat.v.length !== flat.params.length)) throw new CheckpointError(`${what}: the AdamW moments do not match the parameters in size`);
  const weights = new Map<string, Float32Array>();
  for (const name of file.tensors.keys()) if (name.startsWith('best.')) weights.set(name.slice(5), f32(name));
  const best = scalars.best ? { ...scalars.best, weights } : null;
  return { state: { step: scalars.step, adamSteps: scalars.adamSteps, flat, best }, fingerprint: scalars.fingerprint };
}

function parseScalars(text: string | undefined, what: string): Scalars {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? '');
  } catch {
    throw new CheckpointError(`${what}: its state is not readable JSON`);
  }
  const o = raw as Partial<Scalars> | null;
  const okStep = typeof o?.step === 'number' && Number.isInteger(o.step) && o.step >= 0;
  const okAdam = typeof o?.adamSteps === 'object' && o.adamSteps !== null && Object.values(o.adamSteps).every((n) => Number.isInteger(n) && n >= 0);
  const best = o?.best === null ? null : bestOf(o?.best);
  const okPrint = typeof o?.fingerprint === 'object' && o.fingerprint !== null;
  if (!okStep || !okAdam || best === undefined || !okPrint) throw new CheckpointError(`${what}: its state is incomplete (step, AdamW steps, best, fingerprint)`);
  return { ...(o as Scalars), best };
}

/** The best evaluation's step, metric and value; checkpoints written before tasks existed hold `metrics.mrr`. */
function bestOf(raw: unknown): Scalars['best'] | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const b = raw as { step?: unknown; metric?: unknown; value?: unknown; metrics?: { mrr?: unknown } };
  if (!Number.isInteger(b.step)) return undefined;
  if (typeof b.metric === 'string' && typeof b.value === 'number') return { step: b.step as number, metric: b.metric, value: b.value };
  if (typeof b.metrics?.mrr === 'number') return { step: b.step as number, metric: 'mrr', value: b.metrics.mrr };
  return undefined;
}

/** The fields of `saved` that `now` has otherwise, as "recipe.lr: 0.001 → 0.002" lines (empty: they match). */
export function fingerprintDifferences(saved: RunFingerprint, now: RunFingerprint): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(now)]);
  return [...keys].filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k])).map((k) => `${k}: ${short(saved[k])} → ${short(now[k])}`);
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
