// The growth rule (docs/input-contract.md, "Growth overflow"): scaled returns are
// `R[i]·exp(λ·i)` with λ = lambda/1000, and `exp` overflows past 709.78, where the kernels
// clamp to Number.MAX_VALUE as the reference does. Instead of returning the Infinity
// equities and the Average_Signal of 0 that follow, core refuses with GROWTH_OVERFLOW:
// before dispatch when the growth factor itself overflows (known from λ, n and cutout), and
// after the backend ran when an equity (or a sum of equities) stopped being finite.
import type { ResolvedAtcConfig } from './config.js';
import { AtcInputError } from './errors.js';
import { FAMILIES, REFERENCE_FAMILY_NAMES } from './families.js';
import { firstInputBar } from './semantics.js';

/**
 * fdlibm's `o_threshold`: the largest `x` whose `exp(x)` is finite, in the library's own
 * `exp` (backend-js `fdlibmExp`, atc-kernels `math::exp`). Above it the growth factor is
 * clamped to `Number.MAX_VALUE`.
 */
export const EXP_OVERFLOW_THRESHOLD = 7.09782712893383973096e2;

/**
 * First bar `i ≥ 1` of the cut series where the growth factor `exp(lambda/1000 · i)`
 * overflows, computed with the kernels' own product `λ·i` so the boundary is exact.
 *
 * @example
 * ```ts
 * growthOverflowBar(0.5); // 1419566: with lambda 0.5 at most 1 419 566 bars after the cutout
 * ```
 */
export function growthOverflowBar(lambda: number): number {
  const scaled = lambda / 1000.0;
  let i = Math.max(1, Math.floor(EXP_OVERFLOW_THRESHOLD / scaled));
  while (i > 1 && scaled * i > EXP_OVERFLOW_THRESHOLD) i--;
  while (scaled * i <= EXP_OVERFLOW_THRESHOLD) i++;
  return i;
}

/** Refuses a series whose growth factor would overflow within its `n − cutout` output bars. */
export function requireGrowthInRange(config: ResolvedAtcConfig, n: number, label = 'prices'): void {
  const first = growthOverflowBar(config.lambda);
  const bars = n - config.cutout;
  if (first < bars) {
    const bar = config.cutout + first;
    throw new AtcInputError(
      'GROWTH_OVERFLOW',
      'config.lambda',
      `the growth exp(lambda/1000 · i) overflows at bar ${bar} of ${label} (lambda ${config.lambda} allows at most ${first} bars after the cutout, ` +
        `${bars} given): use a smaller lambda (≤ ${largestLambda(bars - 1)}), fewer bars or a cutout ≥ ${n - first}`,
      bar,
    );
  }
}

/** Largest lambda (3 significant digits, rounded down) whose growth stays finite over `i` bars. */
function largestLambda(i: number): number {
  const exact = (EXP_OVERFLOW_THRESHOLD / i) * 1000;
  const digits = 10 ** (Math.floor(Math.log10(exact)) - 2);
  return Math.floor(exact / digits) * digits;
}

/**
 * Checks the 13 output rows of one computation (`m` bars): every Layer-1 signal finite (NaN
 * there means a per-MA equity or their sum overflowed) and the sum of the six Layer-2
 * equities finite at every bar, summed in the kernels' order (it also catches one infinite
 * equity; Average_Signal divides by that sum). Throws GROWTH_OVERFLOW naming the first bar.
 */
export function requireFiniteOutputs(outputs: Float64Array, m: number, config: ResolvedAtcConfig, label = 'prices'): void {
  const bar = firstNonFiniteOutputBar(outputs, m, config);
  if (bar < 0) return;
  const at = (row: number) => outputs[row * m + bar]!;
  const layer1 = [0, 1, 2, 3, 4, 5].find((row) => !Number.isFinite(at(row)));
  const layer2 = [6, 7, 8, 9, 10, 11].find((row) => !Number.isFinite(at(row)));
  const what =
    layer1 !== undefined
      ? `the Layer-1 signal of ${REFERENCE_FAMILY_NAMES[FAMILIES[layer1]!]} (the equities of its MAs)`
      : layer2 !== undefined
        ? `the Layer-2 equity of ${REFERENCE_FAMILY_NAMES[FAMILIES[layer2 - 6]!]}`
        : 'the sum of the Layer-2 equities';
  const index = firstInputBar(config) + bar;
  throw new AtcInputError(
    'GROWTH_OVERFLOW',
    'config.lambda',
    `${what} stops being finite at bar ${index} of ${label}: returns scaled by the growth exp(lambda/1000 · i) compound beyond 1.8e308 ` +
      `(lambda ${config.lambda}); use a smaller lambda, fewer bars or a cutout`,
    index,
  );
}

/**
 * The growth check's verdict on the 13 output rows of one computation (`m` bars): the first
 * bar where a Layer-1 signal or the sum of the six Layer-2 equities (added in the kernels'
 * order) is not finite, −1 if none. Pine's outputs are na before the cutout by definition, so
 * for `semantics: 'pine'` the scan starts at the cutout bar. A backend's `computeAtc` may
 * return this verdict itself (found in its last loop); it must equal this function's.
 *
 * @example
 * ```ts
 * backend.computeAtc(prices, config, buffers);
 * const bar = firstNonFiniteOutputBar(buffers.outputs, outputBars(config, prices.length), config); // −1: all finite
 * ```
 */
export function firstNonFiniteOutputBar(outputs: Float64Array, m: number, config: ResolvedAtcConfig): number {
  return firstNonFiniteBar(outputs, m, config.semantics === 'pine' ? config.cutout : 0);
}

/**
 * First bar where a Layer-1 signal or the Layer-2 sum is not finite, else −1. One pass over
 * the bars (the shipped backends report the verdict from their last loop instead, so this
 * runs for third-party backends and to name the cause of a refusal). Layer-1 values lie in
 * [−1, 1], so adding them to a finite Layer-2 sum cannot overflow: the total is finite
 * exactly when the kernels' sum and every Layer-1 value are. `s - s !== 0` is true exactly
 * for NaN and ±Infinity.
 */
function firstNonFiniteBar(o: Float64Array, m: number, from: number): number {
  const m2 = 2 * m, m3 = 3 * m, m4 = 4 * m, m5 = 5 * m, m6 = 6 * m;
  const m7 = 7 * m, m8 = 8 * m, m9 = 9 * m, m10 = 10 * m, m11 = 11 * m;
  for (let i = from; i < m; i++) {
    const layer2 = ((((o[m6 + i]! + o[m7 + i]!) + o[m8 + i]!) + o[m9 + i]!) + o[m10 + i]!) + o[m11 + i]!;
    const total = layer2 + (((o[i]! + o[m + i]!) + (o[m2 + i]!)) + ((o[m3 + i]! + o[m4 + i]!) + o[m5 + i]!));
    if (total - total !== 0) return i;
  }
  return -1;
}
