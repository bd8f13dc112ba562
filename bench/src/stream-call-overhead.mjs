// Per-call cost of a stream step through the bindings themselves (no core, no engine): one
// `push` on a stream far past its warm-up, against the same step amortised over a `pushMany` of
// 1,500 bars (one boundary crossing for all of them). The difference is what the boundary adds
// to each `push`: argument conversion, the `this` unwrap, the output copy (wasm).
//
//   node bench/src/stream-call-overhead.mjs            (from the repository root, after a build)
//
// Prints medians over interleaved rounds, in ns, for native (the addon's NativeStream) and wasm
// (the backend's stream objects, and the glue's WasmStream underneath them).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { warmUp } from './harness.mjs';

const root = resolve(import.meta.dirname, '../..');
const load = (pkg) => import(pathToFileURL(join(root, 'packages', pkg, 'dist/index.js')).href);
const { OUTPUT_ROWS, packConfig, resolveConfig } = await load('core');
const { loadBinding } = await load('backend-native');
const { loadWasmBackend } = await load('backend-wasm');

const csv = process.env.ATC_CSV ?? join(root, '../shared/data/ETH_BTC-5m.csv');
const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
const column = header.split(',').indexOf('close');
const closes = Float64Array.from(rows.slice(0, 1500), (row) => Number(row.split(',')[column]));
const n = closes.length;
const config = resolveConfig({});

/** A stream that has seen every close once, and the cases timed on it. */
function cases(name, create) {
  const out = new Float64Array(OUTPUT_ROWS);
  const many = new Float64Array(OUTPUT_ROWS * n);
  const stream = create();
  stream.pushMany(closes, many);
  let i = 0;
  return [
    [`${name}: push`, () => stream.push(closes[i++ % n], out), 20_000, 1],
    [`${name}: replaceLast`, () => stream.replaceLast(closes[i++ % n], out), 20_000, 1],
    [`${name}: pushMany ${n} (per bar)`, () => create().pushMany(closes, many), 10, n],
  ];
}

const binding = loadBinding();
const wasm = await loadWasmBackend();
const packed = packConfig(config);
const all = [
  ...cases('native NativeStream', () => new binding.NativeStream(packed)),
  ...cases('wasm backend stream', () => wasm.createStream(config)),
];
const samples = all.map(() => []);
for (const [, fn] of all) warmUp(fn, { ms: 1000 });
for (let round = 0; round < 25; round++) {
  all.forEach(([, fn, inner, bars], k) => {
    const start = process.hrtime.bigint();
    for (let j = 0; j < inner; j++) fn();
    samples[k].push(Number(process.hrtime.bigint() - start) / inner / bars);
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
all.forEach(([name], k) => console.log(`${name.padEnd(44)} ${median(samples[k]).toFixed(0).padStart(7)} ns`));
for (let k = 0; k < all.length; k += 3) {
  const [push, , many] = [k, k + 1, k + 2].map((j) => median(samples[j]));
  console.log(`${all[k][0].split(':')[0]}: boundary ≈ ${(push - many).toFixed(0)} ns per push (push − pushMany per bar)`);
}
