/**
 * Vitest global setup: the Python reference environment (tools/pyref/setup.sh: torch, transformers, peft,
 * accelerate, sentence-transformers in .pyref/) and the golden fixtures the real libraries compute
 * (tools/pyref/make_golden.py → .pyref/golden/, make_golden_cls.py → .pyref/golden/cls/). Both are rebuilt only when their inputs change, so a second
 * `vitest run` spends well under a second here. A failure stops the whole run: the parity tests are never skipped.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR, PYREF_ENV, PYREF_ROOT, REPO, pythonPath } from '../helpers/pyref_paths';

const GOLDEN_INPUTS = ['tools/pyref/make_golden.py', 'tools/pyref/make_golden_cls.py', 'tools/pyref/requirements.txt', 'src/engine/export_run/python/lab_methods.py'];

export default function setup(): void {
  const python = execFileSync('bash', [join(REPO, 'tools/pyref/setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  if (python !== pythonPath()) throw new Error(`tools/pyref/setup.sh gave ${python}, expected ${pythonPath()}`);
  const hash = createHash('sha256');
  for (const f of GOLDEN_INPUTS) hash.update(readFileSync(join(REPO, f)));
  const want = hash.digest('hex');
  const stamp = join(GOLDEN_DIR, '.inputs.sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  const tmp = join(PYREF_ROOT, 'golden.tmp');
  rmSync(tmp, { recursive: true, force: true });
  execFileSync(python, [join(REPO, 'tools/pyref/make_golden.py'), '--out', tmp], { stdio: ['ignore', 'ignore', 'inherit'], env: PYREF_ENV });
  execFileSync(python, [join(REPO, 'tools/pyref/make_golden_cls.py'), '--out', join(tmp, 'cls')], { stdio: ['ignore', 'ignore', 'inherit'], env: PYREF_ENV });
  writeFileSync(join(tmp, '.inputs.sha256'), want);
  rmSync(GOLDEN_DIR, { recursive: true, force: true });
  renameSync(tmp, GOLDEN_DIR);
}
