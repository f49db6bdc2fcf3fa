/** Runs the reference script (tools/pyref/reference.py) with the real transformers/peft/sentence-transformers. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PYREF_ENV, REPO, pythonPath } from './pyref_paths';

/** Runs `reference.py <args>` and returns its stdout; a failure throws with the script's stderr. */
export function reference(...args: string[]): string {
  try {
    return execFileSync(pythonPath(), [join(REPO, 'tools/pyref/reference.py'), ...args], { encoding: 'utf8', env: PYREF_ENV, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`reference.py ${args[0]} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Runs any Python file of the project in the reference environment (stdout back, stderr on failure). */
export function python(script: string, args: readonly string[], cwd = REPO, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(pythonPath(), [script, ...args], { encoding: 'utf8', cwd, env: { ...PYREF_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${script} failed: ${e.stderr?.trim() || e.message}`);
  }
}
