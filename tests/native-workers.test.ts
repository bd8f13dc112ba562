// The native addon is loaded and called from several worker_threads at once (each thread gets
// its own module instance and workspace) while the main thread computes too.
import { Worker } from 'node:worker_threads';
import { backendFactory } from '@adaptive-trend/backend-native';
import { findSharedDir, loadCloses, smokeSeries } from '@adaptive-trend/conformance';
import { AtcEngine } from '@adaptive-trend/core';
import { expect, it } from 'vitest';

const shared = findSharedDir();
const prices = shared ? loadCloses(shared, 'ETH_BTC-5m') : smokeSeries();

it('four worker threads and the main thread compute concurrently with identical results', async () => {
  const engine = new AtcEngine(await backendFactory.load());
  const expected = engine.compute(prices).averageSignal;
  const workers = Array.from({ length: 4 }, () => new Worker(new URL('./fixtures/native-worker.mjs', import.meta.url), { workerData: { prices, repeats: 25 } }));
  const results = workers.map((w) => new Promise<Float64Array>((resolve, reject) => {
    w.once('message', (m: { average: Float64Array }) => resolve(m.average));
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  }));
  for (let i = 0; i < 25; i++) expect(engine.compute(prices).averageSignal).toEqual(expected);
  for (const average of await Promise.all(results)) expect(average).toEqual(expected);
  await Promise.all(workers.map((w) => w.terminate()));
});
