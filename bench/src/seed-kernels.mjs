#!/usr/bin/env node
// The seed's three kernels through the public API (`engine.equityCurve`, `engine.persistSignal`,
// `engine.kama`) against the reference's own Numba kernels (bench/numba/kernels.py) on the same
// machine and the same input (issue 17, item 6). Needs Python: a venv with numpy + numba made by
// bench/numba/setup-venv.sh (outside the repo). `pnpm bench` runs it as a child process (its
// section `seed`; `--only=seed`); alone:
//
//   node bench/src/seed-kernels.mjs [--sizes=1e4,1e6] [--backends=native,wasm,js] [--rounds=3]
//        [--root=checkout to time (default this one)] [--compare=/path/to/other/checkout] [--python=/path/to/python] [--no-numba] [--breakdown]
//
// Input: the bench's seeded 1 %-volatility walk (harness `randomWalk`), scaled returns (λ 0.02),
// the persistent EMA(28) crossover signal and its up/down flags; written to a temp directory that
// the Python side reads, so both sides run on the same bits. Each round times Numba (its own
// process) and then every backend case; the table shows per case the median over rounds of the
// per-round medians, [min–max over rounds], and `×Numba` = Numba µs / backend µs (> 1: faster
// than Numba). `new` = the call allocates its output, `out` = caller-supplied output buffer.
// `--compare=DIR` also loads DIR's built core + backends (e.g. a checkout of main) as
// `native@DIR` …, timed in the same rounds, for before/after. `--breakdown` prints where a native
// call's time goes (the binding alone, core's checks, allocation).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { calibrate, machineInfo, randomWalk, summarize, warmUp } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const flag = (name) => process.argv.includes(`--${name}`);

const sizes = arg('sizes', '1e4,1e6').split(',').map(Number);
const backendNames = arg('backends', 'native,wasm,js').split(',');
const rounds = Number(arg('rounds', '3'));
const compare = arg('compare', undefined);
const LENGTH = 28;
const KERNELS = ['equity', 'persistence', 'kama'];
const MODES = ['new', 'out'];

/** Engines of one checkout (its built dist), named `backend` or `backend@label`. */
async function loadEngines(root, label) {
  const url = (p) => pathToFileURL(join(root, 'packages', p, 'dist/index.js')).href;
  const { AtcEngine } = await import(url('core'));
  const engines = {};
  for (const name of backendNames) {
    try {
      const { backendFactory } = await import(url(`backend-${name}`));
      engines[label ? `${name}@${label}` : name] = { engine: new AtcEngine(await backendFactory.load()), root, name };
    } catch (error) {
      console.log(`(backend ${name}${label ? `@${label}` : ''} unavailable: ${error.message.split('\n')[0]})`);
    }
  }
  return engines;
}

const primary = resolve(arg('root', repo)); // whose built packages are timed (default: this checkout)
const engines = { ...(await loadEngines(primary)), ...(compare ? await loadEngines(resolve(compare), basename(resolve(compare))) : {}) };
// backend-js makes the inputs and is the bit reference, timed or not.
const js = engines.js?.engine ?? (await (async () => {
  const url = (p) => pathToFileURL(join(primary, 'packages', p, 'dist/index.js')).href;
  const { AtcEngine } = await import(url('core'));
  return new AtcEngine(await (await import(url('backend-js'))).backendFactory.load());
})());

// ---- inputs, shared with Python through files ------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'atc-seed-kernels-'));
const inputs = new Map();
for (const n of sizes) {
  const prices = randomWalk(n);
  const returns = js.scaledReturns(prices, 0.02);
  const held = js.crossoverSignal(prices, js.ema(prices, LENGTH));
  const signal = Float64Array.from(held);
  const up = new Uint8Array(n);
  const down = new Uint8Array(n);
  for (let i = 1; i < n; i++) {
    up[i] = held[i] === 1 && held[i - 1] !== 1 ? 1 : 0;
    down[i] = held[i] === -1 && held[i - 1] !== -1 ? 1 : 0;
  }
  for (const [name, a] of Object.entries({ prices, returns, signal, up, down })) {
    writeFileSync(join(dir, `${name}-${n}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  inputs.set(n, { prices, returns, signal, up, down, outF: new Float64Array(n), outI: new Int8Array(n) });
}

/** The call of `kernel` on `engine`, allocating (`new`) or into the caller's buffer (`out`). */
function call(engine, kernel, mode, input) {
  const { prices, returns, signal, up, down, outF, outI } = input;
  const into = mode === 'out';
  switch (kernel) {
    case 'equity':
      return into ? () => engine.equityCurve(returns, signal, {}, outF) : () => engine.equityCurve(returns, signal);
    case 'persistence':
      return into ? () => engine.persistSignal(up, down, outI) : () => engine.persistSignal(up, down);
    case 'kama':
      return into ? () => engine.kama(prices, LENGTH, outF) : () => engine.kama(prices, LENGTH);
  }
  throw new Error(kernel);
}

// ---- Numba ------------------------------------------------------------------------------------
let python = arg('python', undefined);
const numba = !flag('no-numba');
if (numba && python === undefined) {
  python = execFileSync('bash', [join(repo, 'bench/numba/setup-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1);
}
let numbaMeta;
function runNumba() {
  const r = spawnSync(python, [join(repo, 'bench/numba/kernels.py'), dir, ...sizes.map(String)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/numba/kernels.py failed:\n${r.stderr}`);
  const stats = new Map();
  for (const line of r.stdout.trim().split('\n')) {
    const row = JSON.parse(line);
    if (row.meta) numbaMeta = row.meta;
    else stats.set(`${row.kernel}|${row.n}|${row.out}`, row.medianUs);
  }
  return stats;
}

/**
 * This process's CPU time in ms (user + system, all its threads). Used instead of wall time:
 * the machine is shared, and a descheduled process's wall time measures the other processes.
 * (The Python side measures `time.process_time` the same way.)
 */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e3;
}

// ---- rounds -------------------------------------------------------------------------------------
const key = (backend, kernel, n, mode) => `${backend}|${kernel}|${n}|${mode}`;
const samples = new Map(); // key → per-round median µs
const push = (k, v) => (samples.has(k) ? samples.get(k) : samples.set(k, []).get(k)).push(v);
console.log(`machine: ${JSON.stringify(machineInfo())}`);
for (let round = 0; round < rounds; round++) {
  if (numba) for (const [k, us] of runNumba()) push(`numba|${k}`, us);
  for (const n of sizes) {
    for (const [backend, { engine }] of Object.entries(engines)) {
      for (const kernel of KERNELS) {
        for (const mode of MODES) {
          const fn = call(engine, kernel, mode, inputs.get(n));
          if (round === 0) warmUp(fn, { calls: 20, ms: 300 });
          const inner = calibrate(fn, 20);
          const runs = [];
          for (let r = 0; r < 9; r++) {
            const start = cpuMs();
            for (let i = 0; i < inner; i++) fn();
            runs.push(((cpuMs() - start) / inner) * 1e3);
          }
          push(key(backend, kernel, n, mode), summarize(runs, n).medianMs);
        }
      }
    }
  }
  console.log(`round ${round + 1}/${rounds} done`);
}

// ---- bit checks against Numba's outputs and between backends -------------------------------------
const sameBits = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
for (const n of sizes) {
  const input = inputs.get(n);
  const reference = {
    equity: js.equityCurve(input.returns, input.signal),
    persistence: js.persistSignal(input.up, input.down),
    kama: js.kama(input.prices, LENGTH),
  };
  const notes = [];
  for (const [backend, { engine }] of Object.entries(engines)) {
    for (const kernel of KERNELS) {
      for (const mode of MODES) {
        const got = call(engine, kernel, mode, input)();
        if (!sameBits(got, reference[kernel])) notes.push(`${backend} ${kernel} ${mode} DIFFERS from backend-js`);
      }
    }
  }
  if (numba) {
    const read = (kernel, type) => new type(readFileSync(join(dir, `numba-${kernel}-new-${n}.bin`)).buffer.slice(0));
    notes.push(`numba equity ${sameBits(read('equity', Float64Array), reference.equity) ? '==' : '!='} backend-js (bits)`);
    notes.push(`numba persistence ${sameBits(read('persistence', Int8Array), reference.persistence) ? '==' : '!='} backend-js`);
    // The reference sums KAMA's noise over the window at every bar; the kernels keep a running sum.
    const k = read('kama', Float64Array);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(k[i] - reference.kama[i]) / Math.abs(reference.kama[i]));
    notes.push(`numba kama max rel diff ${worst.toExponential(2)} (window sum vs running sum)`);
  }
  console.log(`check n=${n}: ${notes.join('; ')}`);
}

// ---- table ---------------------------------------------------------------------------------------
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (us) => (us < 10 ? us.toFixed(2) : us < 1000 ? us.toFixed(1) : us.toFixed(0));
if (numbaMeta) console.log(`numba: ${JSON.stringify(numbaMeta)} (kernels written from the spec: bench/numba/kernels.py)`);
console.log(`\nCPU µs per call, median of ${rounds} rounds [min–max]; ×Numba = Numba µs / backend µs`);
console.log(`${'kernel'.padEnd(12)} ${'n'.padStart(8)} ${'out'.padEnd(4)} ${'backend'.padEnd(16)} ${'µs'.padStart(9)} ${'[min–max]'.padEnd(19)} ×Numba`);
for (const kernel of KERNELS) {
  for (const n of sizes) {
    for (const mode of MODES) {
      const base = samples.get(`numba|${kernel}|${n}|${mode}`);
      const baseUs = base ? med(base) : undefined;
      const line = (name, xs) => {
        const us = med(xs);
        const ratio = baseUs === undefined ? '' : (baseUs / us).toFixed(2);
        const range = `[${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}]`;
        console.log(`${kernel.padEnd(12)} ${String(n).padStart(8)} ${mode.padEnd(4)} ${name.padEnd(16)} ${fmt(us).padStart(9)} ${range.padEnd(19)} ${ratio}`);
      };
      if (base) line('numba', base);
      for (const backend of Object.keys(engines)) line(backend, samples.get(key(backend, kernel, n, mode)));
    }
  }
}

// ---- where a native call's time goes -------------------------------------------------------------
if (flag('breakdown') && engines.native) {
  const { root } = engines.native;
  const { loadBinding } = await import(pathToFileURL(join(root, 'packages/backend-native/dist/index.js')).href);
  const binding = loadBinding();
  const core = await import(pathToFileURL(join(root, 'packages/core/dist/index.js')).href);
  const engine = engines.native.engine;
  const tiny = { prices: new Float64Array(16).fill(1), returns: new Float64Array(16), signal: new Float64Array(16), up: new Uint8Array(16), down: new Uint8Array(16), outF: new Float64Array(16), outI: new Int8Array(16) };
  const time = (fn) => {
    warmUp(fn, { calls: 20, ms: 200 });
    const inner = calibrate(fn, 20);
    const runs = [];
    for (let r = 0; r < 15; r++) {
      const start = cpuMs();
      for (let i = 0; i < inner; i++) fn();
      runs.push(((cpuMs() - start) / inner) * 1e3);
    }
    return summarize(runs, 1);
  };
  console.log('\nbreakdown (native), CPU µs per call, median [min–max] of 15 runs:');
  const show = (label, fn) => {
    const s = time(fn);
    console.log(`  ${label.padEnd(58)} ${fmt(s.medianMs).padStart(9)} [${fmt(s.minMs)}–${fmt(s.maxMs)}]`);
  };
  const d = 1 - 0.03 / 100;
  for (const n of [16, ...sizes]) {
    const inp = n === 16 ? tiny : inputs.get(n);
    const { prices, returns, signal, up, down, outF, outI } = inp;
    show(`n=${n} equity  engine.equityCurve(out)`, () => engine.equityCurve(returns, signal, {}, outF));
    show(`n=${n} equity  binding.equityCurve (no core)`, () => binding.equityCurve(returns, signal, 1, d, 0, outF));
    show(`n=${n} equity  core checks only (resolveConfig decay)`, () => core.resolveConfig({ decay: 0.03 }));
    show(`n=${n} persist engine.persistSignal(out)`, () => engine.persistSignal(up, down, outI));
    show(`n=${n} persist binding.persistSignal (no core)`, () => binding.persistSignal(up, down, outI));
    show(`n=${n} kama    engine.kama(out)`, () => engine.kama(prices, LENGTH, outF));
    show(`n=${n} kama    binding.movingAverage (no core)`, () => binding.movingAverage(6, prices, LENGTH, outF));
    show(`n=${n} new Float64Array(n)`, () => new Float64Array(n));
    show(`n=${n} new Int8Array(n)`, () => new Int8Array(n));
  }
}
rmSync(dir, { recursive: true, force: true });
