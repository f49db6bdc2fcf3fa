/**
 * Seeded, reproducible data order: a train/valid/test split made by shuffle-and-cut, and one training
 * permutation per epoch. Both are pure functions of (n, seed[, epoch]): the same seed and the same data give
 * the same split on every machine, in the browser and in Node.
 */

import { mulberry32 } from '../rng/mulberry32';
import { DataError } from './types';

/** Domains keep the split's random stream apart from the epochs' (seed 1's split is not epoch 0's order). */
const SPLIT_DOMAIN = 0x5d1c2a3b;
const EPOCH_DOMAIN = 0x1b873593;

/** A 32-bit finaliser (murmur3 fmix32) folding `value` into `state`. */
function mix(state: number, value: number): number {
  let h = (state ^ Math.imul(value >>> 0, 0xcc9e2d51)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new DataError(`the seed must be a whole number, got ${seed}`);
}

/** Both 32-bit halves of a seed count: seeds above 2^32 (e.g. a timestamp) must not collide. */
function seedState(seed: number, domain: number): number {
  return mix(mix(domain, seed >>> 0), Math.floor(seed / 2 ** 32) >>> 0);
}

/**
 * Fisher–Yates over 0..n-1. `floor(u * (i + 1))` with 32-bit u is biased by at most (i + 1) / 2^32, about
 * 6e-5 at a million examples: irrelevant for data order.
 */
function permutation(n: number, random: () => number): Uint32Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new RangeError(`n must be a whole number of examples, got ${n}`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = t;
  }
  return order;
}

/** The training order of `epoch` (0-based): a permutation of 0..n-1, a different one for every epoch. */
export function shuffleIndices(n: number, seed: number, epoch: number): Uint32Array {
  checkSeed(seed);
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`epoch must be a whole number ≥ 0, got ${epoch}`);
  return permutation(n, mulberry32(mix(seedState(seed, EPOCH_DOMAIN), epoch)));
}

export interface SplitOptions {
  /** Fractions of the examples held out, each in [0, 1), together below 1. */
  readonly valid: number;
  readonly test: number;
  readonly seed: number;
}

export interface SplitIndices {
  readonly train: number[];
  readonly valid: number[];
  readonly test: number[];
}

/** A non-zero fraction holds out at least one example, so a small dataset still gets a validation set. */
function heldOut(fraction: number, n: number): number {
  return fraction === 0 ? 0 : Math.max(1, Math.round(fraction * n));
}

/**
 * Shuffle 0..n-1 with the seed, take the first `valid·n` for validation, the next `test·n` for test, the rest
 * for training. Each part is returned in file order: evaluation output then lines up with the file, and the
 * training order comes from `shuffleIndices` per epoch anyway.
 */
export function splitIndices(n: number, options: SplitOptions): SplitIndices {
  const { valid, test, seed } = options;
  checkSeed(seed);
  const ok = (f: number): boolean => Number.isFinite(f) && f >= 0 && f < 1;
  if (!ok(valid) || !ok(test) || valid + test >= 1) {
    throw new DataError(`the valid and test fractions must each be in [0, 1) and leave examples for training; got valid ${valid}, test ${test}`);
  }
  const nValid = heldOut(valid, n);
  const nTest = heldOut(test, n);
  if (n > 0 && nValid + nTest >= n) {
    throw new DataError(`${n} examples are too few to hold out ${nValid} for validation and ${nTest} for test. Lower the fractions or add data.`);
  }
  const order = permutation(n, mulberry32(seedState(seed, SPLIT_DOMAIN)));
  const ascending = (a: number, b: number): number => a - b;
  return {
    valid: Array.from(order.subarray(0, nValid)).sort(ascending),
    test: Array.from(order.subarray(nValid, nValid + nTest)).sort(ascending),
    train: Array.from(order.subarray(nValid + nTest)).sort(ascending),
  };
}

/** `splitIndices` applied to the examples themselves. */
export function splitDeterministic<T>(examples: readonly T[], options: SplitOptions): { train: T[]; valid: T[]; test: T[] } {
  const parts = splitIndices(examples.length, options);
  const pick = (indices: readonly number[]): T[] => indices.map((i) => examples[i] as T);
  return { train: pick(parts.train), valid: pick(parts.valid), test: pick(parts.test) };
}
