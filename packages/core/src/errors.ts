/** Machine-readable reason of an {@link AtcInputError}. Stable across releases and backends. */
export type AtcInputErrorCode =
  | 'INVALID_TYPE'
  | 'EMPTY_SERIES'
  | 'SERIES_TOO_SHORT'
  | 'NON_FINITE_VALUE'
  | 'NON_POSITIVE_PRICE'
  | 'INVALID_LENGTH'
  | 'LENGTH_MISMATCH'
  | 'OUT_OF_RANGE'
  | 'INVALID_ROBUSTNESS'
  /** `config.semantics` is not 'reference' or 'pine'. */
  | 'INVALID_SEMANTICS'
  /** The backend does not implement the chosen `config.semantics` (checked before dispatch). */
  | 'UNSUPPORTED_SEMANTICS'
  | 'INVALID_CUTOUT'
  | 'UNKNOWN_CONFIG_KEY'
  | 'INVALID_OPTION'
  | 'DETACHED_BUFFER'
  | 'OVERLAPPING_BUFFERS'
  /** The growth `exp(lambda/1000 · i)` or an equity it scales stops being finite (field `config.lambda`, `index` = the bar). */
  | 'GROWTH_OVERFLOW'
  /** A stream snapshot that is truncated, corrupted, from a newer format or inconsistent with its config (field `snapshot`). */
  | 'INVALID_SNAPSHOT'
  /** A snapshot restored into a stream (or with an expected config) of another config (field `snapshot`). */
  | 'SNAPSHOT_CONFIG_MISMATCH'
  /** The backend has no streaming (`Backend.createStream`). */
  | 'UNSUPPORTED_STREAMING'
  /** `replaceLast` on a stream that has no bar yet. */
  | 'EMPTY_STREAM'
  /** A stream used after `dispose()`. */
  | 'DISPOSED_STREAM'
  /**
   * What a `compute` must allocate exceeds a limit (a JS typed array's maximum length, or the
   * backend's memory: wasm's 4 GiB) — checked before computing; the message names the limit
   * and how to get the result (usually: without `details`). Field `prices` (or `series[i]`).
   */
  | 'SERIES_TOO_LONG';

/** Base class of every error this library throws on purpose. */
export class AtcError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Bad input: a series, a length or a config value the library refuses. The same input gives
 * the same `code` and `field` on every backend.
 *
 * @example
 * ```ts
 * try { engine.compute(new Float64Array(0)); }
 * catch (e) { if (e instanceof AtcInputError) console.log(e.code, e.field); } // EMPTY_SERIES prices
 * ```
 */
export class AtcInputError extends AtcError {
  /** What is wrong. */
  readonly code: AtcInputErrorCode;
  /** The argument or config key at fault, e.g. `prices`, `config.emaLength`. */
  readonly field: string;
  /** Index of the offending element, when the problem is one element of a series. */
  readonly index: number | undefined;

  constructor(code: AtcInputErrorCode, field: string, message: string, index?: number, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.code = code;
    this.field = field;
    this.index = index;
  }
}

/** One backend that could not be loaded, and why. */
export interface BackendLoadFailure {
  readonly backend: string;
  readonly error: unknown;
}

/** No usable backend (an explicitly requested backend failed, or every candidate of 'auto' failed). */
export class AtcBackendError extends AtcError {
  readonly failures: readonly BackendLoadFailure[];

  constructor(message: string, failures: readonly BackendLoadFailure[]) {
    const reasons = failures.map((f) => `  - ${f.backend}: ${f.error instanceof Error ? f.error.message.replace(/\n/g, '\n    ') : String(f.error)}`);
    super(`${message}\n${reasons.join('\n')}`, {
      cause: failures[0]?.error,
    });
    this.failures = failures;
  }
}

/** A one-line description of any thrown value, for error messages and warnings. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
