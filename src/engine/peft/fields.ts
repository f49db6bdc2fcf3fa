/**
 * Reads untrusted config objects field by field, collecting every problem (with its path) instead of
 * stopping at the first, so a user fixes a bad config file in one go.
 */

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(what: string, problems: readonly string[]) {
    super(`${what} is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export class FieldReader {
  constructor(
    private readonly obj: Readonly<Record<string, unknown>>,
    readonly path: string,
    readonly problems: string[],
  ) {}

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  problem(key: string, message: string): void {
    this.problems.push(`${this.path}.${key}: ${message}`);
  }

  int(key: string, min: number, max: number, fallback?: number): number {
    const v = this.obj[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.problem(key, `must be an integer in [${min}, ${max}] (got ${JSON.stringify(v)})`);
      return fallback ?? min;
    }
    return v;
  }

  num(key: string, min: number, max: number, fallback?: number): number {
    const v = this.obj[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      this.problem(key, `must be a number in [${min}, ${max}] (got ${JSON.stringify(v)})`);
      return fallback ?? min;
    }
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.obj[key] ?? fallback;
    if (typeof v !== 'boolean') {
      this.problem(key, `must be true or false (got ${JSON.stringify(v)})`);
      return fallback;
    }
    return v;
  }

  oneOf<T extends string>(key: string, options: readonly T[], fallback?: T): T {
    const v = this.obj[key] ?? fallback;
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
      this.problem(key, `must be one of ${options.map((o) => `"${o}"`).join(', ')} (got ${JSON.stringify(v)})`);
      return fallback ?? options[0]!;
    }
    return v as T;
  }

  strings(key: string, fallback: readonly string[]): readonly string[] {
    const v = this.obj[key] ?? fallback;
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.length === 0)) {
      this.problem(key, `must be a list of non-empty strings (got ${JSON.stringify(v)})`);
      return fallback;
    }
    return v as string[];
  }

  /** `null`/absent (all layers) or a list of distinct layer indices below `layerCount`. */
  layers(key: string, layerCount: number): readonly number[] | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    const ok = Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0 && x < layerCount);
    if (!ok || new Set(v as number[]).size !== (v as number[]).length) {
      this.problem(key, `must be null or a list of distinct layer indices in [0, ${layerCount - 1}] (got ${JSON.stringify(v)})`);
      return null;
    }
    return [...(v as number[])].sort((a, b) => a - b);
  }

  /** Flags keys this reader does not know, so typos ("alpah") do not silently fall back to defaults. */
  /** An object of numbers keyed by name (peft's rank_pattern / alpha_pattern), each within [min, max]. */
  numberMap(key: string, min: number, max: number): Readonly<Record<string, number>> {
    const v = this.raw(key);
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.problem(key, `must be an object of numbers by module name (got ${JSON.stringify(v)})`);
      return {};
    }
    const out: Record<string, number> = {};
    for (const [k, n] of Object.entries(v as Record<string, unknown>)) {
      if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) this.problem(`${key}.${k}`, `must be a number in [${min}, ${max}] (got ${JSON.stringify(n)})`);
      else out[k] = n;
    }
    return out;
  }

  rejectUnknown(known: readonly string[]): void {
    for (const key of Object.keys(this.obj)) if (!known.includes(key)) this.problem(key, 'is not a known field');
  }
}

export function asObject(value: unknown, path: string, problems: string[]): Readonly<Record<string, unknown>> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push(`${path}: must be a JSON object (got ${JSON.stringify(value)})`);
  return {};
}
