#!/usr/bin/env node
// `node bench/src/pipeline-solo.mjs [native|wasm|js]`: the fused pipeline on 1500 bars in a
// process that loads nothing else: 2 s of warm-up (wasm reaches its optimising tier only after
// V8's background TurboFan compile), then 15 timed batches of 100 calls, median and min per call.
import { AtcEngine } from '@adaptive-trend/core';
import { randomWalk, warmUp } from './harness.mjs';

const name = process.argv[2] ?? 'native';
const { backendFactory } = await import(`@adaptive-trend/backend-${name}`);
const engine = new AtcEngine(await backendFactory.load());
const prices = randomWalk(1500, 7);
warmUp(() => engine.compute(prices), { calls: 300, ms: 2000 });
const samples = [];
for (let r = 0; r < 15; r++) {
  const start = performance.now();
  for (let i = 0; i < 100; i++) engine.compute(prices);
  samples.push((performance.now() - start) / 100);
}
samples.sort((a, b) => a - b);
console.log(`${name}: fused pipeline, 1500 bars, default config: median ${samples[7].toFixed(4)} ms, min ${samples[0].toFixed(4)} ms, max ${samples[14].toFixed(4)} ms per call`);
