// The native pipeline against this machine's arithmetic limit (issue 17, item 4). Builds and
// runs the peak-rate probe (`bench/peak`, a standalone Rust crate: the fused pipeline's
// per-bar operation mix, per pass at its throughput and its latency bound) and times native's
// fused pipeline on the real windows in turn with it — probe, native, probe, native, … — so a
// burst of load on this shared machine hits both; reports ops/bar, the attainable ns/bar, the
// measured native ns/bar and their ratio (median of the pairs). Alone: `node bench/src/peak.mjs`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AtcEngine } from '@adaptive-trend/core';
import { realWindowsByDataset } from './real-data.mjs';

const crate = join(dirname(fileURLToPath(import.meta.url)), '..', 'peak');
const binary = join(crate, 'target', 'release', process.platform === 'win32' ? 'atc-peak-probe.exe' : 'atc-peak-probe');

/** Path of the probe binary, built on first use; undefined (with the reason) when it cannot be. */
export function probeBinary() {
  if (existsSync(binary)) return { binary };
  const cargo = spawnSync('cargo', ['build', '--release', '--quiet', '--manifest-path', join(crate, 'Cargo.toml')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CARGO_BUILD_JOBS: process.env.CARGO_BUILD_JOBS ?? '1' },
  });
  if (cargo.error) return { reason: `cargo not found (${cargo.error.code}); install Rust to run the peak probe` };
  if (cargo.status !== 0) return { reason: `cargo build of bench/peak failed (exit ${cargo.status})` };
  return existsSync(binary) ? { binary } : { reason: 'cargo build did not produce the probe binary' };
}

/**
 * The per-bar totals of docs/kernels.md's "Arithmetic per bar" table ({ mul, add, div, other }),
 * or undefined if the table is not found: the probe's counts must be the documented ones.
 */
export function documentedOpsPerBar() {
  const doc = join(crate, '..', '..', 'docs', 'kernels.md');
  if (!existsSync(doc)) return undefined;
  const row = readFileSync(doc, 'utf8').split('\n').find((l) => l.startsWith('| **per bar** |'));
  const [mul, add, div, other] = (row?.match(/\*\*(\d+)\*\*/g) ?? []).map((v) => Number(v.replaceAll('*', '')));
  return other === undefined ? undefined : { mul, add, div, other };
}

/** One probe run: its printed table and its PEAK_JSON result. */
function runProbe(path, rounds) {
  const text = execFileSync(path, [String(rounds)], { encoding: 'utf8' });
  const json = text.split('\n').find((l) => l.startsWith('PEAK_JSON '));
  if (!json) return { text, result: undefined };
  return { text: text.replace(/^PEAK_JSON .*\n?/m, ''), result: JSON.parse(json.slice('PEAK_JSON '.length)) };
}

/**
 * Native's fused pipeline on every real window: each sample is `reps` calls on one window
 * (~1 ms, as short as the probe's samples, so both see this VM's quiet moments alike), `sweeps`
 * samples per window; ns/bar = the mean over windows of each window's median (and of its min).
 */
function timeNative(engine, windows, { sweeps = 9, reps = 4, outputs } = {}) {
  const perWindow = windows.map(() => []);
  for (let s = 0; s < sweeps; s++) {
    windows.forEach(({ closes }, k) => {
      const start = performance.now();
      for (let i = 0; i < reps; i++) engine.compute(closes, undefined, outputs && { outputs });
      perWindow[k].push(((performance.now() - start) * 1e6) / (reps * closes.length));
    });
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { median: mean(perWindow.map(median)), min: mean(perWindow.map((xs) => Math.min(...xs))) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Probe and native in turn, `pairs` times. Returns undefined (with `reason`) when the probe
 * cannot run (no cargo, no AVX2: the probe says so), else the probe's op counts, attainable
 * ns/bar, native ns/bar (engine.compute, and into a caller's buffer) and ratios.
 */
export async function measurePeak({ engine, pairs = 3, probeRounds = 15 } = {}) {
  const built = probeBinary();
  if (!built.binary) return { reason: built.reason };
  if (!engine) {
    const { backendFactory } = await import('@adaptive-trend/backend-native');
    engine = new AtcEngine(await backendFactory.load());
  }
  const windows = realWindowsByDataset({ bars: 1500 });
  if (!windows) return { reason: '../shared/data not found; set ATC_SHARED_DIR' };
  const outputs = new Float64Array(13 * 1500);
  for (const { closes } of windows) for (let i = 0; i < 20; i++) engine.compute(closes); // warm-up
  const runs = [];
  let text = '';
  for (let p = 0; p < pairs; p++) {
    const probe = runProbe(built.binary, probeRounds);
    if (!probe.result) return { reason: probe.text.trim().split('\n')[0] };
    text = probe.text;
    runs.push({ probe: probe.result, native: timeNative(engine, windows), nativeIntoBuffer: timeNative(engine, windows, { outputs }) });
  }
  const attainable = median(runs.map((r) => r.probe.attainableNsPerBar));
  const attainableMin = Math.min(...runs.map((r) => r.probe.attainableMinNsPerBar));
  const nativeNs = median(runs.map((r) => r.native.median));
  const nativeMin = Math.min(...runs.map((r) => r.native.min));
  const intoNs = median(runs.map((r) => r.nativeIntoBuffer.median));
  const intoMin = Math.min(...runs.map((r) => r.nativeIntoBuffer.min));
  const documented = documentedOpsPerBar();
  const counted = runs[0].probe.opsPerBar;
  const docsAgree = documented !== undefined && ['mul', 'add', 'div', 'other'].every((k) => documented[k] === counted[k]);
  return {
    windows: windows.length,
    pairs,
    opsPerBar: counted,
    docsAgree,
    throughputNsPerBar: median(runs.map((r) => r.probe.throughputNsPerBar)),
    latencyNsPerBar: median(runs.map((r) => r.probe.latencyNsPerBar)),
    attainableNsPerBar: attainable,
    attainableMinNsPerBar: attainableMin,
    native: { nsPerBar: nativeNs, minNsPerBar: nativeMin, intoBufferNsPerBar: intoNs, intoBufferMinNsPerBar: intoMin },
    ratio: median(runs.map((r) => r.native.median / r.probe.attainableNsPerBar)),
    ratioOfMinima: nativeMin / attainableMin,
    ratioIntoBuffer: median(runs.map((r) => r.nativeIntoBuffer.median / r.probe.attainableNsPerBar)),
    probeTable: text.trim(),
  };
}

/** The report lines of a {@link measurePeak} result. */
export function formatPeak(r) {
  if (r.reason) return [`(peak probe skipped: ${r.reason})`];
  const o = r.opsPerBar;
  const f = (v) => v.toFixed(1);
  return [
    ...r.probeTable.split('\n'),
    `ops/bar (scalar-equivalent f64 ops of the fused pipeline, default config): ${o.total} = ${o.mul} mul + ${o.add} add/sub + ${o.div} div + ${o.other} compare/select/abs/logic${r.docsAgree ? ' (= docs/kernels.md)' : ' — WARNING: differs from the per-bar row of docs/kernels.md'}`,
    `attainable for that mix on this machine: ${f(r.attainableNsPerBar)} ns/bar (Σ per pass of max(throughput, latency); throughput alone ${f(r.throughputNsPerBar)}, latency alone ${f(r.latencyNsPerBar)}; from the probe's minima ${f(r.attainableMinNsPerBar)}) — median of ${r.pairs} probe runs`,
    `native fused pipeline, ${r.windows} real windows × 1500 bars: ${f(r.native.nsPerBar)} ns/bar (min ${f(r.native.minNsPerBar)}); into a caller's buffer ${f(r.native.intoBufferNsPerBar)} (min ${f(r.native.intoBufferMinNsPerBar)})`,
    `native / attainable: ${r.ratio.toFixed(2)}× (medians, paired runs; into buffer ${r.ratioIntoBuffer.toFixed(2)}×); best cases (minima, least hit by this VM's noise) ${r.ratioOfMinima.toFixed(2)}× — target ≤ 2×`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatPeak(await measurePeak()).join('\n'));
}
