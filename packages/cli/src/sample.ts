/**
 * The demo's embedded sample: SYNTHETIC prices, not market data. A geometric random walk of
 * 1500 bars from 100, driven by a seeded mulberry32 generator (seed 20261125), with the drift
 * switching regime every 250 bars (+0.08 %, −0.06 %, flat, …) and 1 % per-bar volatility,
 * so the indicator has up, down and sideways stretches to classify. Same numbers on every run.
 */
export function sampleSeries(bars = 1500, seed = 20261125): Float64Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const drifts = [0.0008, -0.0006, 0, 0.0005, -0.0009, 0.0002];
  const out = new Float64Array(bars);
  let price = 100;
  for (let i = 0; i < bars; i++) {
    // Box–Muller normal from two uniforms (1 − u keeps the log finite).
    const z = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    price *= Math.exp(drifts[Math.floor(i / 250) % drifts.length]! + 0.01 * z);
    out[i] = Math.round(price * 1e4) / 1e4;
  }
  return out;
}
