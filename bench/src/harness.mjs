// Timing harness: warm-up, several runs of an inner loop, median and spread. Wall-clock via
// performance.now(); every number printed comes from here.
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { sampleSeries } from '@adaptive-trend/cli';

/**
 * Warm-up that lasts: at least `calls` calls and at least `ms` milliseconds. Time-based on
 * purpose — V8 compiles hot wasm functions with TurboFan in the background some time after they
 * start running (dynamic tiering), and JS glue is optimised after enough calls; a fixed small
 * call count measured the baseline tiers instead (wasm pipeline ~2× slower than steady state).
 */
export function warmUp(fn, { calls = 5, ms = 1000 } = {}) {
  const start = performance.now();
  for (let i = 0; i < calls || performance.now() - start < ms; i++) fn();
}

/**
 * Times `fn` (which processes `bars` bars per call): a warm-up of at least `warmup` calls and
 * `warmupMs` milliseconds, then `runs` timed batches of `inner` calls each. Returns per-call
 * statistics in milliseconds.
 */
export function measure(fn, { bars, warmup = 5, warmupMs = 1000, runs = 11, inner = 1 }) {
  warmUp(fn, { calls: warmup, ms: warmupMs });
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    for (let i = 0; i < inner; i++) fn();
    samples.push((performance.now() - start) / inner);
  }
  return summarize(samples, bars, inner);
}

/** Median, min, max, quartiles and rates of per-call samples in ms (sorts `samples`). */
export function summarize(samples, bars, inner = 1) {
  samples.sort((a, b) => a - b);
  const q = (p) => samples[Math.min(samples.length - 1, Math.round(p * (samples.length - 1)))];
  const median = q(0.5);
  return {
    medianMs: median,
    minMs: samples[0],
    maxMs: samples[samples.length - 1],
    p25Ms: q(0.25),
    p75Ms: q(0.75),
    nsPerBar: (median * 1e6) / bars,
    barsPerSec: bars / (median / 1e3),
    runs: samples.length,
    inner,
  };
}

/** Picks `inner` so one timed batch lasts roughly `targetMs`. */
export function calibrate(fn, targetMs = 40) {
  const start = performance.now();
  fn();
  const once = Math.max(performance.now() - start, 1e-3);
  return Math.max(1, Math.min(10_000, Math.round(targetMs / once)));
}

export function machineInfo() {
  const cpu = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()} ${arch()}`,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/** The benchmark series: the CLI's seeded synthetic random walk (positive, 4 decimals). */
export function randomWalk(bars, seed = 42) {
  return sampleSeries(bars, seed);
}
