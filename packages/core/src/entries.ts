/**
 * Entry events of the original indicator (its ▲/▼ arrows and Long/Short alerts), +1 / −1 / 0
 * per bar. A long entry is a crossover of `signal` above `longThreshold` while the remembered
 * direction — set to 1 by every such crossover and to −1 by every crossunder of
 * `shortThreshold`, na before the first — was −1 on the previous bar; a short entry mirrors
 * it. So the first cross only arms the direction and repeated crosses one way give one entry.
 * `strategy` (the script's Strategy View) evaluates it all on `signal[i−1]`: the events move
 * one bar later. NaN never crosses.
 *
 * @example
 * ```ts
 * entrySignals(Float64Array.of(0, -0.2, 0, 0.2), 0.1, -0.1, false); // Int8Array [0, 0, 0, 1]
 * ```
 */
export function entrySignals(signal: Float64Array, longThreshold: number, shortThreshold: number, strategy: boolean): Int8Array {
  const n = signal.length;
  const out = new Int8Array(n);
  const lag = strategy ? 1 : 0;
  let direction = 0; // 0 stands for Pine's na
  for (let i = lag + 1; i < n; i++) {
    const v = signal[i - lag]!, previous = signal[i - lag - 1]!;
    const crossUp = v > longThreshold && previous <= longThreshold;
    const crossDown = v < shortThreshold && previous >= shortThreshold;
    if (crossUp && direction === -1) out[i] = 1;
    else if (crossDown && direction === 1) out[i] = -1;
    if (crossUp) direction = 1;
    if (crossDown) direction = -1;
  }
  return out;
}
