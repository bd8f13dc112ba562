// Where computeBatch's time goes, as CPU time per thread (Linux: /proc/self/task/*/schedstat),
// which a loaded machine distorts far less than wall time: a loop of `engine.compute` keeping
// its results against `computeBatch`, interleaved run by run, on 500 real series × 1,500 bars.
// Threads are told apart as the calling thread, threads started after this script began (the
// pool's workers), threads that ended during the run (native's Rust threads: process CPU minus
// the rest) and the threads the process started with (V8's GC/compiler helpers, libuv).
//
//   node bench/src/batch-cpu.mjs [--backends=native,wasm,js] [--runs=9] [--threads=N] [--core=/path/to/other/core/dist/index.js]
//
// Also counted: minor page faults of the whole process (fresh memory the kernel had to map
// and zero; a buffer the allocator recycles costs none).
//
// `--core` adds a third side: computeBatch of another build of @adaptive-trend/core (e.g. the
// main branch's) on the same backend instance, for a before/after in one process.
import { readdirSync, readFileSync } from 'node:fs';
import { AtcEngine } from '@adaptive-trend/core';
import { realWindows } from './batch.mjs';

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const backends = (arg('backends') ?? 'native,wasm,js').split(',');
const runs = Number(arg('runs') ?? 9);
const batchOptions = arg('threads') ? { threads: Number(arg('threads')) } : {};
const Other = arg('core') ? await import(arg('core')) : undefined;
const series = realWindows(500, 1500);
if (!series) throw new Error('needs ../shared/data (or ATC_SHARED_DIR)');

const ms = (ns) => Number(ns) / 1e6;
const mainTid = readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0];
const startup = new Set(readdirSync('/proc/self/task'));
const processCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const threadCpu = () => {
  const cpu = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      cpu.set(tid, ms(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return cpu;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

for (const name of backends) {
  const { backendFactory } = await import(`@adaptive-trend/backend-${name}`);
  const backend = await backendFactory.load();
  const engine = new AtcEngine(backend);
  const other = Other && new Other.AtcEngine(backend);
  let held;
  const sides = {
    loop: () => {
      held = series.map((s) => engine.compute(s));
    },
    ...(other && { 'other core batch': async () => (held = await other.computeBatch(series, {}, batchOptions)) }),
    computeBatch: async () => (held = await engine.computeBatch(series, {}, batchOptions)),
  };
  for (let w = 0; w < 2; w++) for (const side of Object.values(sides)) await side();
  const rows = {};
  const add = (key, v) => (rows[key] ??= []).push(v);
  for (let r = 0; r < runs; r++) {
    for (const [side, run] of Object.entries(sides)) {
      held = undefined;
      const before = threadCpu();
      const f0 = process.resourceUsage().minorPageFault;
      const p0 = processCpu();
      const t0 = performance.now();
      await run();
      const wall = performance.now() - t0;
      const total = processCpu() - p0;
      const faults = process.resourceUsage().minorPageFault - f0;
      const after = threadCpu();
      let main = 0, helpers = 0;
      const workers = [];
      for (const [tid, cpu] of after) {
        const d = cpu - (before.get(tid) ?? 0);
        if (tid === mainTid) main += d;
        else if (startup.has(tid)) helpers += d;
        else if (d > 1) workers.push(d);
      }
      const ended = total - main - helpers - workers.reduce((a, b) => a + b, 0);
      add(`${side} wall`, wall);
      add(`${side} process cpu`, total);
      add(`${side} calling thread cpu`, main);
      workers.sort((a, b) => b - a).forEach((d, i) => add(`${side} worker ${i + 1} cpu`, d));
      if (ended > 1) add(`${side} ended threads cpu (native: Rust)`, ended);
      add(`${side} startup threads cpu (V8 helpers, libuv)`, helpers);
      add(`${side} minor page faults (count, not ms)`, faults);
    }
  }
  console.log(`batch-cpu ${name}: ${runs} interleaved runs, median (min–max) ms; uptime load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  for (const [key, v] of Object.entries(rows)) console.log(`  ${key.padEnd(48)} ${median(v).toFixed(1).padStart(7)} (${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)})${v.length < runs ? ` [${v.length} runs]` : ''}`);
  await engine.close();
  await other?.close();
}
