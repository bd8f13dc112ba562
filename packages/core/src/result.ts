import type { AtcBuffers, BackendName } from './backend.js';
import type { ResolvedAtcConfig } from './config.js';
import { entrySignals } from './entries.js';
import { FAMILIES, type Family, type FamilyRecord, LENGTHS_PER_FAMILY, REFERENCE_FAMILY_NAMES } from './families.js';

/** The reference's 13 output names. */
export type ReferenceOutputName =
  | 'EMA_Signal' | 'HMA_Signal' | 'WMA_Signal' | 'DEMA_Signal' | 'LSMA_Signal' | 'KAMA_Signal'
  | 'EMA_S' | 'HMA_S' | 'WMA_S' | 'DEMA_S' | 'LSMA_S' | 'KAMA_S'
  | 'Average_Signal';

/** `result.toRecord()`: the reference's dict, keyed by its 13 names. */
export type AtcRecord = Record<ReferenceOutputName, Float64Array>;

/** The 13 names in the reference's dict order. */
export const REFERENCE_OUTPUT_NAMES: readonly ReferenceOutputName[] = [
  ...FAMILIES.flatMap((f) => [`${REFERENCE_FAMILY_NAMES[f]}_Signal`, `${REFERENCE_FAMILY_NAMES[f]}_S`]),
  'Average_Signal',
] as ReferenceOutputName[];

/** Per-MA internals, for charts and debugging (`compute(prices, config, { details: true })`). */
export interface AtcDetails {
  /** The nine lengths of each family, in the reference's order. */
  readonly lengths: FamilyRecord<readonly number[]>;
  /** MA values after cutout, one array per length. */
  readonly movingAverages: FamilyRecord<readonly Float64Array[]>;
  /** Persistent crossover signal of each MA. */
  readonly maSignals: FamilyRecord<readonly Int8Array[]>;
  /** Layer-1 equity curve of each MA's signal. */
  readonly maEquities: FamilyRecord<readonly Float64Array[]>;
}

function rows<T extends Float64Array | Int8Array>(buffer: T, family: number, m: number): T[] {
  return Array.from({ length: LENGTHS_PER_FAMILY }, (_, k) => {
    const start = (family * LENGTHS_PER_FAMILY + k) * m;
    return buffer.subarray(start, start + m) as T;
  });
}

function perFamily<T>(make: (family: Family, index: number) => T): FamilyRecord<T> {
  const out = {} as FamilyRecord<T>;
  FAMILIES.forEach((family, i) => {
    out[family] = make(family, i);
  });
  return out;
}

/**
 * The result of one ATC computation. Series are `Float64Array` views of `n − cutout` bars
 * (reference semantics) or of all `n` bars, NaN before the cutout (`semantics: 'pine'`).
 *
 * | property | reference key |
 * |---|---|
 * | `signals.ema` … `signals.kama` | `EMA_Signal` … `KAMA_Signal` (Layer 1) |
 * | `equities.ema` … `equities.kama` | `EMA_S` … `KAMA_S` (Layer 2) |
 * | `averageSignal` | `Average_Signal` |
 *
 * @example
 * ```ts
 * const result = engine.compute(closes);
 * result.averageSignal.at(-1);      // latest Average_Signal
 * result.toRecord().EMA_Signal;     // the reference's names
 * ```
 */
export class AtcResult {
  /** Number of bars (n − cutout; n with `semantics: 'pine'`). */
  readonly length: number;
  /** Layer-1 signal per family, in [−1, 1], rounded to 0.01. */
  readonly signals: FamilyRecord<Float64Array>;
  /** Layer-2 equity per family (≥ 0.25). */
  readonly equities: FamilyRecord<Float64Array>;
  /** Average_Signal in [−1, 1]. */
  readonly averageSignal: Float64Array;
  /** Per-MA internals when requested, else undefined. */
  readonly details: AtcDetails | undefined;
  /** The backend that computed this result. */
  readonly backend: BackendName;
  /** The config it was computed with. */
  readonly config: ResolvedAtcConfig;

  constructor(buffers: AtcBuffers, bars: number, config: ResolvedAtcConfig, backend: BackendName) {
    const { outputs } = buffers;
    const row = (r: number) => outputs.subarray(r * bars, (r + 1) * bars);
    this.length = bars;
    this.config = config;
    this.backend = backend;
    this.signals = perFamily((_, i) => row(i));
    this.equities = perFamily((_, i) => row(6 + i));
    this.averageSignal = row(12);
    const { movingAverages, maSignals, maEquities } = buffers;
    this.details =
      movingAverages && maSignals && maEquities
        ? {
            lengths: config.lengths,
            movingAverages: perFamily((_, i) => rows(movingAverages, i, bars)),
            maSignals: perFamily((_, i) => rows(maSignals, i, bars)),
            maEquities: perFamily((_, i) => rows(maEquities, i, bars)),
          }
        : undefined;
  }

  /** A plain object keyed exactly by the reference's 13 output names. */
  toRecord(): AtcRecord {
    const record = {} as AtcRecord;
    for (const family of FAMILIES) {
      const name = REFERENCE_FAMILY_NAMES[family];
      record[`${name}_Signal` as ReferenceOutputName] = this.signals[family];
      record[`${name}_S` as ReferenceOutputName] = this.equities[family];
    }
    record.Average_Signal = this.averageSignal;
    return record;
  }

  /** Sign of Average_Signal per bar: +1 long, −1 short, 0 flat (reference `trend_sign`). */
  trend(): Int8Array {
    return trendSign(this.averageSignal);
  }

  /**
   * Entry events per bar, +1 long / −1 short / 0, by the original indicator's rule (its arrows
   * and alerts; {@link entrySignals}): Average_Signal crossing above `longThreshold` while
   * the remembered direction was short, or below `shortThreshold` while it was long. With
   * `'pine'`, `strategyMode` shifts the events one bar (the script's Strategy View). With
   * `'reference'` the same rule runs on the reference's Average_Signal, unshifted: its
   * strategy mode has already shifted Average_Signal itself.
   *
   * @example
   * ```ts
   * const entries = engine.compute(closes, { semantics: 'pine' }).entries();
   * entries.at(-1); // 1 = go long on the last bar
   * ```
   */
  entries(): Int8Array {
    const strategy = this.config.strategyMode && this.config.semantics === 'pine';
    return entrySignals(this.averageSignal, this.config.longThreshold, this.config.shortThreshold, strategy);
  }
}

/** Sign of each value; NaN gives 0. */
export function trendSign(values: Float64Array): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = v > 0 ? 1 : v < 0 ? -1 : 0;
  }
  return out;
}
