/**
 * The memory plan against the adapter's limits. Browsers do not report how much memory a GPU has, so the one
 * check possible before a run is the largest single buffer: a kernel binds it whole, and a buffer larger than
 * maxStorageBufferBindingSize (or maxBufferSize) is a run that cannot start, whatever else fits.
 */
import type { LargestBuffer } from '../../engine/plan/memory';

/** What makes the buffer smaller, by what it holds. */
const REMEDY: Readonly<Record<LargestBuffer['category'], string>> = {
  weights: "it is one of the model's own tensors, so this model cannot train on this GPU",
  trainable: 'it holds every trainable parameter: train fewer (a PEFT method, or fewer layers)',
  activations: 'lower the batch size or the sequence lengths',
  scratch: 'lower the batch size or the sequence lengths',
  evaluation: 'lower the evaluation batch or the validation limit',
};

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Warnings against the adapter's limits (empty when the run fits, or while the limits are unknown). */
export function memoryWarnings(largest: LargestBuffer, limits: Readonly<Record<string, number>> | null): string[] {
  if (!limits) return [];
  const binding = limits.maxStorageBufferBindingSize;
  const buffer = limits.maxBufferSize;
  const needs = `The largest buffer, ${largest.label}, needs ${mib(largest.bytes)}`;
  if (binding !== undefined && largest.bytes > binding) return [`${needs}, more than this GPU's maxStorageBufferBindingSize (${mib(binding)}): ${REMEDY[largest.category]}.`];
  if (buffer !== undefined && largest.bytes > buffer) return [`${needs}, more than this GPU's maxBufferSize (${mib(buffer)}): ${REMEDY[largest.category]}.`];
  return [];
}
