#!/usr/bin/env node
// `pnpm bench`: every backend's kernels, fused pipeline and batch, plus JS peers, with the
// machine's description. Writes bench/results/latest.json and latest.md and prints the table.
// Real data first (issue 17): the pipeline, kernel and batch rows on 1500-bar windows cut from
// all eleven datasets of ../shared/data, the interleaved backend ratios on the same windows, and
// the native pipeline against the machine's arithmetic limit (bench/peak); the seeded random
// walk follows as the secondary rows.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtcEngine } from '@adaptive-trend/core';
import { measureBatch } from './batch.mjs';
import { measureCliScan, medianOf } from './cli-scan.mjs';
import { formatClusterSweep, measureClusterSweep } from './cluster-sweep.mjs';
import { calibrate, machineInfo, measure, randomWalk, summarize, warmUp } from './harness.mjs';
import { formatInterleaved, measureInterleaved } from './interleaved.mjs';
import { loadPeers } from './peers.mjs';
import { formatPeak, measurePeak } from './peak.mjs';
import { realCloses, realWindowsByDataset } from './real-data.mjs';
import { benchStreams } from './stream.mjs';

const quick = process.argv.includes('--quick');
/** `--only=pipeline|peak|stream|batch|kernels|cli|cluster|long|seed` runs one section in a fresh process (no other section's heap). */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const runs = (section) => only === undefined || only === section;
const here = dirname(fileURLToPath(import.meta.url));
const LENGTH = 28;
const MAS = ['ema', 'hma', 'wma', 'dema', 'lsma', 'kama'];

async function loadEngines() {
  const engines = {};
  for (const [name, pkg] of [['native', '@adaptive-trend/backend-native'], ['wasm', '@adaptive-trend/backend-wasm'], ['js', '@adaptive-trend/backend-js']]) {
    try {
      const { backendFactory } = await import(pkg);
      engines[name] = new AtcEngine(await backendFactory.load());
    } catch (error) {
      console.log(`(backend ${name} unavailable: ${error.message.split('\n')[0]})`);
    }
  }
  return engines;
}

const rows = [];
function record(section, subject, backend, bars, stats) {
  rows.push({ section, subject, backend, bars, ...stats });
  const fmt = (v) => (v < 0.1 ? v.toFixed(4) : v < 10 ? v.toFixed(3) : v.toFixed(1));
  console.log(
    `${section.padEnd(9)} ${subject.padEnd(30)} ${backend.padEnd(20)} ${String(bars).padStart(8)} bars  median ${fmt(stats.medianMs).padStart(9)} ms  [${fmt(stats.minMs)}–${fmt(stats.maxMs)}]  ${stats.nsPerBar.toFixed(2).padStart(9)} ns/bar  ${(stats.barsPerSec / 1e6).toFixed(2).padStart(8)} M bars/s`,
  );
}

function bench(section, subject, backend, bars, fn) {
  const inner = calibrate(fn);
  record(section, subject, backend, bars, measure(fn, { bars, inner, warmup: Math.min(20, inner * 2), warmupMs: quick ? 300 : 1000, runs: quick ? 5 : 11 }));
}

const engines = await loadEngines();
const machine = machineInfo();
console.log(`machine: ${JSON.stringify(machine)}`);

// Real series: up to three 1500-bar windows from each of the eleven datasets (one in --quick).
const windows = realWindowsByDataset({ bars: 1500, perDataset: quick ? 1 : 3 });
if (!windows) console.log('(real-data rows skipped: ../shared/data not found; set ATC_SHARED_DIR)');
const datasets = windows ? [...new Set(windows.map((w) => w.dataset))] : [];
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmtMs = (v) => (v < 0.1 ? v.toFixed(4) : v < 10 ? v.toFixed(3) : v.toFixed(1));

// Pipeline and batch first: they allocate per call, and a heap grown by the 1e6-point kernel
// cases would slow them (measured: ~3× at 1500 bars) for reasons that are not theirs.
// (b, real) the fused pipeline, default config, on every real window: each window timed by the
// harness after one warm-up over all of them;
// the row's median and min–max are over the windows' medians; each dataset's median is printed.
const realPipeline = {};
if (runs('pipeline') && windows) {
  for (const [name, engine] of Object.entries(engines)) {
    // one time-based warm-up over all windows (wasm reaches its optimising tier only after a
    // while), then each window with a short one of its own
    let next = 0;
    warmUp(() => engine.compute(windows[next++ % windows.length].closes), { calls: 3 * windows.length, ms: quick ? 500 : 1500 });
    const perWindow = windows.map(({ closes }) => {
      const fn = () => engine.compute(closes);
      const inner = Math.max(1, Math.round(calibrate(fn) / 2));
      return measure(fn, { bars: closes.length, inner, warmup: 5, warmupMs: 50, runs: quick ? 3 : 5 }).medianMs;
    });
    record('pipeline', `REAL computeAtc ${windows.length} windows`, name, 1500, summarize([...perWindow], 1500));
    const perDataset = Object.fromEntries(datasets.map((d) => [d, median(perWindow.filter((_, k) => windows[k].dataset === d))]));
    realPipeline[name] = { windows: windows.length, perWindowMs: perWindow, perDatasetMs: perDataset };
    console.log(`real      ${name.padEnd(7)} per dataset (median ms per call): ${Object.entries(perDataset).map(([d, ms]) => `${d} ${fmtMs(ms)}`).join(', ')}`);
  }
}

// (b, synthetic) the same on the seeded random walk (secondary: smooth, few flat runs).
for (const n of !runs('pipeline') ? [] : quick ? [1500] : [1500, 1e4, 1e5]) {
  const x = randomWalk(n, 7);
  for (const [name, engine] of Object.entries(engines)) bench('pipeline', 'computeAtc synthetic', name, n, () => engine.compute(x));
  if (n === 1500) {
    // the same with a caller-supplied outputs buffer: no ~150 kB allocation per call
    const outputs = new Float64Array(13 * n);
    for (const [name, engine] of Object.entries(engines)) bench('pipeline', 'synthetic into buffer', name, n, () => engine.compute(x, undefined, { outputs }));
  }
}

// (b'') semantics: 'pine' vs 'reference' per backend, 1,500 bars of real data (issue 12's
// target: pine ≤ 1.2× reference). Pine returns n bars, the reference n − cutout (cutout 0 here).
const real = runs('pipeline') ? realCloses('ETH_BTC-5m', 1500) : undefined;
if (runs('pipeline') && !real) console.log('(semantics rows skipped: ../shared/data not found; set ATC_SHARED_DIR)');
if (real) {
  for (const [name, engine] of Object.entries(engines)) {
    const at = rows.length;
    for (const semantics of ['reference', 'pine']) bench('pipeline', `${semantics} ETH_BTC-5m`, name, real.length, () => engine.compute(real, { semantics }));
    console.log(`semantics ${name}: pine / reference = ${(rows[at + 1].medianMs / rows[at].medianMs).toFixed(2)}`);
  }
}

// (b') backend ratios, measured interleaved (one isolate per backend; see interleaved.mjs)
let interleaved;
if (runs('pipeline') && ['native', 'wasm', 'js'].every((b) => b in engines)) {
  interleaved = await measureInterleaved(quick ? 11 : 41, quick ? 5 : 21);
  console.log(formatInterleaved(interleaved).map((line) => `ratios    ${line}`).join('\n'));
}

// (g) native against this machine's arithmetic limit: the peak-rate probe (bench/peak) and
// native's pipeline on the real windows, in turn (see peak.mjs). Part of the full run and of
// --only=peak; not of --quick.
let peak;
if (runs('peak') && !quick) {
  if (!engines.native) console.log('(peak probe skipped: native backend unavailable)');
  else {
    peak = await measurePeak({ engine: engines.native, pairs: 3 });
    console.log(formatPeak(peak).map((line) => `peak      ${line}`).join('\n'));
  }
}

// (f) streams (issue 13): push / replaceLast / pushMany / a set of streams, on real closes.
if (runs('stream')) {
  const closes = realCloses('ETH_BTC-5m', 1500);
  if (!closes) console.log('(stream rows skipped: ../shared/data not found; set ATC_SHARED_DIR)');
  else for (const line of benchStreams(engines, bench, rows, { closes, quick })) console.log(`stream    ${line}`);
}

// (d, real) batch: 500 real series × 1500 bars, a loop of compute against computeBatch, and
// the cores two threads got around it (bench/src/batch.mjs, issue 17 item 3).
let batchRows;
if (runs('batch')) {
  if (!realWindowsByDataset({ bars: 1500, perDataset: 1 })) console.log('(real batch rows skipped: ../shared/data not found; set ATC_SHARED_DIR)');
  else {
    batchRows = await measureBatch({ engines, count: quick ? 50 : 500, bars: 1500, runs: quick ? 2 : 5, log: (line) => console.log(`batch     ${line}`) });
    for (const r of batchRows) {
      const bars = r.series * r.bars;
      const stats = (ms, min, max) => ({ medianMs: ms, minMs: min, maxMs: max, p25Ms: min, p75Ms: max, nsPerBar: (ms * 1e6) / bars, barsPerSec: bars / (ms / 1e3), runs: quick ? 2 : 5, inner: 1 });
      record('batch', `REAL ${r.series}×${r.bars} compute loop`, r.backend, bars, stats(r.loopMs, r.loopMinMs, r.loopMaxMs));
      record('batch', `REAL ${r.series}×${r.bars} computeBatch`, r.backend, bars, stats(r.batchMs, r.batchMinMs, r.batchMaxMs));
    }
  }
}

// (d, synthetic) batch: 500 symbols × 1500 bars of the random walk on all cores (secondary).
const symbols = Array.from({ length: quick ? 50 : 500 }, (_, k) => randomWalk(1500, 1000 + k));
for (const [name, engine] of runs('batch') ? Object.entries(engines) : []) {
  await engine.computeBatch(symbols.slice(0, 4));
  const samples = [];
  for (let r = 0; r < (quick ? 2 : 5); r++) {
    const start = performance.now();
    await engine.computeBatch(symbols);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const mid = samples[samples.length >> 1];
  const bars = symbols.length * 1500;
  record('batch', `synthetic ${symbols.length}×1500 computeBatch`, name, bars, {
    medianMs: mid, minMs: samples[0], maxMs: samples.at(-1), p25Ms: samples[0], p75Ms: samples.at(-1),
    nsPerBar: (mid * 1e6) / bars, barsPerSec: bars / (mid / 1e3), runs: samples.length, inner: 1,
  });
}

/** The kernel rows of one engine on `series` (one call = every series once; `bars` in total). */
function benchKernels(name, engine, series, label) {
  const bars = series.reduce((sum, x) => sum + x.length, 0);
  const n = Math.max(...series.map((x) => x.length));
  // output views made once, outside the timed calls (the windows all have 1500 bars)
  const out = new Float64Array(n);
  const out8 = new Int8Array(n);
  const outs = series.map((x) => (x.length === n ? out : out.subarray(0, x.length)));
  const outs8 = series.map((x) => (x.length === n ? out8 : out8.subarray(0, x.length)));
  for (const kind of MAS) {
    bench('kernel', `${label}${kind}(${LENGTH})`, name, bars, () => {
      for (let k = 0; k < series.length; k++) engine.movingAverage(kind, series[k], LENGTH, outs[k]);
    });
  }
  const inputs = series.map((x) => {
    const m = x.length;
    const held = new Int8Array(m);
    engine.crossoverSignal(x, engine.ema(x, LENGTH), held);
    const up = new Uint8Array(m);
    const down = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      up[i] = held[i] === 1 && held[i - 1] !== 1 ? 1 : 0;
      down[i] = held[i] === -1 && held[i - 1] !== -1 ? 1 : 0;
    }
    return { returns: engine.scaledReturns(x, 0.02), signal: Float64Array.from(held), up, down };
  });
  bench('kernel', `${label}equity`, name, bars, () => {
    for (let k = 0; k < inputs.length; k++) engine.equityCurve(inputs[k].returns, inputs[k].signal, {}, outs[k]);
  });
  bench('kernel', `${label}signal persistence`, name, bars, () => {
    for (let k = 0; k < inputs.length; k++) engine.persistSignal(inputs[k].up, inputs[k].down, outs8[k]);
  });
}

// (a, real) per-kernel on the real windows (one call = every window once), output buffers supplied.
if (runs('kernels') && windows) {
  for (const [name, engine] of Object.entries(engines)) benchKernels(name, engine, windows.map((w) => w.closes), `REAL ${windows.length}×1500 `);
}

// (a, synthetic) per-kernel, through the public API with caller-supplied output buffers.
for (const n of !runs('kernels') ? [] : quick ? [1e4] : [1e4, 1e6]) {
  const x = randomWalk(n);
  for (const [name, engine] of Object.entries(engines)) benchKernels(name, engine, [x], '');
  // (c) the same MAs in JS peers.
  if (n === 1e6 || quick) {
    const asArray = Array.from(x);
    for (const [lib, { input, mas }] of Object.entries(loadPeers())) {
      const values = input === 'array' ? asArray : x;
      for (const [kind, fn] of Object.entries(mas)) bench('peer', `${kind}(${LENGTH})`, lib, n, () => fn(values, LENGTH));
    }
  }
}

// (e) the CLI: `adaptive-trend scan` end to end (child processes) over files cut from
// ../shared/data, native backend; see cli-scan.mjs.
if (runs('cli')) {
  const files = quick ? 100 : 1000;
  const samples = measureCliScan({ files, bars: 1500, backend: 'native', runs: quick ? 3 : 5 });
  if (!samples) console.log('(cli scan skipped: ../shared/data not found; set ATC_SHARED_DIR)');
  else {
    const bars = files * 1500;
    record('cli', `scan ${files}×1500 files`, samples[0].backend, bars, summarize(samples.map((s) => s.wall), bars));
    console.log(`cli       scan read+parse median ${medianOf(samples, 'read').toFixed(0)} ms, compute ${medianOf(samples, 'compute').toFixed(0)} ms (the rest: node start, module load, output)`);
  }
}

// (f) a parameter sweep through BullMQ + a local redis-server: locally on one thread, then by 1
// and 2 worker processes (one thread each); see cluster-sweep.mjs. One sample per row (a run
// takes tens of seconds).
if (runs('cluster')) {
  const result = await measureClusterSweep({ configs: quick ? 20 : 100, symbols: quick ? 200 : 1000, bars: 1500 });
  if (!result) console.log('(cluster sweep skipped: ../shared/data or redis-server missing; npm test installs redis-server)');
  else {
    for (const r of result.rows) record('cluster', `sweep ${result.pipelines} pipelines, ${r.mode}`, result.backend, result.pipelines * result.bars, summarize([r.ms], result.pipelines * result.bars));
    console.log(formatClusterSweep(result));
  }
}

// (h) long series (issue 17 item 5: 10⁶ and 10⁷ bars, time and peak RSS, each row a fresh
// process) and (i) the seed's three kernels against the reference's Numba kernels (item 6; its
// script makes the Python venv with bench/numba/setup-venv.sh on first use). Their own scripts,
// in child processes; raw lines kept. Full run and --only=long / --only=seed, not --quick.
const scripts = {};
for (const [section, script] of [['long', 'long-series.mjs'], ['seed', 'seed-kernels.mjs']]) {
  if (!runs(section) || quick) continue;
  const child = spawnSync(process.execPath, [join(here, script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const lines = (child.stdout ?? '').trimEnd().split('\n');
  if (child.status !== 0) lines.push(`(${script} exited with ${child.status ?? child.signal})`);
  scripts[section] = { command: `node bench/src/${script}`, lines };
  for (const line of lines) console.log(`${section.padEnd(9)} ${line}`);
}

const resultsDir = join(here, '..', 'results');
mkdirSync(resultsDir, { recursive: true });
const stem = only ? `latest-${only}` : 'latest';
writeFileSync(join(resultsDir, `${stem}.json`), `${JSON.stringify({ machine, command: `pnpm bench${quick ? ' -- --quick' : ''}${only ? ` -- --only=${only}` : ''}`, rows, realPipeline, interleaved, peak, batch: batchRows, scripts }, null, 2)}\n`);
const table = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node} (${machine.date})`,
  '',
  '| section | subject | backend / library | bars | median ms | min–max ms | ns/bar | M bars/s |',
  '|---|---|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.section} | ${r.subject} | ${r.backend} | ${r.bars} | ${r.medianMs.toPrecision(4)} | ${r.minMs.toPrecision(3)}–${r.maxMs.toPrecision(3)} | ${r.nsPerBar.toFixed(2)} | ${(r.barsPerSec / 1e6).toFixed(2)} |`),
];
if (Object.keys(realPipeline).length) {
  const names = Object.keys(realPipeline);
  table.push('', 'Real-data pipeline per dataset (median ms per call over its windows; 1500 bars, default config):', '', `| dataset | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`);
  for (const d of datasets) table.push(`| ${d} | ${names.map((b) => realPipeline[b].perDatasetMs[d].toPrecision(3)).join(' | ')} |`);
}
if (interleaved) table.push('', 'Interleaved backend comparison (`bench/src/interleaved.mjs`):', '', '```', ...formatInterleaved(interleaved), '```');
if (peak) table.push('', 'Native against the arithmetic limit (`bench/src/peak.mjs`, `bench/peak`):', '', '```', ...formatPeak(peak), '```');
for (const { command, lines } of Object.values(scripts)) table.push('', `\`${command}\`:`, '', '```', ...lines, '```');
writeFileSync(join(resultsDir, `${stem}.md`), `${table.join('\n')}\n`);
console.log(`\nwrote ${join(resultsDir, `${stem}.json`)} and ${stem}.md`);
