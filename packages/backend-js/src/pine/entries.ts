// The script's entry events (its ▲/▼ arrows and Long/Short alerts).

/**
 * +1 / −1 / 0 per bar. A long entry is `ta.crossover(x, long)` while the remembered
 * `direction` (set by every crossover to 1 and every crossunder of `short` to −1, na before
 * the first) was −1 on the previous bar; a short entry mirrors it. So the first cross only
 * arms the direction, and repeated crosses in one direction give one entry. `strategy` (the
 * script's Strategy View) evaluates all of it on `x[1]`, i.e. shifts the events one bar.
 */
export function pineEntries(x: Float64Array, longThreshold: number, shortThreshold: number, strategy: boolean, out: Int8Array): void {
  const n = x.length;
  out.fill(0);
  const lag = strategy ? 1 : 0;
  let direction = 0; // 0 stands for na
  for (let i = lag + 1; i < n; i++) {
    const v = x[i - lag]!, previous = x[i - lag - 1]!;
    const crossUp = v > longThreshold && previous <= longThreshold;
    const crossDown = v < shortThreshold && previous >= shortThreshold;
    if (crossUp && direction === -1) out[i] = 1;
    else if (crossDown && direction === 1) out[i] = -1;
    if (crossUp) direction = 1;
    if (crossDown) direction = -1;
  }
}
