/**
 * Where the CLI writes: an output folder checked before anything is written (never the model folder, never a
 * folder of unrelated files, never an earlier run unless asked), created without Node's recursive mkdir
 * (which spins forever under /proc), and files replaced atomically (written beside, then renamed), so an
 * interrupted write leaves the old file or the new one, never half of one.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CliError } from './errors';

/** What a lab run folder holds; a folder with other files is not the lab's to overwrite. */
export const RUN_MARKER = 'run_config.json';

export interface OutDirOptions {
  /** Folders the outputs must not go into (the model being trained, an --init folder). */
  readonly protect: readonly { readonly flag: string; readonly dir: string }[];
  /** Continuing the run that is in the folder. */
  readonly resume: boolean;
  /** Replace an earlier run's files (--overwrite). */
  readonly overwrite: boolean;
}

/** The checks that need no writing, made before the run loads anything heavy. */
export function checkOutDir(out: string, options: OutDirOptions): void {
  if (existsSync(out) && !statSync(out).isDirectory()) throw new CliError(`--out ${out} is a file, not a folder: choose a folder for the run`);
  for (const p of options.protect) {
    if (existsSync(out) && inside(realpathSync(out), realpathSync(p.dir))) {
      throw new CliError(`--out ${out} is inside --${p.flag} ${p.dir}: the run would overwrite the files it reads; choose another --out`);
    }
  }
  if (existsSync(out) && !options.resume) {
    const names = readdirSync(out);
    if (names.includes(RUN_MARKER) && !options.overwrite) {
      throw new CliError(`--out ${out} already holds a run: continue it with --resume ${out}, choose a new --out, or pass --overwrite to replace it`);
    }
    if (names.length > 0 && !names.includes(RUN_MARKER)) throw new CliError(`--out ${out} is not empty and is not a lab run (no ${RUN_MARKER}): choose an empty or a new folder`);
  }
}

/** Creates the folder (after checkOutDir) and makes sure it can be written. */
export function createOutDir(out: string): void {
  makeDirs(out);
  try {
    accessSync(out, constants.W_OK);
  } catch {
    throw new CliError(`--out ${out} is not writable: choose a folder you can write to`);
  }
}

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

/** mkdir -p one level at a time, so a path the system refuses is an error and not a hang. */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new CliError(`cannot create the folder ${d} (${code}): choose a folder you can write to`);
    }
  }
}

/** Writes `path` so that it is whole or absent: into a temporary file beside it, then renamed over it. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${Date.now()}-${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new CliError(`cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** A file the command will write: its folder exists and is writable, and it is not itself a folder. */
export function checkWritableFile(path: string, flag = '--out'): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new CliError(`${flag} ${path}: the folder ${folder} does not exist (create it first)`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new CliError(`${flag} ${path} is a folder: give a file name`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new CliError(`${flag} ${path}: the folder ${folder} is not writable`);
  }
}
