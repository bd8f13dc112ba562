// Worker of `interleaved.mjs`: one backend's engine in its own isolate. Answers 'warm' (2 s of
// warm-up on every series it will time), { series: 'real' } (every real window `REAL_REPS`
// times → ms per call, overall and per dataset) and { series: 'synthetic' } (100 calls on the
// seeded random walk → ms per call).
import { parentPort, workerData } from 'node:worker_threads';
import { AtcEngine } from '@adaptive-trend/core';
import { randomWalk, warmUp } from './harness.mjs';
import { realWindowsByDataset } from './real-data.mjs';

const REAL_REPS = 3;
const { backendFactory } = await import(`@adaptive-trend/backend-${workerData.backend}`);
const engine = new AtcEngine(await backendFactory.load());
const synthetic = randomWalk(1500, 7);
const windows = realWindowsByDataset({ bars: 1500 }) ?? [];

function timeReal() {
  const perDataset = {};
  let total = 0;
  for (const { dataset, closes } of windows) {
    const start = performance.now();
    for (let i = 0; i < REAL_REPS; i++) engine.compute(closes);
    const ms = performance.now() - start;
    (perDataset[dataset] ??= []).push(ms / REAL_REPS);
    total += ms;
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { ms: total / (REAL_REPS * windows.length), perDataset: Object.fromEntries(Object.entries(perDataset).map(([d, xs]) => [d, mean(xs)])) };
}

function timeSynthetic() {
  const start = performance.now();
  for (let i = 0; i < 100; i++) engine.compute(synthetic);
  return { ms: (performance.now() - start) / 100 };
}

parentPort.on('message', (msg) => {
  if (msg === 'warm') {
    let k = 0;
    const all = [synthetic, ...windows.map((w) => w.closes)];
    warmUp(() => engine.compute(all[k++ % all.length]), { calls: 300, ms: 2000 });
    parentPort.postMessage({ windows: windows.length });
    return;
  }
  parentPort.postMessage(msg.series === 'real' ? timeReal() : timeSynthetic());
});
parentPort.postMessage('ready');
