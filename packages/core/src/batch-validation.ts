// computeBatch's validation of every series before anything runs: each one as `compute`
// validates it (the first bad one throws, its field `series[i]`), or everything but the scan
// of the values when the backend's batch threads do that scan (batch.ts canDeferPriceScan).
import { type ResolvedAtcConfig, checkConfigAgainstSeries } from './config.js';
import { type SeriesInput, toFloat64, toPrices } from './series.js';

const label = (i: number) => `series[${i}]`;

/**
 * Every series as a Float64Array, validated in order as `compute` validates one (prices,
 * then the config against its length): throws the first bad series' {@link AtcInputError}.
 *
 * @example
 * ```ts
 * const prices = validateSeries([closesA, closesB], resolveConfig({})); // throws for series[1] if it is bad
 * ```
 */
export function validateSeries(series: readonly SeriesInput[], config: ResolvedAtcConfig): Float64Array[] {
  return series.map((s, i) => {
    const prices = toPrices(label(i), s);
    checkConfigAgainstSeries(config, prices.length, label(i));
    return prices;
  });
}

/**
 * {@link validateSeries} without the scan of every value (finite, > 0), for a batch whose
 * backend threads scan them; undefined when a series fails one of the other checks (then
 * {@link validateSeries} throws exactly the error `compute`'s order gives, which may be an
 * earlier series' bad value).
 *
 * @example
 * ```ts
 * const prices = seriesWithoutValueScan(series, config) ?? validateSeries(series, config);
 * ```
 */
export function seriesWithoutValueScan(series: readonly SeriesInput[], config: ResolvedAtcConfig): Float64Array[] | undefined {
  const out = new Array<Float64Array>(series.length);
  try {
    for (let i = 0; i < series.length; i++) {
      const prices = toFloat64(label(i), series[i]);
      if (prices.length === 0) return undefined;
      checkConfigAgainstSeries(config, prices.length, label(i));
      out[i] = prices;
    }
  } catch {
    return undefined;
  }
  return out;
}
