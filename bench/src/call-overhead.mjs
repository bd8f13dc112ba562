// Per-call overhead of the native binding itself (no core, no backend wrapper): `rateOfChange`
// on a 16-element Float64Array (almost all boundary cost) and `computeAtc` on 1 500 real bars.
// Takes the backend-native package directory, so the same script measures any build of it:
//
//   node bench/src/call-overhead.mjs packages/backend-native [data.csv]
//
// Prints median ns per call (11 timed batches after a time-based warm-up).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measure } from './harness.mjs';

const [pkgArg, csvArg] = process.argv.slice(2);
if (!pkgArg) {
  console.error('usage: node bench/src/call-overhead.mjs <backend-native package dir> [csv with a close column]');
  process.exit(1);
}
const pkg = resolve(pkgArg);
const csv = csvArg ?? resolve(pkg, '../../../shared/data/ETH_BTC-5m.csv');
const { loadBinding } = await import(pathToFileURL(join(pkg, 'dist/index.js')).href);
const { packConfig, resolveConfig } = await import(pathToFileURL(join(pkg, '../core/dist/index.js')).href);
const binding = loadBinding();

const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
const close = header.split(',').indexOf('close');
const prices = Float64Array.from(rows.slice(0, 1500), (row) => Number(row.split(',')[close]));
const config = resolveConfig({});
const params = packConfig(config);
const out = new Float64Array(13 * (prices.length - config.cutout));

const small = prices.slice(0, 16);
const smallOut = new Float64Array(16);
const cases = [
  ['rateOfChange, 16 values', () => binding.rateOfChange(small, smallOut), 100_000],
  ['computeAtc, 1 500 bars', () => binding.computeAtc(prices, params, out, null, null, null), 200],
];
console.log(`binding ${binding.version()} from ${pkg}`);
for (const [name, fn, inner] of cases) {
  const stats = measure(fn, { bars: 1, inner, warmupMs: 1500 });
  console.log(`${name.padEnd(26)} ${(stats.medianMs * 1e6).toFixed(1).padStart(10)} ns/call  (p25 ${(stats.p25Ms * 1e6).toFixed(1)}, p75 ${(stats.p75Ms * 1e6).toFixed(1)})`);
}
