// Per-call overhead of the wasm backend object (its JS glue + the module; no core engine):
// `rateOfChange` on a 16-element Float64Array (almost all boundary cost) and `computeAtc` on
// 1 500 real bars. Takes the backend-wasm package directory, so the same script measures any
// build of it (e.g. a checkout before the wasm-bindgen move):
//
//   node bench/src/call-overhead-wasm.mjs packages/backend-wasm [data.csv]
//
// Prints median ns per call (11 timed batches after a time-based warm-up). The twin of
// call-overhead.mjs (native binding).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measure } from './harness.mjs';

const [pkgArg, csvArg] = process.argv.slice(2);
if (!pkgArg) {
  console.error('usage: node bench/src/call-overhead-wasm.mjs <backend-wasm package dir> [csv with a close column]');
  process.exit(1);
}
const pkg = resolve(pkgArg);
const csv = csvArg ?? resolve(pkg, '../../../shared/data/ETH_BTC-5m.csv');
const { loadWasmBackend } = await import(pathToFileURL(join(pkg, 'dist/index.js')).href);
const { allocateBuffers, resolveConfig } = await import(pathToFileURL(join(pkg, '../core/dist/index.js')).href);
const backend = await loadWasmBackend();

const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
const close = header.split(',').indexOf('close');
const prices = Float64Array.from(rows.slice(0, 1500), (row) => Number(row.split(',')[close]));
const config = resolveConfig({});
const buffers = allocateBuffers(prices.length - config.cutout, false);

const small = prices.slice(0, 16);
const smallOut = new Float64Array(16);
const cases = [
  ['rateOfChange, 16 values', () => backend.rateOfChange(small, smallOut), 1_000_000],
  ['computeAtc, 1 500 bars', () => backend.computeAtc(prices, config, buffers), 200],
];
console.log(`wasm backend (${backend.source}, SIMD ${backend.simd}) from ${pkg}`);
for (const [name, fn, inner] of cases) {
  const stats = measure(fn, { bars: 1, inner, runs: 11, warmupMs: 1500 });
  console.log(`${name.padEnd(26)} ${(stats.medianMs * 1e6).toFixed(1).padStart(10)} ns/call  (p25 ${(stats.p25Ms * 1e6).toFixed(1)}, p75 ${(stats.p75Ms * 1e6).toFixed(1)})`);
}
