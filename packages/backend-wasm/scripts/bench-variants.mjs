#!/usr/bin/env node
// Plain vs SIMD wasm build (and the js backend for scale): median milliseconds of
//  - the fused pipeline on 1500 bars, default config (backend.computeAtc, copies included);
//  - EMA(28) on 1e6 points, through the backend (copy in/out included).
// Run after `pnpm --filter @adaptive-trend/backend-wasm build`:
//   node scripts/bench-variants.mjs [--runs 400]
import { allocateBuffers, resolveConfig } from '@adaptive-trend/core';
import { createJsBackend } from '@adaptive-trend/backend-js';
import { defaultWasmUrl, loadWasmBackend } from '../dist/index.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 400;

function series(n, seed = 42) {
  const out = new Float64Array(n);
  let p = 100;
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    p *= 1 + (s / 2147483648 - 0.5) * 0.02;
    out[i] = p;
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Times each contender `runs` times, interleaved round-robin so drift hits all equally. */
function race(contenders, runs, warmup = Math.max(5, runs / 10)) {
  // at least `warmup` calls and 1 s each: V8 optimises wasm in the background after a while
  for (const c of contenders) {
    const start = performance.now();
    for (let i = 0; i < warmup || performance.now() - start < 1000; i++) c.fn();
  }
  const times = contenders.map(() => []);
  for (let r = 0; r < runs; r++) {
    contenders.forEach((c, k) => {
      const t0 = performance.now();
      c.fn();
      times[k].push(performance.now() - t0);
    });
  }
  return contenders.map((c, k) => ({ name: c.name, median: median(times[k]), min: Math.min(...times[k]) }));
}

const plain = await loadWasmBackend({ module: defaultWasmUrl(false) });
const simd = await loadWasmBackend({ module: defaultWasmUrl(true) });
const js = createJsBackend();
if (plain.simd || !simd.simd) throw new Error('expected a plain and a SIMD build');

const prices = series(1500);
const config = resolveConfig({});
const buffers = allocateBuffers(prices.length, false);
const pipeline = race(
  [
    { name: 'wasm plain', fn: () => plain.computeAtc(prices, config, buffers) },
    { name: 'wasm simd', fn: () => simd.computeAtc(prices, config, buffers) },
    { name: 'js', fn: () => js.computeAtc(prices, config, buffers) },
  ],
  RUNS,
);

const big = series(1_000_000, 7);
const out = new Float64Array(big.length);
const emaRuns = Math.max(30, Math.round(RUNS / 8));
const ema = race(
  [
    { name: 'wasm plain (incl. copy)', fn: () => plain.movingAverage('ema', big, 28, out) },
    { name: 'wasm simd (incl. copy)', fn: () => simd.movingAverage('ema', big, 28, out) },
    { name: 'js', fn: () => js.movingAverage('ema', big, 28, out) },
  ],
  emaRuns,
);

const show = (title, rows, runs) => {
  console.log(`\n${title} (median of ${runs} runs, ms)`);
  for (const r of rows) console.log(`  ${r.name.padEnd(26)} ${r.median.toFixed(3).padStart(8)}   (min ${r.min.toFixed(3)})`);
};
show('fused pipeline, 1500 bars, default config', pipeline, RUNS);
show('EMA(28), 1e6 points', ema, emaRuns);
