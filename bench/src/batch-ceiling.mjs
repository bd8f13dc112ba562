// What two JavaScript threads of one Node process get with no batch machinery at all (issue 17,
// item 3): the calling thread and one worker each loop `engine.compute` over half of the 500 real
// series × 1,500 bars (every other series), keeping their results as computeBatch does, started
// together; against the calling thread looping all 500. No copies, no messages per series, no
// chunking — a hand split's best case, to read computeBatch's ratio (bench/src/batch.mjs) against.
//
//   node bench/src/batch-ceiling.mjs [--backends=wasm,js] [--runs=9]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { AtcEngine } from '@adaptive-trend/core';
import { realWindows } from './batch.mjs';

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

async function engineFor(name) {
  const { backendFactory } = await import(`@adaptive-trend/backend-${name}`);
  return new AtcEngine(await backendFactory.load());
}

/** A loop of `compute` over `series`, results kept (as a caller of computeBatch holds them). */
const loop = (engine, series) => series.map((s) => engine.compute(s));
const half = (series, k) => series.filter((_, i) => i % 2 === k);

if (isMainThread) {
  const runs = Number(arg('runs') ?? 9);
  const series = realWindows(500, 1500);
  if (!series) throw new Error('needs ../shared/data (or ATC_SHARED_DIR)');
  for (const name of (arg('backends') ?? 'wasm,js').split(',')) {
    const engine = await engineFor(name);
    const worker = new Worker(new URL(import.meta.url), { workerData: { name } });
    await new Promise((resolve) => worker.once('message', resolve)); // loaded
    const other = () => new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage('go');
    });
    for (let w = 0; w < 3; w++) {
      loop(engine, series);
      await other();
    }
    const alone = [];
    const split = [];
    for (let r = 0; r < runs; r++) {
      let t = performance.now();
      loop(engine, series);
      alone.push(performance.now() - t);
      t = performance.now();
      const theirs = other();
      loop(engine, half(series, 0));
      await theirs;
      split.push(performance.now() - t);
    }
    await worker.terminate();
    const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
    const ratios = alone.map((a, r) => a / split[r]);
    console.log(
      `${name.padEnd(6)} 500×1500  loop ${med(alone).toFixed(1)} ms  two isolates, half each ${med(split).toFixed(1)} ms  ` +
        `speed-up ${med(ratios).toFixed(2)}× (per run ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
    );
  }
} else {
  const engine = await engineFor(workerData.name);
  const mine = half(realWindows(500, 1500), 1);
  parentPort.on('message', () => {
    loop(engine, mine);
    parentPort.postMessage('done');
  });
  parentPort.postMessage('ready');
}
