#!/usr/bin/env node
// `pnpm bench`: every backend's kernels, fused pipeline and batch, plus JS peers, with the
// machine's description. Writes bench/results/latest.json and latest.md and prints the table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtcEngine } from '@adaptive-trend/core';
import { measureCliScan, medianOf } from './cli-scan.mjs';
import { formatClusterSweep, measureClusterSweep } from './cluster-sweep.mjs';
import { calibrate, machineInfo, measure, randomWalk, summarize } from './harness.mjs';
import { formatInterleaved, measureInterleaved } from './interleaved.mjs';
import { loadPeers } from './peers.mjs';
import { realCloses } from './real-data.mjs';
import { benchStreams } from './stream.mjs';

const quick = process.argv.includes('--quick');
/** `--only=pipeline|stream|batch|kernels|cli|cluster` runs one section in a fresh process (no other section's heap). */
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
    `${section.padEnd(9)} ${subject.padEnd(22)} ${backend.padEnd(20)} ${String(bars).padStart(8)} bars  median ${fmt(stats.medianMs).padStart(9)} ms  [${fmt(stats.minMs)}–${fmt(stats.maxMs)}]  ${stats.nsPerBar.toFixed(2).padStart(9)} ns/bar  ${(stats.barsPerSec / 1e6).toFixed(2).padStart(8)} M bars/s`,
  );
}

function bench(section, subject, backend, bars, fn) {
  const inner = calibrate(fn);
  record(section, subject, backend, bars, measure(fn, { bars, inner, warmup: Math.min(20, inner * 2), warmupMs: quick ? 300 : 1000, runs: quick ? 5 : 11 }));
}

const engines = await loadEngines();
const machine = machineInfo();
console.log(`machine: ${JSON.stringify(machine)}`);

// Pipeline and batch first: they allocate per call, and a heap grown by the 1e6-point kernel
// cases would slow them (measured: ~3× at 1500 bars) for reasons that are not theirs.
// (b) the fused pipeline, default config.
for (const n of !runs('pipeline') ? [] : quick ? [1500] : [1500, 1e4, 1e5]) {
  const x = randomWalk(n, 7);
  for (const [name, engine] of Object.entries(engines)) bench('pipeline', 'computeAtc default', name, n, () => engine.compute(x));
  if (n === 1500) {
    // the same with a caller-supplied outputs buffer: no ~150 kB allocation per call
    const outputs = new Float64Array(13 * n);
    for (const [name, engine] of Object.entries(engines)) bench('pipeline', 'computeAtc into buffer', name, n, () => engine.compute(x, undefined, { outputs }));
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
  interleaved = await measureInterleaved(quick ? 11 : 41);
  console.log(formatInterleaved(interleaved).map((line) => `ratios    ${line}`).join('\n'));
}

// (f) streams (issue 13): push / replaceLast / pushMany / a set of streams, on real closes.
if (runs('stream')) {
  const closes = realCloses('ETH_BTC-5m', 1500);
  if (!closes) console.log('(stream rows skipped: ../shared/data not found; set ATC_SHARED_DIR)');
  else for (const line of benchStreams(engines, bench, rows, { closes, quick })) console.log(`stream    ${line}`);
}

// (d) batch: 500 symbols × 1500 bars on all cores.
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
  const median = samples[samples.length >> 1];
  const bars = symbols.length * 1500;
  record('batch', `${symbols.length}×1500 computeBatch`, name, bars, {
    medianMs: median, minMs: samples[0], maxMs: samples.at(-1), p25Ms: samples[0], p75Ms: samples.at(-1),
    nsPerBar: (median * 1e6) / bars, barsPerSec: bars / (median / 1e3), runs: samples.length, inner: 1,
  });
}

// (a) per-kernel, through the public API with caller-supplied output buffers.
for (const n of !runs('kernels') ? [] : quick ? [1e4] : [1e4, 1e6]) {
  const x = randomWalk(n);
  const out = new Float64Array(n);
  const out8 = new Int8Array(n);
  for (const [name, engine] of Object.entries(engines)) {
    for (const kind of MAS) bench('kernel', `${kind}(${LENGTH})`, name, n, () => engine.movingAverage(kind, x, LENGTH, out));
    const returns = engine.scaledReturns(x, 0.02);
    const signal = new Float64Array(n);
    engine.crossoverSignal(x, engine.ema(x, LENGTH), out8);
    signal.set(out8);
    bench('kernel', 'equity', name, n, () => engine.equityCurve(returns, signal, {}, out));
    const up = new Uint8Array(n);
    const down = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      up[i] = out8[i] === 1 && out8[i - 1] !== 1 ? 1 : 0;
      down[i] = out8[i] === -1 && out8[i - 1] !== -1 ? 1 : 0;
    }
    bench('kernel', 'signal persistence', name, n, () => engine.persistSignal(up, down, out8));
  }
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

const resultsDir = join(here, '..', 'results');
mkdirSync(resultsDir, { recursive: true });
const stem = only ? `latest-${only}` : 'latest';
writeFileSync(join(resultsDir, `${stem}.json`), `${JSON.stringify({ machine, command: `pnpm bench${quick ? ' -- --quick' : ''}${only ? ` -- --only=${only}` : ''}`, rows, interleaved }, null, 2)}\n`);
const table = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node} (${machine.date})`,
  '',
  '| section | subject | backend / library | bars | median ms | min–max ms | ns/bar | M bars/s |',
  '|---|---|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.section} | ${r.subject} | ${r.backend} | ${r.bars} | ${r.medianMs.toPrecision(4)} | ${r.minMs.toPrecision(3)}–${r.maxMs.toPrecision(3)} | ${r.nsPerBar.toFixed(2)} | ${(r.barsPerSec / 1e6).toFixed(2)} |`),
];
if (interleaved) table.push('', 'Interleaved backend comparison (`bench/src/interleaved.mjs`):', '', '```', ...formatInterleaved(interleaved), '```');
writeFileSync(join(resultsDir, `${stem}.md`), `${table.join('\n')}\n`);
console.log(`\nwrote ${join(resultsDir, `${stem}.json`)} and ${stem}.md`);
