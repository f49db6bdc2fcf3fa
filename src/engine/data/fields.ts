/**
 * Which record fields hold code and query. Detection follows the field names of CodeSearchNet / CodeXGLUE
 * (AdvTest) and CoSQA; a user's explicit choice overrides it. Extraction turns one record into an example or
 * into the reason it cannot be used.
 */

import { DataError, type Example, type FieldMapping, type FieldSelection } from './types';

/** In priority order. AdvTest valid/test say `function_tokens` / `function` where train says `code_*`. */
export const CODE_FIELDS: readonly string[] = ['code_tokens', 'function_tokens', 'code', 'function', 'original_string'];
/** In priority order. WebQuery and CoSQA keep the query in `doc`. */
export const QUERY_FIELDS: readonly string[] = ['docstring_tokens', 'docstring', 'doc'];
/** `url` identifies the query in AdvTest, `idx` the code (and the pair in CoSQA). */
export const ID_FIELDS: readonly string[] = ['url', 'idx', 'id'];

type Kind = 'tokens' | 'text';

function valueKind(value: unknown): Kind | null {
  if (typeof value === 'string') return 'text';
  if (Array.isArray(value) && value.every((t) => typeof t === 'string')) return 'tokens';
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The kind most sample records hold in `field`, or null when fewer than half hold a usable value. */
function fieldKind(sample: readonly Record<string, unknown>[], field: string): Kind | null {
  let tokens = 0;
  let text = 0;
  for (const record of sample) {
    const kind = valueKind(record[field]);
    if (kind === 'tokens') tokens++;
    else if (kind === 'text') text++;
  }
  // Half, not all: a few records with a null docstring must not hide the field; a field that only a few
  // records carry must not win over one that all carry.
  if (sample.length === 0 || 2 * (tokens + text) < sample.length) return null;
  return tokens >= text ? 'tokens' : 'text';
}

function pick(sample: readonly Record<string, unknown>[], names: readonly string[]): { name: string; kind: Kind } | null {
  for (const name of names) {
    const kind = fieldKind(sample, name);
    // A `*_tokens` field that holds one string is not a token list: in CoSQA `docstring_tokens` is the
    // function's docstring while the query is `doc`, so such a field must not be taken as the query.
    if (kind === null || (name.endsWith('_tokens') && kind !== 'tokens')) continue;
    return { name, kind };
  }
  return null;
}

function pickId(sample: readonly Record<string, unknown>[]): string | undefined {
  return ID_FIELDS.find((name) => {
    const usable = sample.filter((r) => ['string', 'number', 'bigint'].includes(typeof r[name])).length;
    return sample.length > 0 && 2 * usable >= sample.length;
  });
}

/** The first field of each priority list that at least half of the sample records hold, or null. */
export function detectFields(sample: Record<string, unknown>[]): FieldMapping | null {
  const records = sample.filter(isRecord);
  const code = pick(records, CODE_FIELDS);
  const query = pick(records, QUERY_FIELDS);
  if (code === null || query === null) return null;
  const id = pickId(records);
  const mapping = { code: code.name, query: query.name, codeIsTokens: code.kind === 'tokens', queryIsTokens: query.kind === 'tokens' };
  return id === undefined ? mapping : { ...mapping, id };
}

/** Field names seen in the sample, for messages. */
export function sampleFieldNames(sample: readonly Record<string, unknown>[]): string[] {
  const names = new Set<string>();
  for (const record of sample) for (const key of Object.keys(record)) names.add(key);
  return [...names].slice(0, 30);
}

function listNames(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.map((n) => `"${n}"`).join(', ');
}

/** A user's field choice made complete: token flags come from the sample when the user left them out. */
export function resolveMapping(
  selection: FieldSelection,
  sample: readonly Record<string, unknown>[],
  what: string,
  fieldNames: readonly string[] = sampleFieldNames(sample),
): FieldMapping {
  const kindOf = (role: string, field: string, given: boolean | undefined): boolean => {
    if (given !== undefined) return given;
    const records = sample.filter((r) => valueKind(r[field]) !== null);
    if (records.length === 0) {
      throw new DataError(
        `${what}: no record among the first ${sample.length} has text or a token list in the field "${field}" chosen for ` +
          `${role}. Fields found: ${listNames(fieldNames)}. Choose one of these.`,
      );
    }
    return fieldKind(records, field) === 'tokens';
  };
  const mapping = {
    code: selection.code,
    query: selection.query,
    codeIsTokens: kindOf('code', selection.code, selection.codeIsTokens),
    queryIsTokens: kindOf('the query', selection.query, selection.queryIsTokens),
  };
  return { ...mapping, ...(selection.id === undefined ? {} : { id: selection.id }), ...(selection.label === undefined ? {} : { label: selection.label }) };
}

/** The message for a sample in which detection found nothing. */
export function detectionFailure(what: string, fieldNames: readonly string[]): string {
  return (
    `${what}: could not tell which fields hold the code and the query. The records have the fields ` +
    `${listNames(fieldNames)}; expected code in one of ${listNames(CODE_FIELDS)} and the query in one of ` +
    `${listNames(QUERY_FIELDS)}. Choose the two fields by hand.`
  );
}

/** `a number`, `a list`, ... for messages about a value's type. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/** The field's text, or the reason it has none. */
function fieldText(record: Record<string, unknown>, field: string, isTokens: boolean, role: string): string | { reason: string } {
  const value = record[field];
  if (value === undefined || value === null) return { reason: `missing field "${field}"` };
  let text: string;
  if (isTokens) {
    if (!Array.isArray(value)) return { reason: `field "${field}" is ${describeValue(value)}, expected a list of strings` };
    const bad = value.findIndex((t) => typeof t !== 'string');
    if (bad >= 0) return { reason: `field "${field}" has ${describeValue(value[bad])} at position ${bad}, expected strings` };
    text = value.join(' ');
  } else {
    if (typeof value !== 'string') return { reason: `field "${field}" is ${describeValue(value)}, expected a string` };
    text = value;
  }
  if (text.trim() === '') return { reason: `empty ${role} (field "${field}")` };
  return text;
}

function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** One record as an example, or the reason it was skipped. */
export function extractExample(record: unknown, line: number, mapping: FieldMapping): Example | { reason: string } {
  if (!isRecord(record)) return { reason: `not a JSON object (${describeValue(record)})` };
  const code = fieldText(record, mapping.code, mapping.codeIsTokens, 'code');
  if (typeof code !== 'string') return code;
  const query = fieldText(record, mapping.query, mapping.queryIsTokens, 'query');
  if (typeof query !== 'string') return query;
  // The id only names the pair; a record without one is still a usable example. A label is the point of a
  // labelled record: one without it is skipped.
  const id = mapping.id === undefined ? undefined : idText(record[mapping.id]);
  const label = mapping.label === undefined ? undefined : labelText(record[mapping.label]);
  if (mapping.label !== undefined && label === undefined) {
    const value = record[mapping.label];
    return { reason: value === undefined ? `missing label field "${mapping.label}"` : `the label field "${mapping.label}" is ${describeValue(value)}${typeof value === 'string' ? ' that is empty or too long' : ''}, expected a class name, number or boolean` };
  }
  return { code, query, line, ...(id === undefined ? {} : { id }), ...(label === undefined ? {} : { label }) };
}

/** Labels longer than this are not class names: such a record is refused rather than kept as a class. */
const MAX_LABEL_CHARS = 200;

function labelText(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  return text !== undefined && text.length > 0 && text.length <= MAX_LABEL_CHARS ? text : undefined;
}
