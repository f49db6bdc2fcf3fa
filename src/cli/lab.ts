/** The CLI's entry point (bundled to dist/cli/lab.js): run, then exit with the command's code. */
import { runCli } from './main';

runCli(process.argv.slice(2)).then((code) => process.exit(code));
