import type { CreateAtcOptions } from '@adaptive-trend/core';
import { CommanderError, buildProgram, commanderOutcome } from './program.js';

export { formatLastBar } from './commands/summary.js';

/**
 * Runs `adaptive-trend` with `args` (without `node` and the script). `options` are the
 * defaults for `createAtc` (a `--backend` flag overrides them). Returns the exit code; an
 * expected error is thrown (a `CliError` or the library's typed errors) for the caller to print.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['compute', 'prices.csv', '--format', 'json']);
 * ```
 */
export async function runCli(args: readonly string[], options: CreateAtcOptions = {}): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(options, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderOutcome(error);
    throw error;
  }
  return exitCode;
}
