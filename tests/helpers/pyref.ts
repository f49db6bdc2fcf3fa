/** Runs Python in the reference environment (.pyref/): the real transformers, peft, accelerate, sentence-transformers. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYREF_ENV, PYREF_ROOT, REPO, pythonPath } from './pyref_paths';

function run(program: string, argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, what: string): string {
  try {
    // A hung child (e.g. a distributed teardown) must fail the test, not stall the run: no reference call here
    // needs more than a few minutes on two cores.
    return execFileSync(program, [...argv], { encoding: 'utf8', cwd, env: { ...PYREF_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, timeout: 300_000, killSignal: 'SIGKILL' });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${what} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** `reference.py <args>` (tools/pyref/reference.py): what the real libraries compute; returns its stdout. */
export function reference(...args: string[]): string {
  return run(pythonPath(), [join(REPO, 'tools/pyref/reference.py'), ...args], REPO, {}, `reference.py ${args[0]}`);
}

/** A Python file (or `-c CODE`) with the environment's interpreter. */
export function python(script: string, args: readonly string[], cwd = REPO, env: NodeJS.ProcessEnv = {}): string {
  return run(pythonPath(), [script, ...args], cwd, env, script);
}

/** A program the environment installed (e.g. torchrun). */
export function pyrefTool(name: string, args: readonly string[], cwd = REPO, env: NodeJS.ProcessEnv = {}): string {
  return run(join(PYREF_ROOT, 'bin', name), args, cwd, env, name);
}

/**
 * A temporary folder with the tiny save_pretrained models (`st/`, `bin/`: `reference.py models`) and the first
 * lines of bundled sample shards, e.g. { 'pairs.jsonl': ['test.jsonl', 40] }.
 */
export function tinyModels(prefix: string, shards: Readonly<Record<string, readonly [string, number]>>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  reference('models', '--out', dir);
  for (const [name, [sample, lines]] of Object.entries(shards)) {
    writeFileSync(join(dir, name), readFileSync(join(REPO, 'public/sample', sample), 'utf8').split('\n').slice(0, lines).join('\n'));
  }
  return dir;
}
