#!/usr/bin/env node
// Long series (issue 17, item 5): the cost per bar of one `compute` (no details) from 1,500 to
// 10⁷ bars on every backend, and its peak memory. Each row runs in a fresh child process, so
// `process.resourceUsage().maxRSS` is that row's own peak (it includes the ~50–80 MB of a Node
// process with the backend loaded: the 1,500-bar rows show that floor).
//
//   node bench/src/long-series.mjs                        # 10⁶ and 10⁷ rows + the 1,500 base
//   node bench/src/long-series.mjs --sizes 1500,1e4,1e5,1e6,1e7 --backends native,wasm,js \
//        --modes compute,batch,stream
//   node bench/src/long-series.mjs --backends js --chunk 65535  # core's pushMany chunks, not computeLongSeries
//
// Modes: `compute` = engine.compute(closes) (whichever path core picks: docs/architecture.md
// "Long series"); `batch` = the backend's materialising `computeAtc` called directly (the path
// `compute` took for every size before the long-series path); `stream` = one stream's
// `pushMany` over the whole series. Series: the closes of every dataset in ../shared/data,
// each divided by its first close (so joins are not jumps), concatenated and repeated to length.
// Config: lambda 0.005 (the smallest allowed) and a cutout of n/10 at every size: on these
// closes the growth exp(lambda/1000 · i) makes an equity overflow (GROWTH_OVERFLOW) after
// ~9.2·10⁶ bars past the cutout even at the smallest lambda, so 10⁷ bars need a cutout; n/10
// keeps the output 0.9·n bars at every size.
// Timings are wall clock (noisy on a shared machine) and the process's CPU time (user + system,
// which includes the kernel zeroing the output pages); the ratio columns divide a row's ns/bar
// by the 1,500-bar row's of the same backend and mode. `--ratio` uses CPU time.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realCloses, sharedDir } from './real-data.mjs';

const BASE_BARS = 1500;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

/** Real closes, normalised per dataset and repeated to `n` bars. */
export function longSeries(n) {
  const shared = sharedDir();
  if (!shared) throw new Error('long-series: ../shared/data not found (set ATC_SHARED_DIR)');
  const parts = readdirSync(join(shared, 'data'))
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => {
      const closes = realCloses(f.slice(0, -4));
      const first = closes[0];
      return closes.map((c) => c / first);
    });
  const one = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    one.set(p, at);
    at += p.length;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += one.length) out.set(one.subarray(0, Math.min(one.length, n - i)), i);
  return out;
}

async function loadBackend(name) {
  const mod = await import(`@adaptive-trend/backend-${name}`);
  return mod.backendFactory.load();
}

/** CPU time of this process so far (user + system), in ms. */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e3;
}

/** One row, in this (child) process: prints one JSON line. */
async function child(backendName, bars, mode) {
  const core = await import('@adaptive-trend/core');
  await import(`@adaptive-trend/backend-${backendName}`);
  const engine = await core.createAtc({ backend: backendName });
  const chunkBars = option('chunk', undefined); // any size but core's default: its chunk loop through pushMany
  if (chunkBars !== undefined) (await import('../../packages/core/dist/long-series.js')).setLongSeriesOptions({ chunkBars: Number(chunkBars) });
  const backend = mode === 'batch' ? await loadBackend(backendName) : undefined;
  const config = core.resolveConfig({ lambda: 0.005, cutout: Math.floor(bars / 10) });
  const smallConfig = core.resolveConfig({ lambda: 0.005, cutout: Math.floor(BASE_BARS / 10) });
  const run = {
    compute: (closes, config) => engine.compute(closes, config),
    batch: (closes, config) => backend.computeAtc(closes, config, core.allocateBuffers(core.outputBars(config, closes.length), false)),
    stream: (closes, config) => {
      const stream = engine.stream(config);
      stream.pushMany(closes);
      stream.dispose();
    },
  }[mode];
  if (!run) throw new Error(`unknown mode ${mode}`);
  // warm up on a small series (JIT tiers, wasm's TurboFan) for at least a second
  const small = longSeries(BASE_BARS);
  const warmStart = performance.now();
  while (performance.now() - warmStart < 1000) run(small, smallConfig);
  const closes = longSeries(bars);
  const samples = [];
  const runStart = performance.now();
  // at least 3 calls and ~2 s for small sizes; one call for 10⁶ and more
  const cpuSamples = [];
  do {
    const t = performance.now();
    const c = cpuMs();
    run(closes, config);
    cpuSamples.push(cpuMs() - c);
    samples.push(performance.now() - t);
  } while (bars < 1e6 && (samples.length < 3 || performance.now() - runStart < 2000));
  samples.sort((a, b) => a - b);
  cpuSamples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const cpuMedian = cpuSamples[Math.floor(cpuSamples.length / 2)];
  const row = { backend: backendName, mode, bars, calls: samples.length, seconds: median / 1e3, minSeconds: samples[0] / 1e3, maxSeconds: samples.at(-1) / 1e3, nsPerBar: (median * 1e6) / bars, cpuNsPerBar: (cpuMedian * 1e6) / bars, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

/**
 * `--crossover`: in one process per backend, `compute` on the batch path and on the long path
 * interleaved (threshold forced through core's test hook), the median of the per-pair ratios
 * long/batch with its min–max: the threshold is where it falls below 1.
 */
async function crossover() {
  const sizes = option('sizes', '3000,1e4,3e4,1e5,3e5').split(',').map(Number);
  const backends = option('backends', 'native,wasm,js').split(',');
  const pairs = Number(option('pairs', '9'));
  const semantics = option('semantics', 'reference');
  const core = await import('@adaptive-trend/core');
  const { setLongSeriesOptions } = await import('../../packages/core/dist/long-series.js');
  console.log(`${semantics}: backend | bars | long/batch median (min–max) | batch ns/bar | long ns/bar`);
  for (const name of backends) {
    await import(`@adaptive-trend/backend-${name}`);
    const engine = await core.createAtc({ backend: name });
    for (const bars of sizes) {
      const closes = longSeries(bars);
      const config = core.resolveConfig({ lambda: 0.005, cutout: Math.floor(bars / 10), semantics });
      const time = (threshold) => {
        setLongSeriesOptions({ threshold });
        const reps = Math.max(1, Math.round(2e5 / bars));
        const t = performance.now();
        for (let r = 0; r < reps; r++) engine.compute(closes, config);
        return (performance.now() - t) / reps;
      };
      for (let w = 0; w < 3; w++) (time(Infinity), time(0));
      const ratios = [], batch = [], long = [];
      for (let p = 0; p < pairs; p++) {
        let b, l;
        if (p % 2) {
          b = time(Infinity);
          l = time(0);
        } else {
          l = time(0);
          b = time(Infinity);
        }
        batch.push(b);
        long.push(l);
        ratios.push(l / b);
      }
      setLongSeriesOptions({ threshold: undefined });
      const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
      console.log(`${name} | ${bars} | ${med(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${((med(batch) * 1e6) / bars).toFixed(0)} | ${((med(long) * 1e6) / bars).toFixed(0)}`);
    }
  }
}

/**
 * `--ratio`: the measure, interleaved in one process per backend: the cost per bar of
 * `compute` on the long path over `--bars` (default 10⁶; forced through core's test hook)
 * against `compute` on 1,500 bars (batch), alternating, `--pairs` times.
 */
async function ratio() {
  const bars = Number(option('bars', '1e6'));
  const backends = option('backends', 'native,wasm,js').split(',');
  const pairs = Number(option('pairs', '5'));
  const core = await import('@adaptive-trend/core');
  const { setLongSeriesOptions } = await import('../../packages/core/dist/long-series.js');
  const chunkBars = option('chunk', undefined);
  if (chunkBars !== undefined) setLongSeriesOptions({ chunkBars: Number(chunkBars) });
  console.log(`backend | long path ${bars} bars ns/bar | compute ${BASE_BARS} ns/bar | ratio median (min–max)`);
  for (const name of backends) {
    await import(`@adaptive-trend/backend-${name}`);
    const engine = await core.createAtc({ backend: name });
    const long = longSeries(bars);
    const base = longSeries(BASE_BARS);
    const longConfig = core.resolveConfig({ lambda: 0.005, cutout: Math.floor(bars / 10) });
    const baseConfig = core.resolveConfig({ lambda: 0.005, cutout: Math.floor(BASE_BARS / 10) });
    // CPU time of the process (user + system: the kernel's page faults of the outputs count),
    // not wall clock: the machine may be shared
    const perBar = (closes, config, threshold, reps) => {
      setLongSeriesOptions({ threshold });
      const t = cpuMs();
      for (let r = 0; r < reps; r++) engine.compute(closes, config);
      return ((cpuMs() - t) * 1e6) / (reps * closes.length);
    };
    const baseReps = Math.ceil((2 * bars) / BASE_BARS / 4); // ~half the long call's bars
    perBar(base, baseConfig, Infinity, baseReps);
    perBar(long, longConfig, 0, 1);
    const ratios = [], longs = [], bases = [];
    for (let p = 0; p < pairs; p++) {
      const b1 = perBar(base, baseConfig, Infinity, baseReps);
      const l = perBar(long, longConfig, 0, 1);
      const b2 = perBar(base, baseConfig, Infinity, baseReps);
      const b = Math.min(b1, b2);
      bases.push(b);
      longs.push(l);
      ratios.push(l / b);
    }
    setLongSeriesOptions({ threshold: undefined });
    const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    console.log(`${name} | ${med(longs).toFixed(0)} | ${med(bases).toFixed(0)} | ${med(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
  }
}

/**
 * `--paths`: in one process per backend, `compute` on the long path over `--bars` bars two ways,
 * interleaved: the backend's own `computeLongSeries` (core's default chunk) against core's chunk
 * loop through `pushMany` (`--chunk`, default 65,535: any size but the default skips
 * `computeLongSeries`). CPU ns/bar of each and the per-pair ratio own/pushMany.
 */
async function paths() {
  const bars = Number(option('bars', '1e6'));
  const backends = option('backends', 'js').split(',');
  const pairs = Number(option('pairs', '5'));
  const chunk = Number(option('chunk', '65535'));
  const core = await import('@adaptive-trend/core');
  const { setLongSeriesOptions } = await import('../../packages/core/dist/long-series.js');
  console.log(`backend | bars | computeLongSeries CPU ns/bar | pushMany chunks CPU ns/bar | ratio median (min–max)`);
  for (const name of backends) {
    await import(`@adaptive-trend/backend-${name}`);
    const engine = await core.createAtc({ backend: name });
    const closes = longSeries(bars);
    const config = core.resolveConfig({ lambda: 0.005, cutout: Math.floor(bars / 10) });
    const perBar = (chunkBars) => {
      setLongSeriesOptions({ threshold: 0, chunkBars });
      const t = cpuMs();
      engine.compute(closes, config);
      return ((cpuMs() - t) * 1e6) / bars;
    };
    perBar(1 << 16);
    perBar(chunk);
    const own = [], chunked = [], ratios = [];
    for (let p = 0; p < pairs; p++) {
      const [a, b] = p % 2 ? [perBar(1 << 16), perBar(chunk)] : [undefined, perBar(chunk)];
      const o = a ?? perBar(1 << 16);
      own.push(o);
      chunked.push(b);
      ratios.push(o / b);
    }
    setLongSeriesOptions({ threshold: undefined, chunkBars: 1 << 16 });
    const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    console.log(`${name} | ${bars} | ${med(own).toFixed(0)} | ${med(chunked).toFixed(0)} | ${med(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`);
  }
}

async function parent() {
  const sizes = option('sizes', `${BASE_BARS},1e6,1e7`).split(',').map(Number);
  const backends = option('backends', 'native,wasm,js').split(',');
  const modes = option('modes', 'compute,stream').split(',');
  const self = fileURLToPath(import.meta.url);
  const header = ['backend', 'mode', 'bars', 'seconds', 'ns/bar', '× 1,500', 'CPU ns/bar', 'CPU × 1,500', 'peak RSS MiB', 'calls (min–max s)'];
  console.log(header.join(' | '));
  for (const backend of backends) {
    for (const mode of modes) {
      let base, cpuBase;
      for (const bars of sizes) {
        let row;
        try {
          const out = execFileSync(process.execPath, ['--max-old-space-size=8192', self, '--child', backend, String(bars), mode, ...(option('chunk', undefined) ? ['--chunk', option('chunk')] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 });
          row = JSON.parse(out.trim().split('\n').at(-1));
        } catch (error) {
          const why = String(error.stderr ?? error.message).trim().split('\n').filter((l) => /Error|error/.test(l))[0] ?? 'failed';
          console.log([backend, mode, bars, '—', '—', '—', '—', '—', '—', why.slice(0, 160)].join(' | '));
          continue;
        }
        if (bars === BASE_BARS) (base = row.nsPerBar), (cpuBase = row.cpuNsPerBar);
        const ratio = base ? (row.nsPerBar / base).toFixed(2) : '—';
        const cpuRatio = cpuBase ? (row.cpuNsPerBar / cpuBase).toFixed(2) : '—';
        console.log([backend, mode, bars, row.seconds.toFixed(4), row.nsPerBar.toFixed(1), ratio, row.cpuNsPerBar.toFixed(1), cpuRatio, row.maxRssMiB.toFixed(0), `${row.calls} (${row.minSeconds.toFixed(4)}–${row.maxSeconds.toFixed(4)})`].join(' | '));
      }
    }
  }
}

const at = process.argv.indexOf('--child');
if (process.argv[1] !== fileURLToPath(import.meta.url)) {
  // imported (for longSeries): run nothing
} else if (at >= 0) await child(process.argv[at + 1], Number(process.argv[at + 2]), process.argv[at + 3]);
else if (process.argv.includes('--crossover')) await crossover();
else if (process.argv.includes('--ratio')) await ratio();
else if (process.argv.includes('--paths')) await paths();
else await parent();
