/**
 * The import graph of src/: no circular imports, the test oracle (src/reference/) kept out of the product
 * (only the self-check, a test run on the user's GPU, may use it) and importing nothing from the engine or the
 * app. Op contracts both sides share live in src/ops/. Dashboard feature folders do not import each other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/**
 * Relative import and re-export specifiers that exist at run time: `import type` / `export type` are erased by
 * the compiler (a slice naming the store's state type is not an edge), as in shared/tools/check_imports.mjs.
 */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const statements = [...text.matchAll(/(?:^|\n)\s*(import|export)\s+(type\s)?[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].filter((m) => !m[2]).map((m) => m[3]!);
  const specs = [...statements, ...[...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1]!)];
  return specs.flatMap((spec) => {
    if (spec.includes('?')) return []; // ?raw assets (the exported Python files) are not modules
    const base = resolve(dirname(file), spec);
    const hit = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((p) => /\.tsx?$/.test(p) && safeIsFile(p));
    if (!hit) throw new Error(`${relative(SRC, file)}: cannot resolve import "${spec}"`);
    return [hit];
  });
}

function safeIsFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

const graph = new Map(files(SRC).map((f) => [f, importsOf(f)]));
const rel = (f: string): string => relative(SRC, f);

/** Every cycle found by a depth-first walk, as the file sequence. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].map(rel));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe('the import graph of src/', () => {
  it('has no circular imports', () => {
    expect(cycles().map((c) => c.join(' -> '))).toEqual([]);
  });

  it('keeps the test oracle out of the product: only the self-check imports src/reference/', () => {
    const offenders = [...graph].flatMap(([f, deps]) => {
      const from = rel(f);
      if (from.startsWith('reference/') || from.startsWith('engine/selfcheck/')) return [];
      return deps.filter((d) => rel(d).startsWith('reference/')).map((d) => `${from} -> ${rel(d)}`);
    });
    expect(offenders).toEqual([]);
  });

  it('the reference imports nothing from the engine or the app', () => {
    const offenders = [...graph].flatMap(([f, deps]) =>
      rel(f).startsWith('reference/') ? deps.filter((d) => /^(engine|app|cli|bench)\//.test(rel(d))).map((d) => `${rel(f)} -> ${rel(d)}`) : [],
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the dashboard panels apart: a feature folder imports no other feature (shared code lives in components/ or lib/)', () => {
    const featureOf = (f: string): string | null => /^app\/features\/([^/]+)\//.exec(rel(f))?.[1] ?? null;
    const offenders = [...graph].flatMap(([f, deps]) => {
      const own = featureOf(f);
      return own === null ? [] : deps.filter((d) => featureOf(d) !== null && featureOf(d) !== own).map((d) => `${rel(f)} -> ${rel(d)}`);
    });
    expect(offenders).toEqual([]);
  });

  it('sees the graph it checks (a known edge is found)', () => {
    expect(graph.get(join(SRC, 'engine/kernels/matmul.ts'))?.map(rel)).toContain('ops/matmul.ts');
  });
});

describe('a PEFT method is looked up, not tested for, outside src/engine/peft/', () => {
  it('no `.type === "<method>"`, `case "<method>":` on a method, or methodOf(...) outside the peft folder', async () => {
    const { METHOD_TYPES } = await import('../../src/engine/peft/registry');
    const names = METHOD_TYPES.join('|');
    const comparison = new RegExp(`\\btype\\s*[!=]==?\\s*['"](${names})['"]|\\bmethodOf\\(`);
    const peftDir = join(SRC, 'engine', 'peft');
    const found = files(SRC)
      .filter((f) => !f.startsWith(peftDir))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').map((line, i) => [`${relative(SRC, f)}:${i + 1}`, line] as const))
      .filter(([, line]) => comparison.test(line))
      .map(([where, line]) => `${where}: ${line.trim()}`);
    expect(found).toEqual([]);
  });
});
