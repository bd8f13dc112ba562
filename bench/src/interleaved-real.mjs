#!/usr/bin/env node
// `node bench/src/interleaved-real.mjs [rounds] [calls] [series…]`: the interleaved backend
// comparison of `interleaved.mjs` (each backend in its own worker, batches taken in turn
// native, wasm, js) on real 1,500-bar windows — by default the first 1,500 closes of every
// dataset in ../shared/data — and on the synthetic walk (`walk`), so the real-data rows and the
// bench's usual row come from the same rounds. A series is `walk`, `<dataset>` or
// `<dataset>@<offset>` (1,500 closes from bar <offset>). Prints, per series, the median ms
// per call of each backend and the medians (range) of the per-round wasm/native and
// js/native ratios. `--cpu`: each backend in a child process, timed in its CPU time.
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startWorker } from './interleaved.mjs';
import { datasetNames } from './real-data.mjs';

const backends = ['native', 'wasm', 'js'];
const WORKER = new URL('./interleaved-real-worker.mjs', import.meta.url);
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/**
 * One backend in a child process: CPU time per call is its own (user + system, which on a
 * shared machine — other processes taking the cores — is far steadier than wall time).
 */
function startChild(backend, series) {
  const proc = fork(fileURLToPath(WORKER), [JSON.stringify({ backend, series })]);
  let resolveNext;
  proc.on('message', (value) => resolveNext?.(value));
  proc.on('exit', (code) => code && (console.error(`${backend} child exited with ${code}`), process.exit(1)));
  const next = () => new Promise((resolve) => (resolveNext = resolve));
  return { backend, worker: { terminate: async () => proc.send('exit') }, ready: next(), ask: (msg) => { const p = next(); proc.send(msg); return p; } };
}

/**
 * Per-series samples of `rounds` interleaved rounds of `calls` calls per backend; with `cpu`,
 * each backend runs in a child process and the samples are CPU ms per call.
 */
export async function measureInterleavedSeries(series, rounds, calls, { cpu = false } = {}) {
  const workers = backends.map((b) => (cpu ? startChild(b, series) : startWorker(b, WORKER, { series })));
  for (const w of workers) await w.ready;
  for (const w of workers) await w.ask('warm');
  const out = Object.fromEntries(series.map((s) => [s, { times: Object.fromEntries(backends.map((b) => [b, []])), wasm: [], js: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const s of series) {
      const t = {};
      for (const w of workers) {
        const v = await w.ask({ series: s, calls });
        t[w.backend] = cpu ? v.cpu : v;
      }
      for (const b of backends) out[s].times[b].push(t[b]);
      out[s].wasm.push(t.wasm / t.native);
      out[s].js.push(t.js / t.native);
    }
  }
  for (const w of workers) await w.worker.terminate();
  return out;
}

/** One line per series. */
export function formatSeries(result) {
  const r = (v) => `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})`;
  return Object.entries(result).map(([s, x]) =>
    `${s.padEnd(18)} ${backends.map((b) => `${b} ${median(x.times[b]).toFixed(3)} (min ${Math.min(...x.times[b]).toFixed(3)})`).join('  ')} ms  wasm/native ${r(x.wasm)}  js/native ${r(x.js)}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const cpu = args.includes('--cpu');
  const [rounds = '11', calls = '50', ...named] = args.filter((a) => a !== '--cpu');
  const series = named.length ? named : ['walk', ...datasetNames()];
  console.log(`fused pipeline, 1500 bars, default config; ${rounds} interleaved rounds of ${calls} calls per backend and series (${cpu ? 'CPU' : 'wall'} ms per call: median (min); ratios: median of per-round ratios (range))`);
  console.log(formatSeries(await measureInterleavedSeries(series, Number(rounds), Number(calls), { cpu })).join('\n'));
}
