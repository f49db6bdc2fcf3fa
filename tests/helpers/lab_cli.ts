/** The lab CLI run in-process as a user runs it, with stdout, stderr and the exit code captured. */
import { vi } from 'vitest';
import { runCli } from '../../src/cli/main';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export async function lab(...argv: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await runCli(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Like lab(), but a non-zero exit fails with the CLI's message. */
export async function labOk(...argv: string[]): Promise<Captured> {
  const r = await lab(...argv);
  if (r.code !== 0) throw new Error(`lab ${argv[0]} exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}
