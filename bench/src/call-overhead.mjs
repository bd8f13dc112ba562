// Per-call cost of the native binding itself (no core, no backend wrapper): `rateOfChange` on
// a 16-element Float64Array (almost all boundary cost) and `computeAtc` on 1 500 real bars.
// Takes one or more backend-native package directories (e.g. a checkout before a change and
// the working tree); all are loaded into one process and timed in interleaved rounds, so they
// are compared under the same conditions:
//
//   node bench/src/call-overhead.mjs /tmp/before/packages/backend-native packages/backend-native
//
// Prints the median ns per call over the rounds (after a time-based warm-up), and checks that
// every build gives the same computeAtc bits.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { warmUp } from './harness.mjs';

const pkgs = process.argv.slice(2).map((p) => resolve(p));
if (pkgs.length === 0) {
  console.error('usage: node bench/src/call-overhead.mjs <backend-native package dir>...');
  process.exit(1);
}
const csv = process.env.ATC_CSV ?? resolve(pkgs[0], '../../../shared/data/ETH_BTC-5m.csv');
const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
const close = header.split(',').indexOf('close');
const prices = Float64Array.from(rows.slice(0, 1500), (row) => Number(row.split(',')[close]));
const small = prices.slice(0, 16);
const smallOut = new Float64Array(16);

const builds = [];
for (const pkg of pkgs) {
  const { loadBinding } = await import(pathToFileURL(join(pkg, 'dist/index.js')).href);
  const { packConfig, resolveConfig } = await import(pathToFileURL(join(pkg, '../core/dist/index.js')).href);
  const config = resolveConfig({});
  const binding = loadBinding();
  const out = new Float64Array(13 * (prices.length - config.cutout));
  const params = packConfig(config);
  builds.push({
    pkg,
    out,
    cases: [
      ['rateOfChange, 16 values', () => binding.rateOfChange(small, smallOut), 50_000],
      ['computeAtc, 1 500 bars', () => binding.computeAtc(prices, params, out, null, null, null), 40],
    ],
    samples: [[], []],
  });
}
for (const b of builds) for (const [, fn] of b.cases) warmUp(fn, { ms: 1500 });
const differs = builds.filter((b) => !b.out.every((v, i) => Object.is(v, builds[0].out[i])));
if (differs.length) console.log(`computeAtc bits differ from ${pkgs[0]}: ${differs.map((b) => b.pkg).join(', ')}`);

for (let round = 0; round < 25; round++) {
  for (const b of builds) {
    b.cases.forEach(([, fn, inner], k) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < inner; i++) fn();
      b.samples[k].push(Number(process.hrtime.bigint() - start) / inner);
    });
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const b of builds) {
  console.log(b.pkg);
  b.cases.forEach(([name], k) => console.log(`  ${name.padEnd(24)} ${median(b.samples[k]).toFixed(0).padStart(9)} ns/call`));
}
