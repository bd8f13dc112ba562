import { writeFileSync } from 'node:fs';
import { CliError } from './errors.js';

/** Writes a command's output to `--out FILE`, or to standard output. */
export function writeOutput(text: string, out?: string): void {
  const body = text.endsWith('\n') || text === '' ? text : `${text}\n`;
  if (!out) {
    process.stdout.write(body);
    return;
  }
  try {
    writeFileSync(out, body);
  } catch (error) {
    throw new CliError(`cannot write ${out}: ${(error as Error).message}`);
  }
}
