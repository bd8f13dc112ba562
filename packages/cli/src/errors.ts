import { AtcError } from '@adaptive-trend/core';

/** A problem the user can fix (a file that cannot be read, a bad argument): printed as one line. */
export class CliError extends Error {
  /** Process exit code: 2 for usage errors, 1 for everything else. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Why reading `path` failed, in words (Node's errno codes → what the user should know). */
export function describeReadError(path: string, error: unknown): CliError {
  const code = (error as { code?: string }).code;
  const reason =
    code === 'ENOENT' ? 'no such file'
    : code === 'EISDIR' ? 'is a directory, not a CSV file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : (error as Error).message;
  return new CliError(`cannot read ${path}: ${reason}`);
}

/**
 * The one line printed for an error that ends the command, and its exit code. Expected errors
 * (the library's typed errors, {@link CliError}) print their message; anything else is a bug,
 * printed as one line too, with the hint to rerun with `ATC_DEBUG=1` for the stack.
 */
export function formatFatal(error: unknown, env: Readonly<Record<string, string | undefined>> = process.env): { line: string; exitCode: number } {
  if (error instanceof CliError) return { line: `adaptive-trend: ${error.message}`, exitCode: error.exitCode };
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  if (error instanceof AtcError) return { line: `adaptive-trend: ${first}`, exitCode: 1 };
  if (env.ATC_DEBUG) return { line: `adaptive-trend: internal error: ${(error as Error)?.stack ?? first}`, exitCode: 1 };
  return { line: `adaptive-trend: internal error: ${first} (rerun with ATC_DEBUG=1 for details)`, exitCode: 1 };
}
