/**
 * What the CLI prints comes partly from users' files (field names, tensor names, pickle global names, paths):
 * control characters in them are shown escaped (`\x1b`), so a crafted name cannot move the cursor, clear the
 * screen or print a fake "success" line. Newlines and tabs the CLI writes itself stay as they are.
 */
// C0 controls but \t and \n, DEL, and C1 controls (0x80–0x9f, e.g. the 8-bit CSI).
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Runs `fn` with everything written to stderr passed through printable(); restores stderr afterwards. */
export async function withPrintableStderr<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  const patched = ((chunk: unknown, ...rest: unknown[]) => write.call(process.stderr, typeof chunk === 'string' ? printable(chunk) : (chunk as Uint8Array), ...(rest as []))) as typeof process.stderr.write;
  process.stderr.write = patched;
  try {
    return await fn();
  } finally {
    if (process.stderr.write === patched) process.stderr.write = write;
  }
}
