#!/usr/bin/env node
// One-off comparison for docs/performance.md: PineTS (npm `pinets`, an independent Pine runtime,
// AGPL-3.0 — a devDependency of the private tests workspace only, resolved from there, never a
// dependency of this or any published package) running the flattened ATC Pine script
// (../shared/tools/pine-oracle/flatten.py) on a real 5,760-bar series, against our
// `semantics: 'pine'` on every backend. Run: `node bench/src/pinets-vs-pine.mjs` (needs ../shared).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtcEngine } from '@adaptive-trend/core';
import { machineInfo, measure } from './harness.mjs';
import { realCandles, sharedDir } from './real-data.mjs';

const DATASET = 'ETH_BTC-5m';
const here = dirname(fileURLToPath(import.meta.url));
const shared = sharedDir();
if (!shared) throw new Error('../shared not found (set ATC_SHARED_DIR)');
const candles = realCandles(DATASET);
const closes = Float64Array.from(candles, (c) => c.close);
const { PineTS } = await import(createRequire(join(here, '..', '..', 'tests', 'package.json')).resolve('pinets'));
const script = execFileSync('python3', [join(shared, 'tools', 'pine-oracle', 'flatten.py'), '{}'], { encoding: 'utf8' });

console.log(`machine: ${JSON.stringify(machineInfo())}`);
console.log(`series: ${DATASET}, ${closes.length} bars, default settings, semantics 'pine'`);
const runs = [];
for (let r = 0; r < 5; r++) {
  const start = performance.now();
  await new PineTS(candles).run(script);
  runs.push(performance.now() - start);
}
runs.sort((a, b) => a - b);
const pinets = runs[runs.length >> 1];
console.log(`PineTS 0.9.34 (flattened script, transpile + run): median ${pinets.toFixed(0)} ms over ${runs.length} runs [${runs[0].toFixed(0)}–${runs.at(-1).toFixed(0)}]`);
for (const [name, pkg] of [['native', '@adaptive-trend/backend-native'], ['wasm', '@adaptive-trend/backend-wasm'], ['js', '@adaptive-trend/backend-js']]) {
  const { backendFactory } = await import(pkg);
  const engine = new AtcEngine(await backendFactory.load());
  const stats = measure(() => engine.compute(closes, { semantics: 'pine' }), { bars: closes.length, inner: 10, runs: 11 });
  console.log(`adaptive-trend ${name.padEnd(6)} pine: median ${stats.medianMs.toFixed(3)} ms [${stats.minMs.toFixed(3)}–${stats.maxMs.toFixed(3)}]  → PineTS / ours = ${(pinets / stats.medianMs).toFixed(0)}×`);
}
