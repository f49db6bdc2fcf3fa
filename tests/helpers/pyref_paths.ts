/** Where the Python reference environment and its fixtures live (created by tests/setup/pyref.ts). */
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');
export const PYREF_ROOT = process.env.LAB_PYREF ?? join(REPO, '.pyref');
export const GOLDEN_DIR = join(PYREF_ROOT, 'golden');

export function pythonPath(): string {
  return join(PYREF_ROOT, 'bin', 'python');
}

/** The environment every reference script runs in: offline, quiet, single-threaded (bit-stable reruns). */
export const PYREF_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  HF_HUB_OFFLINE: '1',
  TRANSFORMERS_VERBOSITY: 'error',
  HF_HUB_DISABLE_PROGRESS_BARS: '1',
  TOKENIZERS_PARALLELISM: 'false',
  OMP_NUM_THREADS: '1',
};
