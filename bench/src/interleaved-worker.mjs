// Worker of `interleaved.mjs`: one backend's engine in its own isolate; answers 'warm' (2 s of
// warm-up) and 'batch' (100 timed calls → ms per call).
import { parentPort, workerData } from 'node:worker_threads';
import { AtcEngine } from '@adaptive-trend/core';
import { randomWalk, warmUp } from './harness.mjs';

const { backendFactory } = await import(`@adaptive-trend/backend-${workerData.backend}`);
const engine = new AtcEngine(await backendFactory.load());
const prices = randomWalk(1500, 7);
parentPort.on('message', (msg) => {
  if (msg === 'warm') {
    warmUp(() => engine.compute(prices), { calls: 300, ms: 2000 });
    parentPort.postMessage(0);
    return;
  }
  const start = performance.now();
  for (let i = 0; i < 100; i++) engine.compute(prices);
  parentPort.postMessage((performance.now() - start) / 100);
});
parentPort.postMessage('ready');
