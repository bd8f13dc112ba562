// Timing harness: warm-up, several runs of an inner loop, median and spread. Wall-clock via
// performance.now(); every number printed comes from here.
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { sampleSeries } from '@adaptive-trend/cli';

/**
 * Times `fn` (which processes `bars` bars per call): `warmup` untimed calls, then `runs`
 * timed batches of `inner` calls each. Returns per-call statistics in milliseconds.
 */
export function measure(fn, { bars, warmup = 5, runs = 11, inner = 1 }) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    for (let i = 0; i < inner; i++) fn();
    samples.push((performance.now() - start) / inner);
  }
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
    runs,
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
