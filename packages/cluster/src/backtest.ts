// The sweep's score: a small backtest of the indicator's own signal, non-repainting.

/** What one (config, series) pipeline scores. */
export interface BacktestScore {
  /** Final equity − 1 (equity starts at 1; no costs, no leverage beyond ±1). */
  totalReturn: number;
  /** Largest fall from a running equity peak, as a fraction of that peak (0 … 1). */
  maxDrawdown: number;
  /** Positions opened: each change to a non-zero position (a flip long → short counts once). */
  trades: number;
}

/**
 * Trades the sign of `Average_Signal` shifted one bar (the strategy mode that never repaints):
 * the position held from close t−1 to close t is `sign(averageSignal at bar t−1)` (NaN or 0 =
 * flat), so a bar's signal acts only on the next bar. Per bar, in this order:
 * `r = prices[t] / prices[t−1] − 1`; `equity = max(0, equity · (1 + position · r))` (a short
 * can lose everything, not more); `peak = max(peak, equity)`; `drawdown = (peak − equity) / peak`.
 * Output bar `j` of the result is input bar `firstBar + j` (core's `firstInputBar`).
 *
 * @example
 * ```ts
 * const r = engine.compute(prices, config);
 * backtest(prices, r.averageSignal, firstInputBar(r.config)); // { totalReturn, maxDrawdown, trades }
 * ```
 */
export function backtest(prices: Float64Array, averageSignal: Float64Array, firstBar: number): BacktestScore {
  let equity = 1;
  let peak = 1;
  let maxDrawdown = 0;
  let trades = 0;
  let previous = 0;
  for (let t = firstBar + 1; t < prices.length; t++) {
    const s = averageSignal[t - 1 - firstBar]!;
    const position = s > 0 ? 1 : s < 0 ? -1 : 0; // NaN compares false: flat
    if (position !== 0 && position !== previous) trades++;
    previous = position;
    if (position === 0) continue;
    const r = prices[t]! / prices[t - 1]! - 1;
    equity = Math.max(0, equity * (1 + position * r));
    if (equity > peak) peak = equity;
    const drawdown = (peak - equity) / peak;
    if (drawdown > maxDrawdown) maxDrawdown = drawdown;
  }
  return { totalReturn: equity - 1, maxDrawdown, trades };
}
