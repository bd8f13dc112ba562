#!/usr/bin/env node
// `node bench/src/ratios.mjs [rounds]`: the fused pipeline (1500 bars, default config) of each
// backend in its own fresh process (`pipeline-solo.mjs`), interleaved native → wasm → js for
// several rounds, and the wasm/native and js/native ratios of each round. This VM's speed drifts
// by up to ~2× over minutes (other tenants of the host; it slows every backend, in bursts).
// Interference only ever adds time, so each process contributes its *fastest* batch (min of 15
// batches of 100 calls): the uncontended cost. Adjacent processes see the same state, so the
// per-round ratios are steadier than absolute times. Prints every round and the column medians.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 5);
const solo = join(dirname(fileURLToPath(import.meta.url)), 'pipeline-solo.mjs');
const backends = ['native', 'wasm', 'js'];

function minMs(backend) {
  const run = spawnSync(process.execPath, [solo, backend], { encoding: 'utf8' });
  const match = /min ([\d.]+) ms/.exec(run.stdout ?? '');
  if (run.status !== 0 || !match) throw new Error(`pipeline-solo ${backend} failed: ${run.stderr || run.stdout}`);
  return Number(match[1]);
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const rows = [];
console.log('fused pipeline, 1500 bars, default config: fastest batch per process (ms per call)');
console.log('round  native ms  wasm ms  js ms  wasm/native  js/native');
for (let r = 1; r <= rounds; r++) {
  const [native, wasm, js] = backends.map(minMs);
  const row = { native, wasm, js, wasmRatio: wasm / native, jsRatio: js / native };
  rows.push(row);
  console.log(`${String(r).padStart(5)}  ${native.toFixed(4).padStart(9)}  ${wasm.toFixed(4).padStart(7)}  ${js.toFixed(4).padStart(5)}  ${row.wasmRatio.toFixed(2).padStart(11)}  ${row.jsRatio.toFixed(2).padStart(9)}`);
}
const col = (key) => median(rows.map((row) => row[key]));
console.log(`median ${col('native').toFixed(4).padStart(9)}  ${col('wasm').toFixed(4).padStart(7)}  ${col('js').toFixed(4).padStart(5)}  ${col('wasmRatio').toFixed(2).padStart(11)}  ${col('jsRatio').toFixed(2).padStart(9)}`);
