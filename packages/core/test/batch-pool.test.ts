// computeBatch's persistent worker pool (worker-pool.ts), on a tiny test backend whose
// computeAtc records which thread ran it and counts its calls across threads
// (fixtures/thread-backend.mjs). Bit identity on the real backends: conformance tier batch.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AtcEngine, AtcError, AtcInputError } from '../src/index.js';
import { backendFactory } from './fixtures/thread-backend.mjs';

const CRASH = 666;
const EXIT = 667;
const OVERFLOW = 668;
const config = { cutout: 0 };

const seriesOf = (count: number, n = 80) =>
  Array.from({ length: count }, (_, k) => Float64Array.from({ length: n }, (_, j) => 100 + k + Math.sin(j / 7)));
const threadsOf = (results: { signals: { ema: Float64Array } }[]) => new Set(results.map((r) => r.signals.ema[0]));

const engines: AtcEngine[] = [];
async function open(): Promise<{ engine: AtcEngine; calls: Int32Array }> {
  const calls = new Int32Array(new SharedArrayBuffer(4));
  const engine = new AtcEngine(await backendFactory.load({ calls }));
  engines.push(engine);
  return { engine, calls };
}
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

describe('computeBatch worker pool', () => {
  it('computes the series on the calling thread and threads − 1 workers, equal to compute(), progress monotonic up to the total', async () => {
    const { engine } = await open();
    const series = seriesOf(37);
    const seen: number[] = [];
    const results = await engine.computeBatch(series, config, { threads: 2, onProgress: (done, total) => {
      expect(total).toBe(37);
      seen.push(done);
    } });
    const threads = threadsOf(results);
    expect(threads.has(0)).toBe(true); // a share on the calling thread
    expect(threads.size).toBe(2); // and the rest on one worker
    results.forEach((r, i) => {
      const single = engine.compute(series[i]!, config);
      single.signals.ema[0] = r.signals.ema[0]!; // the thread id; every other value must match
      expect(r.toRecord()).toEqual(single.toRecord());
      expect(r.averageSignal[5]).toBe(series[i]![5]! * 13);
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(37);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('series of uneven lengths come out whole when later chunks are packed into buffers the workers handed back', async () => {
    const backend = await backendFactory.load();
    // Slow on the calling thread only (workers load the plain module): the worker gets many chunks.
    const slowHere = (...args: Parameters<typeof backend.computeAtc>) => {
      for (const until = performance.now() + 1; performance.now() < until; );
      backend.computeAtc(...args);
    };
    const engine = new AtcEngine({ ...backend, computeAtc: slowHere });
    engines.push(engine);
    // Lengths grow fast along the batch, then the last series are short again: a handed-back
    // buffer is too small for some later chunks (a new one is allocated) and larger than
    // others need (only its first values are the chunk's).
    const length = (k: number) => (k < 75 ? 40 + Math.floor((k * k) / 4) : 40 + (89 - k));
    const series = Array.from({ length: 90 }, (_, k) => seriesOf(1, length(k))[0]!.map((v) => v + k));
    const results = await engine.computeBatch(series, config, { threads: 2 });
    expect(threadsOf(results).size).toBe(2);
    results.forEach((r, i) => {
      const single = engine.compute(series[i]!, config);
      single.signals.ema[0] = r.signals.ema[0]!; // the thread id; every other value must match
      expect(r.toRecord()).toEqual(single.toRecord());
    });
  });

  it('reuses the same workers on later calls, and close() ends them (a later call starts new ones)', async () => {
    const { engine } = await open();
    const first = threadsOf(await engine.computeBatch(seriesOf(40), config, { threads: 2 }));
    const second = threadsOf(await engine.computeBatch(seriesOf(40), config, { threads: 2 }));
    expect(first.size).toBe(2);
    expect(second).toEqual(first);
    await engine.close();
    await engine.close(); // idempotent
    const reopened = threadsOf(await engine.computeBatch(seriesOf(40), config, { threads: 2 }));
    expect(reopened.size).toBe(2);
    for (const id of reopened) if (id !== 0) expect(first.has(id)).toBe(false); // 0: the calling thread
  });

  it('the calling thread keeps turning its event loop while it computes its share', async () => {
    const backend = await backendFactory.load();
    let computedHere = 0; // series computed on this thread so far
    const engine = new AtcEngine({ ...backend, computeAtc: (...args: Parameters<typeof backend.computeAtc>) => (computedHere++, backend.computeAtc(...args)) });
    engines.push(engine);
    await engine.computeBatch(seriesOf(4), config, { threads: 2 }); // pool started
    computedHere = 0;
    const seenAtTurns = new Set<number>();
    let running = true;
    const turn = () => {
      seenAtTurns.add(computedHere);
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    await engine.computeBatch(seriesOf(300, 4000), config, { threads: 2 });
    running = false;
    const share = computedHere;
    expect(share).toBeGreaterThan(0);
    // Turns of the event loop between this thread's series, not only before and after its share
    // (a share computed in one go would show 0 and `share` at most, plus a value per chunk).
    const between = [...seenAtTurns].filter((k) => k > 0 && k < share);
    expect(between.length).toBeGreaterThan(5);
  });

  it('never transfers or detaches the caller’s arrays', async () => {
    const { engine } = await open();
    const series = seriesOf(12);
    const copies = series.map((s) => s.slice());
    await engine.computeBatch(series, config, { threads: 2 });
    series.forEach((s, i) => expect(s).toEqual(copies[i]));
  });

  it('a bad series N is named and nothing is computed; the pool still works after', async () => {
    const { engine, calls } = await open();
    await engine.computeBatch(seriesOf(4), config, { threads: 2 }); // pool started
    const before = Atomics.load(calls, 0);
    const series = seriesOf(30);
    series[17]![40] = NaN;
    await expect(engine.computeBatch(series, config, { threads: 2 })).rejects.toMatchObject({ code: 'NON_FINITE_VALUE', field: 'series[17]' });
    expect(Atomics.load(calls, 0)).toBe(before);
    expect(await engine.computeBatch(seriesOf(6), config, { threads: 2 })).toHaveLength(6);
  });

  it('a growth overflow found after computing names its series', async () => {
    const { engine } = await open();
    const series = seriesOf(20);
    series[13]![0] = OVERFLOW;
    const error = await engine.computeBatch(series, config, { threads: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtcInputError);
    expect(error).toMatchObject({ code: 'GROWTH_OVERFLOW', field: 'config.lambda' });
    expect((error as Error).message).toContain('series[13]');
  });

  it('a kernel that throws rejects with an AtcError naming the series; the pool stays usable', async () => {
    const { engine } = await open();
    const series = seriesOf(25);
    series[9]![0] = CRASH;
    const error = await engine.computeBatch(series, config, { threads: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtcError);
    expect(error).not.toBeInstanceOf(AtcInputError);
    expect((error as Error).message).toMatch(/series\[9\].*kernel exploded/);
    const again = await engine.computeBatch(seriesOf(20), config, { threads: 2 });
    expect(threadsOf(again).size).toBe(2);
  });

  it('a worker thread that dies rejects with an AtcError naming its series and is replaced', async () => {
    const { engine } = await open();
    const before = threadsOf(await engine.computeBatch(seriesOf(20), config, { threads: 2 }));
    const series = seriesOf(3);
    series[0]![0] = EXIT; // the worker's first chunk (then the calling thread's, then the worker's second)
    const error = await engine.computeBatch(series, config, { threads: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtcError);
    expect((error as Error).message).toMatch(/series\[0\]/);
    const after = threadsOf(await engine.computeBatch(seriesOf(20), config, { threads: 2 }));
    expect(after.size).toBe(2);
    expect([...after].filter((id) => !before.has(id))).toHaveLength(1); // the replacement (0, the calling thread, is in both)
  });

  it('two batches at once on one engine share the pool and both come out whole', async () => {
    const { engine } = await open();
    const a = seriesOf(30);
    const b = seriesOf(17, 50);
    const [ra, rb] = await Promise.all([engine.computeBatch(a, config, { threads: 2 }), engine.computeBatch(b, config, { threads: 2 })]);
    ra.forEach((r, i) => expect(r.averageSignal[3]).toBe(a[i]![3]! * 13));
    rb.forEach((r, i) => expect(r.averageSignal[3]).toBe(b[i]![3]! * 13));
    expect(new Set([...threadsOf(ra), ...threadsOf(rb)]).size).toBe(2);
  });

  it('close() during a batch rejects it with an AtcError; the engine works again after', async () => {
    const { engine } = await open();
    await engine.computeBatch(seriesOf(4), config, { threads: 2 });
    const running = engine.computeBatch(seriesOf(400, 2000), config, { threads: 2 }).catch((e: unknown) => e);
    await engine.close();
    expect(await running).toBeInstanceOf(AtcError);
    expect(await engine.computeBatch(seriesOf(6), config, { threads: 2 })).toHaveLength(6);
  });

  it('workers started but never given a task do not keep a process alive', () => {
    const script = `
      import { WorkerPool } from ${JSON.stringify(new URL('../dist/worker-pool.js', import.meta.url).href)};
      const pool = new WorkerPool({ moduleUrl: ${JSON.stringify(new URL('./fixtures/thread-backend.mjs', import.meta.url).href)}, loadOptions: {} });
      console.log('workers', pool.take(2).length);
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.error).toBeUndefined(); // not killed by the timeout
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('workers 2');
  });

  it('threads: 1 computes on the calling thread without starting a pool', async () => {
    const { engine } = await open();
    expect([...threadsOf(await engine.computeBatch(seriesOf(5), config, { threads: 1 }))]).toEqual([0]);
  });

  it('works in a process started with flags Node refuses for workers (--max-old-space-size, --expose-gc, --stack-trace-limit)', () => {
    const script = `
      import { AtcEngine } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      import { backendFactory } from ${JSON.stringify(new URL('./fixtures/thread-backend.mjs', import.meta.url).href)};
      const engine = new AtcEngine(await backendFactory.load());
      const series = Array.from({ length: 20 }, (_, k) => Float64Array.from({ length: 60 }, (_, j) => 100 + k + j));
      const results = await engine.computeBatch(series, { cutout: 0 }, { threads: 2 });
      console.log('threads', new Set(results.map((r) => r.signals.ema[0])).size);
    `;
    const flags = ['--max-old-space-size=2048', '--expose-gc', '--stack-trace-limit=20', '--no-warnings'];
    const run = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, cwd: fileURLToPath(new URL('.', import.meta.url)) });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('threads 2');
  });

  it.each([
    [20, 2],
    [2, 2],
  ])('a script that never closes its engine still exits (%i series on %i threads: one worker and the calling thread)', (count, used) => {
    const script = `
      import { AtcEngine } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      import { backendFactory } from ${JSON.stringify(new URL('./fixtures/thread-backend.mjs', import.meta.url).href)};
      const engine = new AtcEngine(await backendFactory.load());
      const series = Array.from({ length: ${count} }, (_, k) => Float64Array.from({ length: 60 }, (_, j) => 100 + k + j));
      const results = await engine.computeBatch(series, { cutout: 0 }, { threads: 2 });
      console.log('threads', new Set(results.map((r) => r.signals.ema[0])).size);
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, cwd: fileURLToPath(new URL('.', import.meta.url)) });
    expect(run.error).toBeUndefined(); // not killed by the timeout
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(`threads ${used}`);
  });
});
