/** Command-line flags: parsed strictly (unknown flags are errors) and validated into typed options. */
import { parseArgs } from 'node:util';
import { CliError } from './errors';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** `positionals`: the command takes bare arguments (compare's run folders); others refuse them. */
export function parseFlags(argv: readonly string[], flags: FlagSpec, command: string, positionals = false): Parsed {
  try {
    const parsed = parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: positionals });
    const { values } = parsed;
    return { values: values as Parsed['values'], positionals: parsed.positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify.*$/s, '') : String(error);
    throw new CliError(`${command}: ${message} (see \`npm run lab -- ${command} --help\`)`);
  }
}

export class FlagReader {
  constructor(
    private readonly p: Parsed,
    private readonly command: string,
  ) {}

  string(name: string): string | undefined {
    const v = this.p.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === '') throw new CliError(`${this.command}: --${name} is required (see \`npm run lab -- ${this.command} --help\`)`);
    return v;
  }

  bool(name: string): boolean {
    return this.p.values[name] === true;
  }

  number(name: string, fallback: number, min: number, max: number, integer = false): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new CliError(`${this.command}: --${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}] (got "${raw}")`);
    }
    return v;
  }

  optionalInt(name: string, min: number, max: number): number | null {
    return this.string(name) === undefined ? null : this.number(name, 0, min, max, true);
  }

  oneOf<T extends string>(name: string, options: readonly T[], fallback: T): T {
    const raw = this.string(name) ?? fallback;
    if (!(options as readonly string[]).includes(raw)) throw new CliError(`${this.command}: --${name} must be one of ${options.join(', ')} (got "${raw}")`);
    return raw as T;
  }
}
