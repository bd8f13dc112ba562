// Worker of `interleaved-real.mjs`: one backend's engine in its own
// isolate — a worker thread, or (`interleaved-real.mjs --cpu`) a child process, which can time
// its calls in CPU time. `series` (workerData, or argv[2] as JSON in a child) names the series
// it times (`walk` = the synthetic random walk, otherwise `<dataset>@<offset>`: 1,500 closes
// of ../shared/data/<dataset>.csv from bar <offset>). Answers 'warm' (2 s of warm-up over every
// series) and `{ series, calls }` (that many timed calls → ms per call; in a child process
// `{ wall, cpu }`, cpu = the process's user + system time per call).
import { parentPort, workerData } from 'node:worker_threads';
import { AtcEngine } from '@adaptive-trend/core';
import { randomWalk, warmUp } from './harness.mjs';
import { seriesFor } from './real-data.mjs';

const child = !parentPort;
const { backend, series: names = ['walk'] } = child ? JSON.parse(process.argv[2]) : workerData;
const post = (value) => (child ? process.send(value) : parentPort.postMessage(value));
const { backendFactory } = await import(`@adaptive-trend/backend-${backend}`);
const engine = new AtcEngine(await backendFactory.load());
const series = new Map(names.map((name) => [name, name === 'walk' ? randomWalk(1500, 7) : seriesFor(name, 1500)]));
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
(child ? process : parentPort).on('message', (msg) => {
  if (msg === 'warm') {
    const all = [...series.values()];
    let i = 0;
    warmUp(() => engine.compute(all[i++ % all.length]), { calls: 300, ms: 2000 });
    post(0);
    return;
  }
  if (msg === 'exit') process.exit(0);
  const { series: name = 'walk', calls = 100 } = msg === 'batch' ? {} : msg;
  const prices = series.get(name);
  const cpu0 = child ? cpuMs() : 0;
  const start = performance.now();
  for (let i = 0; i < calls; i++) engine.compute(prices);
  const wall = (performance.now() - start) / calls;
  post(child ? { wall, cpu: (cpuMs() - cpu0) / calls } : wall);
});
post('ready');
