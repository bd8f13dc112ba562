#!/usr/bin/env node
// `node bench/src/cluster-sweep.mjs [--configs=100] [--symbols=1000] [--bars=1500] [--quick]`:
// a parameter sweep of configs × symbols pipelines (windows of the shared 5-minute closes),
// computed (1) in this process on one thread, the compute-only baseline, then (2) through
// BullMQ + a local redis-server by 1 and by 2 worker processes (one thread each). Reports
// pipelines/s, the 2-worker scaling factor and the queue's overhead over the baseline.
// `pnpm bench` runs it as its `cluster` section (measureClusterSweep). Needs `redis-server`
// (npm test installs it; the bench does not).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const shared = process.env.ATC_SHARED_DIR ? join(process.env.ATC_SHARED_DIR, 'data') : join(here, '..', '..', '..', 'shared', 'data');
const REDIS = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// CPU time of a process (user + system, ms) from /proc: wall time on a shared 2-core machine
// swings with the neighbours' load; CPU time says what the queue itself costs.
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime (fields 14, 15)
  } catch {
    return NaN;
  }
}
const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function startRedis(password) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'atc-bench-redis-'));
  const child = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => (socket.destroy(), resolve(false)));
      socket.connect(port, '127.0.0.1');
    });
    if (up) return { port, pid: child.pid, stop: () => (child.kill('SIGTERM'), rmSync(dir, { recursive: true, force: true })) };
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start within 10 s');
}

function startWorker(url, password, backend) {
  const child = spawn(process.execPath, [join(here, 'cluster-worker.mjs'), url], { env: { ...process.env, ATC_REDIS_PASSWORD: password, BENCH_BACKEND: backend }, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`bench worker exited (${code})`)));
  });
  return { ready, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

/**
 * Cores two busy processes actually get right now (two 2-second spin loops, their CPU time over
 * wall time): on a shared machine the 2-worker scaling cannot exceed this.
 */
export async function availableCores(ms = 2000) {
  const spin = `const t0=performance.now(),c0=process.cpuUsage();let x=0;while(performance.now()-t0<${ms})x+=Math.sqrt(x+1);const c=process.cpuUsage(c0);console.log((c.user+c.system)/1000/${ms})`;
  const one = () =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['-e', spin], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.once('exit', () => resolve(Number(out)));
    });
  const shares = await Promise.all([one(), one()]);
  return shares[0] + shares[1];
}

/** `symbols` windows of `bars` closes from the shared 5-minute files (as cli-scan.mjs cuts them). */
function windows(symbols, bars) {
  const sources = readdirSync(shared)
    .filter((f) => f.endsWith('-5m.csv'))
    .map((f) => readFileSync(join(shared, f), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[4])));
  return Array.from({ length: symbols }, (_, k) => {
    const closes = sources[k % sources.length];
    const from = (k * 7919) % (closes.length - bars);
    const prices = Float64Array.from(closes.slice(from, from + bars));
    return { file: `SYM${String(k).padStart(4, '0')}.csv`, prices, lastClose: prices[bars - 1] };
  });
}

/** A grid of `configs` configs: λ × decay, inside the indicator's ranges. */
function gridSpecs(configs) {
  const side = Math.ceil(Math.sqrt(configs));
  const lambdas = Array.from({ length: side }, (_, i) => (0.005 + (i * 0.1) / side).toFixed(4));
  const decays = Array.from({ length: Math.ceil(configs / side) }, (_, i) => (0.01 + (i * 0.2) / side).toFixed(4));
  return [`lambda=${lambdas.join(',')}`, `decay=${decays.join(',')}`];
}

/**
 * Times the sweep locally (one thread) and through 1 and 2 worker processes. `undefined` when
 * the shared data or redis-server is missing.
 */
export async function measureClusterSweep({ configs = 100, symbols = 1000, bars = 1500, backend = 'native', symbolsPerJob = 50, configsPerJob = 100 } = {}) {
  if (!existsSync(shared) || !existsSync(REDIS)) return undefined;
  const { parseGrid, sweep } = await import('@adaptive-trend/cluster');
  const { createAtc } = await import('@adaptive-trend/core');
  await import(`@adaptive-trend/backend-${backend}`);
  const engine = await createAtc({ backend });
  const inputs = windows(symbols, bars);
  const grid = parseGrid(gridSpecs(configs)).slice(0, configs);
  const pipelines = grid.length * inputs.length;
  const options = { symbolsPerJob, configsPerJob };

  let started = performance.now();
  let cpu = ownCpuMs();
  const local = await sweep({ engine, inputs, grid, options: { ...options, threads: 1 } });
  const localMs = performance.now() - started;
  const localCpu = ownCpuMs() - cpu;

  const password = `bench-${Math.random().toString(36).slice(2)}`;
  const redis = await startRedis(password);
  const rows = [{ mode: 'local, 1 thread', workers: 0, ms: localMs, cpu: { total: localCpu } }];
  let cores = NaN;
  try {
    for (const count of [1, 2]) {
      if (count === 2) cores = await availableCores();
      const url = `redis://127.0.0.1:${redis.port}?name=bench${count}`;
      const workers = Array.from({ length: count }, () => startWorker(url, password, engine.backend));
      try {
        await Promise.all(workers.map((w) => w.ready));
        process.env.ATC_REDIS_PASSWORD = password;
        const before = { producer: ownCpuMs(), redis: cpuMs(redis.pid), workers: workers.map((w) => cpuMs(w.pid)) };
        started = performance.now();
        const spread = await sweep({ queue: url, inputs, grid, options });
        const ms = performance.now() - started;
        const cpu = { producer: ownCpuMs() - before.producer, redis: cpuMs(redis.pid) - before.redis, workers: workers.reduce((sum, w, i) => sum + cpuMs(w.pid) - before.workers[i], 0) };
        cpu.total = cpu.producer + cpu.redis + cpu.workers;
        if (JSON.stringify(spread) !== JSON.stringify(local)) throw new Error(`the ${count}-worker sweep differs from the local one`);
        rows.push({ mode: `${count} worker${count > 1 ? 's' : ''} (BullMQ)`, workers: count, ms, cpu });
      } finally {
        for (const w of workers) w.stop();
      }
    }
  } finally {
    redis.stop();
  }
  const jobs = Math.ceil(symbols / symbolsPerJob) * Math.ceil(grid.length / configsPerJob);
  return {
    backend: engine.backend,
    pipelines,
    bars,
    jobs,
    rows: rows.map((r) => ({ ...r, pipelinesPerSec: (pipelines / r.ms) * 1000 })),
    scaling: rows[1].ms / rows[2].ms,
    overhead: rows[1].ms / rows[0].ms - 1,
    /** CPU the queue adds over the local compute: (producer + Redis + workers) / local − 1. */
    cpuOverhead: rows.slice(1).map((r) => r.cpu.total / rows[0].cpu.total - 1),
    load: (await import('node:os')).loadavg()[0],
    /** Cores two spinning processes got just before the 2-worker run. */
    cores,
  };
}

export function formatClusterSweep(result) {
  return [
    `cluster   sweep ${result.pipelines} pipelines (${result.bars} bars, ${result.jobs} jobs, ${result.backend}):`,
    ...result.rows.map(
      (r) =>
        `cluster     ${r.mode.padEnd(20)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${Math.round(r.pipelinesPerSec).toString().padStart(7)} pipelines/s  CPU ${(r.cpu.total / 1000).toFixed(1)} s` +
        (r.workers ? ` (workers ${(r.cpu.workers / 1000).toFixed(1)}, producer ${(r.cpu.producer / 1000).toFixed(1)}, redis ${(r.cpu.redis / 1000).toFixed(1)})` : ''),
    ),
    `cluster     2 workers / 1 worker: ${result.scaling.toFixed(2)}× (wall); 1 worker vs local: ${(result.overhead * 100).toFixed(1)} % wall, ${(result.cpuOverhead[0] * 100).toFixed(1)} % CPU; 2 workers: ${(result.cpuOverhead[1] * 100).toFixed(1)} % CPU (load average ${result.load.toFixed(1)}; two busy processes got ${result.cores.toFixed(2)} cores just before)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
  const quick = process.argv.includes('--quick');
  const result = await measureClusterSweep({ configs: arg('configs', quick ? 20 : 100), symbols: arg('symbols', quick ? 200 : 1000), bars: arg('bars', 1500), backend: process.env.BENCH_BACKEND ?? 'native' });
  console.log(result ? formatClusterSweep(result) : '(cluster sweep skipped: shared data or redis-server missing)');
}
