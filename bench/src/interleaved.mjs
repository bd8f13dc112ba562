#!/usr/bin/env node
// `node bench/src/interleaved.mjs [rounds]`: the fused pipeline (1500 bars, default config) of
// native, wasm and js measured *interleaved*: each backend lives in its own worker thread (its
// own V8 isolate, so each engine's call sites stay monomorphic, as in an application that uses
// one backend), and the main thread asks them in turn for one timed batch of 100 calls —
// native, wasm, js, native, wasm, js, … — never two at once. Each round's three batches run
// within ~0.1 s of each other, under the same state of this shared VM (whose speed drifts by up
// to ~2× over minutes), so the per-round ratios are far steadier than absolute times.
// Prints per-backend median and min per call, and the median of the per-round ratios.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const backends = ['native', 'wasm', 'js'];


/** One backend's worker timing `series` (names as `interleaved-worker.mjs` reads them). */
export function startWorker(backend, series = ['walk']) {
  const worker = new Worker(new URL('./interleaved-worker.mjs', import.meta.url), { workerData: { backend, series } });
  let resolveNext;
  worker.on('message', (value) => resolveNext?.(value));
  worker.on('error', (error) => {
    console.error(`${backend} worker failed: ${error.message}`);
    process.exit(1);
  });
  const next = () => new Promise((resolve) => (resolveNext = resolve));
  return { backend, worker, ready: next(), ask: (msg) => { const p = next(); worker.postMessage(msg); return p; } };
}

/**
 * Runs the interleaved measurement; returns per-backend samples (ms per call, one per round) and
 * the per-round wasm/native and js/native ratios, with their medians.
 */
export async function measureInterleaved(rounds) {
  const workers = backends.map((b) => startWorker(b));
  for (const w of workers) await w.ready;
  for (const w of workers) await w.ask('warm');
  const times = Object.fromEntries(backends.map((b) => [b, []]));
  const ratios = { wasm: [], js: [] };
  for (let r = 0; r < rounds; r++) {
    const t = {};
    for (const w of workers) t[w.backend] = await w.ask('batch');
    for (const b of backends) times[b].push(t[b]);
    ratios.wasm.push(t.wasm / t.native);
    ratios.js.push(t.js / t.native);
  }
  for (const w of workers) await w.worker.terminate();
  const stats = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });
  return {
    rounds,
    backends: Object.fromEntries(backends.map((b) => [b, stats(times[b])])),
    wasmOverNative: stats(ratios.wasm),
    jsOverNative: stats(ratios.js),
  };
}

export const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** The report lines of a {@link measureInterleaved} result. */
export function formatInterleaved(result) {
  const f = (v) => v.toFixed(4);
  const r = (s) => `${s.median.toFixed(2)} (range ${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  return [
    `fused pipeline, 1500 bars, default config; ${result.rounds} interleaved rounds of 100 calls per backend (ms per call)`,
    ...backends.map((b) => `${b.padEnd(7)} median ${f(result.backends[b].median)}  min ${f(result.backends[b].min)}  max ${f(result.backends[b].max)}`),
    `wasm/native: median of per-round ratios ${r(result.wasmOverNative)}`,
    `js/native:   median of per-round ratios ${r(result.jsOverNative)}`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rounds = Number(process.argv[2] ?? 41);
  console.log(formatInterleaved(await measureInterleaved(rounds)).join('\n'));
}
