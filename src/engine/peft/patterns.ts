/**
 * Regular expressions from users' files (peft's target_modules / exclude_modules / feedforward_modules as a
 * string, rank_pattern and alpha_pattern keys), matched with RE2's linear-time engine (re2js): JavaScript's
 * backtracking engine can spin for hours on a pattern such as `([a-z.0-9]+)+Z`, RE2's cannot. RE2's syntax is
 * Python's for what peft's patterns use (classes, groups, alternation, quantifiers); backreferences and
 * lookarounds, which RE2 refuses, are reported as invalid.
 */
import { RE2JS } from 're2js';

/** Longer patterns are refused: no module name needs one, and compiling one costs memory in its length. */
export const MAX_PATTERN_LENGTH = 1000;

type Matcher = (text: string) => boolean;
const cache = new Map<string, Matcher | null>();

function compiled(source: string): Matcher | null {
  let m = cache.get(source);
  if (m !== undefined) return m;
  try {
    const re = RE2JS.compile(source);
    m = (text: string) => re.matches(text);
  } catch {
    m = null;
  }
  if (cache.size > 1000) cache.clear();
  cache.set(source, m);
  return m;
}

/** Whether `pattern` matches the whole of `text` (Python's re.fullmatch); null when the pattern is invalid. */
export function fullMatch(pattern: string, text: string): boolean | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return null;
  return compiled(`(?:${pattern})`)?.(text) ?? null;
}

/** peft's get_pattern_key rule: `key` matches a module path that is it, or ends with "." + it. */
export function endsWithPattern(key: string, path: string): boolean | null {
  if (key.length > MAX_PATTERN_LENGTH) return null;
  return compiled(`(?:.*\\.)?(?:${key})`)?.(path) ?? null;
}

export function isValidPattern(pattern: string): boolean {
  return fullMatch(pattern, '') !== null;
}
