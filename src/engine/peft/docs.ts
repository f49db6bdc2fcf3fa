/**
 * The methods' reference, generated from their schemas: the table in docs/PEFT_CONFIG.md (a test keeps the
 * file current) and `lab methods` print the same fields, defaults and help.
 */
import { METHOD_TYPES, moduleOf } from './registry';
import { fieldDoc } from './schema';

export const DOC_START = '<!-- methods: generated from src/engine/peft/*/ by `npm run lab -- methods --markdown`; do not edit -->';
export const DOC_END = '<!-- methods: end -->';

/** One markdown section per method: its help, then one bullet per field. */
export function methodsMarkdown(): string {
  const sections = METHOD_TYPES.map((type) => {
    const m = moduleOf(type);
    const fields = m.fields.length === 0 ? ['- no fields'] : m.fields.map((f) => `- ${fieldDoc(f)}`);
    return [`### \`${type}\` — ${m.label}`, '', m.help, '', ...fields].join('\n');
  });
  return [DOC_START, '', ...sections.flatMap((s) => [s, '']), DOC_END].join('\n');
}

/** The same reference as plain text for a terminal. */
export function methodsText(): string {
  return METHOD_TYPES.map((type) => {
    const m = moduleOf(type);
    const fields = m.fields.map((f) => `    ${fieldDoc(f).replace(/`/g, '')}`);
    return [`  ${type.padEnd(10)} ${m.label}: ${m.help}`, ...fields].join('\n');
  }).join('\n');
}
