import { AtcInputError } from './errors.js';
import { requireGrowthInRange } from './growth.js';
import { FAMILIES, type Family, type FamilyRecord, ROBUSTNESS, type Robustness, familyLengths, largestOffset } from './families.js';
import { type Semantics, requireSemantics } from './semantics.js';

/**
 * ATC parameters. Defaults are identical to the reference (`compute_atc_signals`); see
 * {@link DEFAULT_CONFIG}. Lengths are the *base* lengths; each family uses nine lengths around
 * its base (see {@link familyLengths}).
 */
export interface AtcConfig {
  /** Base EMA length (reference `ema_len`). */
  emaLength: number;
  /** Base Hull MA length (reference `hull_len`). */
  hmaLength: number;
  /** Base WMA length (reference `wma_len`). */
  wmaLength: number;
  /** Base DEMA length (reference `dema_len`). */
  demaLength: number;
  /** Base LSMA (linear regression) length (reference `lsma_len`). */
  lsmaLength: number;
  /** Base KAMA length (reference `kama_len`). */
  kamaLength: number;
  /** Layer-2 starting equity of each family (reference `ema_w` …); > 0, values ≤ 0.25 act as 0.25. */
  emaWeight: number;
  hmaWeight: number;
  wmaWeight: number;
  demaWeight: number;
  lsmaWeight: number;
  kamaWeight: number;
  /** Spread of the nine lengths. */
  robustness: Robustness;
  /** Growth λ in user units (reference `La`, 0.005–0.5); used as λ/1000. */
  lambda: number;
  /** Decay in percent (reference `De`, 0.01–0.25); used as 1 − decay/100 per bar. */
  decay: number;
  /** Bars dropped from the start after the MAs are computed (reference G2 slicing). */
  cutout: number;
  /** Layer-1 values above this count as long in Average_Signal. */
  longThreshold: number;
  /** Layer-1 values below this count as short in Average_Signal. */
  shortThreshold: number;
  /**
   * Reference: shift Average_Signal one bar right (bar 0 becomes 0), as the reference's
   * strategy mode. Pine: the script's Strategy View, which shifts only the entry events.
   */
  strategyMode: boolean;
  /**
   * Whose arithmetic: `'reference'` (the Python reference, default) or `'pine'` (the original
   * TradingView indicator, full-length outputs; see `SEMANTICS`).
   */
  semantics: Semantics;
}

/** Partial config as users pass it: every key optional, unknown keys rejected. */
export type AtcConfigInput = Partial<AtcConfig>;

/** The reference's defaults. */
export const DEFAULT_CONFIG: Readonly<AtcConfig> = Object.freeze({
  emaLength: 28,
  hmaLength: 28,
  wmaLength: 28,
  demaLength: 28,
  lsmaLength: 28,
  kamaLength: 28,
  emaWeight: 1.0,
  hmaWeight: 1.0,
  wmaWeight: 1.0,
  demaWeight: 1.0,
  lsmaWeight: 1.0,
  kamaWeight: 1.0,
  robustness: 'Medium',
  lambda: 0.02,
  decay: 0.03,
  cutout: 0,
  longThreshold: 0.1,
  shortThreshold: -0.1,
  strategyMode: false,
  semantics: 'reference',
});

/** Ranges of the original indicator's inputs (Pine), enforced here. */
export const LAMBDA_RANGE = [0.005, 0.5] as const;
export const DECAY_RANGE = [0.01, 0.25] as const;

/** A validated config plus what is derived from it. Backends receive this. */
export interface ResolvedAtcConfig extends Readonly<AtcConfig> {
  /** The nine lengths of each family, in the reference's order. */
  readonly lengths: Readonly<FamilyRecord<readonly number[]>>;
  /** Longest MA length that needs `n ≥ length` (KAMA is defined for any n, as in the reference). */
  readonly minimumBars: number;
}

const LENGTH_KEY: FamilyRecord<keyof AtcConfig> = {
  ema: 'emaLength',
  hma: 'hmaLength',
  wma: 'wmaLength',
  dema: 'demaLength',
  lsma: 'lsmaLength',
  kama: 'kamaLength',
};
const WEIGHT_KEY: FamilyRecord<keyof AtcConfig> = {
  ema: 'emaWeight',
  hma: 'hmaWeight',
  wma: 'wmaWeight',
  dema: 'demaWeight',
  lsma: 'lsmaWeight',
  kama: 'kamaWeight',
};

/**
 * λ as the kernels use it: the user value divided by 1000 (the reference's `La/1000`).
 *
 * @example
 * ```ts
 * scaledLambda({ lambda: 0.02 }); // 0.00002
 * ```
 */
export function scaledLambda(config: Pick<AtcConfig, 'lambda'>): number {
  return config.lambda / 1000.0;
}

/**
 * Per-bar equity multiplier `1 − decay/100` (the reference's `1 − De/100`).
 *
 * @example
 * ```ts
 * decayMultiplier({ decay: 0.03 }); // 0.9997
 * ```
 */
export function decayMultiplier(config: Pick<AtcConfig, 'decay'>): number {
  return 1.0 - config.decay / 100.0;
}

/**
 * Checks a decay exactly as `resolveConfig({ decay })` does (same error: `config.decay`), without
 * resolving a whole config (~30 µs per call: `engine.equityCurve` runs this on every call).
 *
 * @example
 * ```ts
 * requireDecay(0.03); // 0.03
 * ```
 */
export function requireDecay(decay: unknown): number {
  return inRange('config.decay', decay, DECAY_RANGE);
}

/** Base length of a family (`config.emaLength` …). */
export function baseLength(config: AtcConfig, family: Family): number {
  return config[LENGTH_KEY[family]] as number;
}
/** Layer-2 starting equity of a family (`config.emaWeight` …). */
export function familyWeight(config: AtcConfig, family: Family): number {
  return config[WEIGHT_KEY[family]] as number;
}

/** Lengths above this are refused outright (they could never fit in memory as a series). */
const MAX_LENGTH = 2 ** 30;

function finite(field: string, value: unknown): number {
  if (typeof value !== 'number') throw new AtcInputError('INVALID_TYPE', field, `must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new AtcInputError('NON_FINITE_VALUE', field, `must be finite, got ${value}`);
  return value;
}

function inRange(field: string, value: unknown, [lo, hi]: readonly [number, number]): number {
  const v = finite(field, value);
  if (v < lo || v > hi) throw new AtcInputError('OUT_OF_RANGE', field, `must be within [${lo}, ${hi}], got ${v}`);
  return v;
}

function checkLength(family: Family, value: unknown, robustness: Robustness, semantics: Semantics): number[] {
  const field = `config.${LENGTH_KEY[family]}`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LENGTH) {
    throw new AtcInputError('INVALID_LENGTH', field, `must be an integer in [1, ${MAX_LENGTH}], got ${String(value)}`);
  }
  const lengths = familyLengths(value, robustness);
  // HMA needs a half length ⌊L/2⌋ ≥ 1; the reference silently swaps in pandas_ta's default 10
  // for a half length of 0, which we refuse instead (reference-notes Q8).
  // Pine's "HMA" family is an SMA: any length ≥ 1.
  const minimum = family === 'hma' && semantics === 'reference' ? 2 : 1;
  const shortest = value - largestOffset(robustness);
  if (shortest < minimum) {
    throw new AtcInputError(
      'INVALID_LENGTH',
      field,
      `robustness ${robustness} derives length ${shortest} from base ${value}; every derived length must be ≥ ${minimum} (use a base ≥ ${minimum + largestOffset(robustness)})`,
    );
  }
  return lengths;
}

/**
 * Validates a user config (merged over {@link DEFAULT_CONFIG}) and derives the nine lengths
 * per family. Throws {@link AtcInputError} naming the offending key. The series-dependent
 * checks (cutout < n, n ≥ longest length) happen in {@link checkConfigAgainstSeries}.
 *
 * @example
 * ```ts
 * const cfg = resolveConfig({ robustness: 'Wide', cutout: 100 });
 * cfg.lengths.ema; // [28, 29, 31, 33, 35, 27, 25, 23, 21]
 * ```
 */
export function resolveConfig(input?: AtcConfigInput | ResolvedAtcConfig): ResolvedAtcConfig {
  // Configs this function produced are frozen and valid: reuse them as they are (hot path of
  // repeated compute calls); undefined means the defaults, resolved once.
  if (input === undefined) return (defaultResolved ??= remember(resolveFresh({})));
  if (resolvedConfigs.has(input as ResolvedAtcConfig)) return input as ResolvedAtcConfig;
  return remember(resolveFresh(input));
}

function remember(config: ResolvedAtcConfig): ResolvedAtcConfig {
  resolvedConfigs.add(config);
  return config;
}

const resolvedConfigs = new WeakSet<ResolvedAtcConfig>();
let defaultResolved: ResolvedAtcConfig | undefined;

/**
 * A plain object: made by `{}`, `JSON.parse` or `Object.create(null)` (in any realm). Maps,
 * arrays, class instances and boxed values are not configs, even though property reads on
 * them would "work" and silently give the defaults.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  if (Array.isArray(value)) return 'an array';
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype';
}

/** Keys a config may carry: the {@link AtcConfig} keys, plus what a resolved config adds. */
const isConfigKey = (key: string): boolean => Object.hasOwn(DEFAULT_CONFIG, key) || key === 'lengths' || key === 'minimumBars';

function resolveFresh(input: AtcConfigInput | ResolvedAtcConfig): ResolvedAtcConfig {
  if (!isPlainObject(input)) {
    throw new AtcInputError('INVALID_TYPE', 'config', `must be a plain object of ATC parameters, got ${describeType(input)}`);
  }
  // Own keys only, everywhere: nothing is read through the prototype chain, so
  // `{ constructor: 1 }` or an own `__proto__` key is refused rather than ignored.
  for (const key of Object.keys(input)) {
    if (!isConfigKey(key)) {
      throw new AtcInputError('UNKNOWN_CONFIG_KEY', `config.${key}`, `unknown config key (known: ${Object.keys(DEFAULT_CONFIG).join(', ')})`);
    }
  }
  const merged: AtcConfig = { ...DEFAULT_CONFIG };
  for (const key of Object.keys(DEFAULT_CONFIG) as (keyof AtcConfig)[]) {
    const value = Object.hasOwn(input, key) ? input[key] : undefined;
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  if (!(ROBUSTNESS as readonly unknown[]).includes(merged.robustness)) {
    throw new AtcInputError('INVALID_ROBUSTNESS', 'config.robustness', `must be one of ${ROBUSTNESS.join(', ')}, got ${String(merged.robustness)}`);
  }
  requireSemantics(merged.semantics);
  const lengths = {} as FamilyRecord<readonly number[]>;
  let minimumBars = 1;
  for (const family of FAMILIES) {
    const familyLens = checkLength(family, merged[LENGTH_KEY[family]], merged.robustness, merged.semantics);
    lengths[family] = Object.freeze(familyLens);
    if (family !== 'kama') minimumBars = Math.max(minimumBars, ...familyLens);
    const weight = finite(`config.${WEIGHT_KEY[family]}`, merged[WEIGHT_KEY[family]]);
    if (weight <= 0) throw new AtcInputError('OUT_OF_RANGE', `config.${WEIGHT_KEY[family]}`, `must be > 0, got ${weight}`);
  }
  inRange('config.lambda', merged.lambda, LAMBDA_RANGE);
  inRange('config.decay', merged.decay, DECAY_RANGE);
  const long = finite('config.longThreshold', merged.longThreshold);
  const short = finite('config.shortThreshold', merged.shortThreshold);
  if (short > long) {
    throw new AtcInputError('OUT_OF_RANGE', 'config.shortThreshold', `must be ≤ longThreshold (${long}), got ${short}`);
  }
  if (typeof merged.cutout !== 'number' || !Number.isInteger(merged.cutout) || merged.cutout < 0) {
    throw new AtcInputError('INVALID_CUTOUT', 'config.cutout', `must be a non-negative integer, got ${String(merged.cutout)}`);
  }
  if (typeof merged.strategyMode !== 'boolean') {
    throw new AtcInputError('INVALID_TYPE', 'config.strategyMode', `must be a boolean, got ${typeof merged.strategyMode}`);
  }
  requireDerivedKeysMatch(input, lengths, minimumBars);
  return Object.freeze({ ...merged, lengths: Object.freeze(lengths), minimumBars });
}

/**
 * `lengths` and `minimumBars` are derived, never inputs: they are accepted (a resolved config
 * that lost its identity, e.g. structured-cloned into a worker, resolves again) only when
 * they equal what the base lengths derive, so a hand-edited `lengths` is not silently ignored.
 */
function requireDerivedKeysMatch(input: Record<string, unknown>, lengths: FamilyRecord<readonly number[]>, minimumBars: number): void {
  if (Object.hasOwn(input, 'minimumBars') && input.minimumBars !== minimumBars) {
    throw new AtcInputError('UNKNOWN_CONFIG_KEY', 'config.minimumBars', `is derived (${minimumBars} here), not an input; leave it out`);
  }
  if (!Object.hasOwn(input, 'lengths')) return;
  const given = input.lengths as Record<string, unknown> | null;
  const same =
    given !== null &&
    typeof given === 'object' &&
    Object.keys(given).length === FAMILIES.length &&
    FAMILIES.every((f) => {
      const row = Object.hasOwn(given, f) ? given[f] : undefined;
      return Array.isArray(row) && row.length === lengths[f].length && row.every((v, k) => v === lengths[f][k]);
    });
  if (!same) {
    throw new AtcInputError('UNKNOWN_CONFIG_KEY', 'config.lengths', 'is derived from the base lengths and robustness, not an input; set emaLength … kamaLength instead');
  }
}

/**
 * Checks the parts of a config that depend on the series length `n`: cutout < n, n ≥ the
 * longest MA length, and the growth rule (`exp(lambda/1000 · i)` finite over the `n − cutout`
 * output bars, else `GROWTH_OVERFLOW`; see docs/input-contract.md).
 *
 * @example
 * ```ts
 * checkConfigAgainstSeries(resolveConfig({ lambda: 0.5 }), 2_000_000); // throws GROWTH_OVERFLOW
 * ```
 */
export function checkConfigAgainstSeries(config: ResolvedAtcConfig, n: number, field = 'prices'): void {
  if (config.cutout >= n) {
    throw new AtcInputError('INVALID_CUTOUT', 'config.cutout', `must be < the series length ${n}, got ${config.cutout}`);
  }
  if (n < config.minimumBars) {
    throw new AtcInputError(
      'SERIES_TOO_SHORT',
      field,
      `has ${n} bars but the longest moving average needs ${config.minimumBars} (reduce the lengths or pass more bars)`,
    );
  }
  requireGrowthInRange(config, n, field);
}

/** Reference (Python) parameter names, as in `compute_atc_signals(**params)` and the golden fixtures. */
export interface ReferenceParams {
  ema_len?: number;
  hull_len?: number;
  wma_len?: number;
  dema_len?: number;
  lsma_len?: number;
  kama_len?: number;
  ema_w?: number;
  hma_w?: number;
  wma_w?: number;
  dema_w?: number;
  lsma_w?: number;
  kama_w?: number;
  robustness?: string;
  La?: number;
  De?: number;
  cutout?: number;
  long_threshold?: number;
  short_threshold?: number;
  strategy_mode?: boolean;
  /** The Pine script's input names for the same settings (its `La`, `De`, `*_len`, `*_w` are shared). */
  Long_threshold?: number;
  Short_threshold?: number;
  strategy?: boolean;
}

const REFERENCE_KEYS: Record<keyof ReferenceParams, keyof AtcConfig> = {
  ema_len: 'emaLength',
  hull_len: 'hmaLength',
  wma_len: 'wmaLength',
  dema_len: 'demaLength',
  lsma_len: 'lsmaLength',
  kama_len: 'kamaLength',
  ema_w: 'emaWeight',
  hma_w: 'hmaWeight',
  wma_w: 'wmaWeight',
  dema_w: 'demaWeight',
  lsma_w: 'lsmaWeight',
  kama_w: 'kamaWeight',
  robustness: 'robustness',
  La: 'lambda',
  De: 'decay',
  cutout: 'cutout',
  long_threshold: 'longThreshold',
  short_threshold: 'shortThreshold',
  strategy_mode: 'strategyMode',
  Long_threshold: 'longThreshold',
  Short_threshold: 'shortThreshold',
  strategy: 'strategyMode',
};

/**
 * Translates the reference's keyword names (`ema_len`, `hull_len`, `La`, …) to an
 * {@link AtcConfigInput}; the Pine script's input names (`Long_threshold`,
 * `Short_threshold`, `strategy`, and the shared `La`, `De`, `cutout`, `robustness`, `*_len`,
 * `*_w`) are accepted too. Unknown keys, and two names of one setting, are rejected.
 *
 * @example
 * ```ts
 * engine.compute(prices, fromReferenceParams({ hull_len: 20, La: 0.1 }));
 * ```
 */
export function fromReferenceParams(params: ReferenceParams): AtcConfigInput {
  if (!isPlainObject(params)) {
    throw new AtcInputError('INVALID_TYPE', 'params', `must be a plain object of reference parameters, got ${describeType(params)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const mapped = Object.hasOwn(REFERENCE_KEYS, key) ? REFERENCE_KEYS[key as keyof ReferenceParams] : undefined;
    if (!mapped) throw new AtcInputError('UNKNOWN_CONFIG_KEY', `params.${key}`, 'unknown reference parameter');
    if (Object.hasOwn(out, mapped)) throw new AtcInputError('INVALID_OPTION', `params.${key}`, `sets ${mapped} a second time (another name of the same setting is given)`);
    out[mapped] = value;
  }
  return out as AtcConfigInput;
}

/** Number of slots of {@link packConfig}'s output. */
export const PACKED_CONFIG_LENGTH = 20;

/**
 * Packs a resolved config into the Float64Array layout the Rust backends read:
 * `[0..5]` base lengths (EMA, HMA, WMA, DEMA, LSMA, KAMA), `[6..11]` weights, `[12]`
 * robustness (0 Narrow, 1 Medium, 2 Wide), `[13]` lambda (user units), `[14]` decay
 * (percent), `[15]` cutout, `[16]` long threshold, `[17]` short threshold, `[18]` strategy mode,
 * `[19]` semantics (0 reference, 1 pine).
 */
export function packConfig(config: ResolvedAtcConfig, out = new Float64Array(PACKED_CONFIG_LENGTH)): Float64Array {
  FAMILIES.forEach((family, i) => {
    out[i] = baseLength(config, family);
    out[6 + i] = familyWeight(config, family);
  });
  out[12] = ROBUSTNESS.indexOf(config.robustness);
  out[13] = config.lambda;
  out[14] = config.decay;
  out[15] = config.cutout;
  out[16] = config.longThreshold;
  out[17] = config.shortThreshold;
  out[18] = config.strategyMode ? 1 : 0;
  out[19] = config.semantics === 'pine' ? 1 : 0;
  return out;
}

/**
 * The config input a {@link packConfig} array was made from (inverse of `packConfig`, for
 * stream snapshots). Slots that name a choice must hold one of its indices; everything else is
 * checked by `resolveConfig`.
 *
 * @example
 * ```ts
 * resolveConfig(unpackConfig(packConfig(resolveConfig({ lambda: 0.05 })))).lambda; // 0.05
 * ```
 */
export function unpackConfig(packed: Float64Array): AtcConfigInput {
  const choice = <T>(slot: number, options: readonly T[], what: string): T => {
    const v = packed[slot]!;
    if (!Number.isInteger(v) || v < 0 || v >= options.length) throw new AtcInputError('INVALID_OPTION', what, `packed slot ${slot} holds ${v}`);
    return options[v]!;
  };
  const out: Record<string, unknown> = {
    robustness: choice(12, ROBUSTNESS, 'config.robustness'),
    lambda: packed[13],
    decay: packed[14],
    cutout: packed[15],
    longThreshold: packed[16],
    shortThreshold: packed[17],
    strategyMode: choice(18, [false, true], 'config.strategyMode'),
    semantics: choice(19, ['reference', 'pine'] as const, 'config.semantics'),
  };
  FAMILIES.forEach((family, i) => {
    out[LENGTH_KEY[family]] = packed[i];
    out[WEIGHT_KEY[family]] = packed[6 + i];
  });
  return out as AtcConfigInput;
}
