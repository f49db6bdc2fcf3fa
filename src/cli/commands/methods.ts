/** `methods`: every PEFT method with its fields, defaults and help, from the methods' own schemas. */
import { methodsMarkdown, methodsText } from '../../engine/peft/docs';
import { FlagReader, parseFlags } from '../args';

export const METHODS_HELP = `npm run lab -- methods [--markdown]
  Lists every PEFT method the lab has, with each field's type, default, bounds and meaning (the same schema
  the dashboard and the --peft-config parser use). --markdown prints the reference in docs/PEFT_CONFIG.md.`;

const FLAGS = { markdown: { type: 'boolean' } } as const;

export function methods(argv: readonly string[]): void {
  const f = new FlagReader(parseFlags(argv, FLAGS, 'methods'), 'methods');
  process.stdout.write(`${f.bool('markdown') ? methodsMarkdown() : `PEFT methods (combine them in "methods": [...], docs/PEFT_CONFIG.md):\n${methodsText()}`}\n`);
}
