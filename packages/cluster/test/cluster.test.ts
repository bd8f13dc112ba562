// The distributed scan and sweep against a real redis-server and real worker processes: the
// results must be exactly the local ones (same JSON), through failures.
import { readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '@adaptive-trend/core';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, type RunningWorker, distributedScan, parseGrid, parseQueueUrl, runWorker, sweep } from '../src/index.js';
// The CLI's built reader, imported by path (the CLI is not a dependency of this package; turbo builds it first).
import { loadScanInput, loadScanInputs } from '../../cli/dist/scan-load.js';
import { type RedisServer, startRedis } from './redis.js';
import { SHARED_DATA, dataRoot, localScan, startWorker } from './helpers.js';

const reader = { loadScanInput };
const allFiles = readdirSync(SHARED_DATA).filter((f) => f.endsWith('.csv')).sort().map((f) => join(SHARED_DATA, f));
const fast = { backoffMs: 100, pollMs: 50, timeoutMs: 60_000 };

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** A queue of its own per test (`?name=`), on the shared server. */
let queues = 0;
const queueUrl = (server: RedisServer = redis) => `${server.urlWithPassword}?name=t${++queues}`;

describe('distributed scan (a): two worker processes give exactly the local scan', () => {
  it('files read by the workers under their root, and series sent by the producer', async () => {
    const url = queueUrl();
    const workers = [startWorker(url, redis.password, SHARED_DATA), startWorker(url, redis.password, SHARED_DATA)];
    try {
      await Promise.all(workers.map((w) => w.waitFor(/worker ready/)));
      const local = localScan(allFiles);
      const progress: number[] = [];
      const byFiles = await distributedScan({ queue: url, inputs: allFiles.map((file) => ({ file })), options: { root: SHARED_DATA, minSignal: 0, chunkSize: 3, window: 2, ...fast, onProgress: (done) => progress.push(done) } });
      expect(byFiles).toEqual(local);
      expect(JSON.stringify(byFiles)).toBe(JSON.stringify(local)); // same keys, same order, same digits
      expect(progress.at(-1)).toBe(Math.ceil(allFiles.length / 3)); // 4 chunks, at most 2 in Redis at once
      await expect(distributedScan({ queue: url, inputs: [{ file: '/etc/hostname' }], options: { root: SHARED_DATA, minSignal: 0 } })).rejects.toThrow(/^\/etc\/hostname is not under --root/);
      const loaded = loadScanInputs(allFiles, { source: 'close', closedOnly: false, config: resolveConfig({}) }, () => {});
      const bySeries = await distributedScan({ queue: url, inputs: loaded, options: { minSignal: 0, chunkSize: 4, ...fast } });
      expect(JSON.stringify(bySeries)).toBe(JSON.stringify(local));
      // Both workers took jobs, and neither printed the password.
      for (const w of workers) expect(w.lines.some((l) => /: done$/.test(l))).toBe(true);
      for (const w of workers) expect(w.lines.join('\n')).not.toContain(redis.password);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});

describe('bad jobs and bad inputs', () => {
  let root: string;
  let worker: RunningWorker;
  let url: string;
  const lines: string[] = [];
  beforeAll(async () => {
    root = dataRoot(['ETH_BTC-5m.csv', 'LTC_BTC-5m.csv', 'UNITTEST_BTC-30m.csv', 'orcl-1995-2014.csv']);
    // poison.csv is named in the scan but never exists (a file not synced to the workers' disk): unreadable on every attempt.
    writeFileSync(join(root, 'bad.csv'), 'timestamp,close\n2020-01-01,1\n2020-01-02,abc\n');
    symlinkSync('/etc/hostname', join(root, 'escape.csv'));
    url = queueUrl();
    worker = await runWorker({ queue: url, root, reader, backend: 'js', log: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await worker?.close();
  });

  it('(d) a poison file ends in errors after its bounded retries; the rest completes, as the local scan reports it', async () => {
    const files = ['ETH_BTC-5m.csv', 'poison.csv', 'LTC_BTC-5m.csv', 'bad.csv', 'UNITTEST_BTC-30m.csv', 'orcl-1995-2014.csv'].map((f) => join(root, f));
    const report = await distributedScan({ queue: url, inputs: files.map((file) => ({ file })), options: { root, minSignal: 0, chunkSize: 2, attempts: 3, runId: 'poison', ...fast } });
    expect(JSON.stringify(report)).toBe(JSON.stringify(localScan(files)));
    expect(report.errors.map((e) => e.file)).toEqual([join(root, 'poison.csv'), join(root, 'bad.csv')]);
    // The poison's chunk was tried three times (retried with backoff), then reported; no other chunk was retried.
    expect(lines.filter((l) => /^job scan\.poison\.0: attempt/.test(l))).toEqual(['job scan.poison.0: attempt 1 of 3', 'job scan.poison.0: attempt 2 of 3', 'job scan.poison.0: attempt 3 of 3']);
    expect(lines.filter((l) => /^job scan\.poison\.[12]: attempt [23]/.test(l))).toEqual([]);
  });

  it('enqueueing the same run id twice does no work twice', async () => {
    const files = ['ETH_BTC-5m.csv', 'LTC_BTC-5m.csv'].map((f) => join(root, f));
    const options = { root, minSignal: 0, chunkSize: 1, runId: 'twice', ...fast };
    const first = await distributedScan({ queue: url, inputs: files.map((file) => ({ file })), options });
    const second = await distributedScan({ queue: url, inputs: files.map((file) => ({ file })), options });
    expect(second).toEqual(first);
    expect(lines.filter((l) => /^job scan\.twice\.\d: attempt/.test(l))).toHaveLength(2);
  });

  /** Adds one raw job (as anyone with the Redis password could) and waits for its end. */
  async function rawJob(data: unknown): Promise<{ state: string; reason: string; attempts: number }> {
    const { redis: connection, name } = parseQueueUrl(url);
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    try {
      await events.waitUntilReady();
      const job = await queue.add('scan', data, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
      const reason = await job.waitUntilFinished(events, 20_000).then(
        () => '',
        (error: Error) => error.message,
      );
      const done = (await queue.getJob(job.id!))!;
      return { state: await done.getState(), reason, attempts: done.attemptsMade };
    } finally {
      await events.close();
      await queue.close();
    }
  }

  it('a malformed job fails alone, at once, with the field it got wrong; the worker goes on', async () => {
    const series = { kind: 'series', series: [{ file: 'x.csv', prices: 'not base64!', lastClose: 1 }] };
    const bad = await rawJob({ format: 1, task: 'scan', config: {}, input: series });
    expect(bad).toEqual({ state: 'failed', reason: 'invalid job: input.series[0].prices: not base64', attempts: 1 });
    expect((await rawJob({ format: 1, task: 'scan', config: { lambda: 7 }, input: { kind: 'files', files: ['ETH_BTC-5m.csv'], source: 'close', closedOnly: false } })).reason).toMatch(/^invalid job: config: .*lambda/);
    expect((await rawJob({ format: 1, task: 'scan', config: { cutout: Infinity }, input: series })).reason).toMatch(/^invalid job: config\.cutout: must be a finite number/);
    expect((await rawJob({ format: 2, task: 'scan' })).reason).toBe('invalid job: format: this worker reads format 1, got 2');
    expect((await rawJob('rm -rf /')).reason).toBe('invalid job: payload: must be an object');
    const many = { kind: 'files', files: Array.from({ length: 10_001 }, (_, i) => `${i}.csv`), source: 'close', closedOnly: false };
    expect((await rawJob({ format: 1, task: 'scan', config: {}, input: many })).reason).toBe('invalid job: input.files: must hold 1–10000 entries, got 10001');
    const ok = await distributedScan({ queue: url, inputs: [{ file: join(root, 'ETH_BTC-5m.csv') }], options: { root, minSignal: 0, ...fast } });
    expect([...ok.long, ...ok.short].map((r) => r.symbol)).toEqual(['ETH_BTC-5m']);
  });

  it('a job naming a path outside the root is refused (.., absolute, a symlink out)', async () => {
    const files = (f: string) => ({ format: 1, task: 'scan', config: {}, input: { kind: 'files', files: ['ETH_BTC-5m.csv', f], source: 'close', closedOnly: false } });
    expect(await rawJob(files('../../etc/passwd'))).toEqual({ state: 'failed', reason: "invalid job: ../../etc/passwd: outside the worker's --root", attempts: 1 });
    expect((await rawJob(files('/etc/passwd'))).reason).toBe("invalid job: /etc/passwd: absolute path; jobs name files relative to the worker's --root");
    expect((await rawJob(files('escape.csv'))).reason).toBe("invalid job: escape.csv: a link to outside the worker's --root");
  });
});

describe('credentials', () => {
  it('a wrong password is a clear error at once (no hang), without the password', async () => {
    const wrong = `redis://:definitely-wrong@127.0.0.1:${redis.port}`;
    const started = Date.now();
    const error = await runWorker({ queue: wrong, backend: 'js' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as Error).message).toBe(`Redis at redis://127.0.0.1:${redis.port}/0 refused the credentials (wrong password or ACL user): check the URL or ATC_REDIS_PASSWORD / ATC_REDIS_USER`);
    expect(Date.now() - started).toBeLessThan(5_000);
    const scan = await distributedScan({ queue: wrong, inputs: [{ file: allFiles[0]! }], options: { root: SHARED_DATA, minSignal: 0 } }).then(() => undefined, (e: Error) => e);
    expect(scan?.message).toMatch(/refused the credentials/);
    expect(scan?.message).not.toContain('definitely-wrong');
  });

  it('no password is NOAUTH, said as such; a closed port is refused, not awaited', async () => {
    const none = await runWorker({ queue: redis.url, backend: 'js' }).then(() => undefined, (e: Error) => e);
    expect(none?.message).toMatch(/requires a password/);
    const closed = await runWorker({ queue: 'redis://127.0.0.1:1', backend: 'js' }).then(() => undefined, (e: Error) => e);
    expect(closed?.message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:1\/0 refused the connection/);
  });

  it('the password is taken from ATC_REDIS_PASSWORD and never shown', () => {
    const address = parseQueueUrl(`rediss://worker@example.net:6380/2?name=scans`, { ATC_REDIS_PASSWORD: 'hunter2' });
    expect(address.redis).toMatchObject({ host: 'example.net', port: 6380, db: 2, username: 'worker', password: 'hunter2', tls: { servername: 'example.net' } });
    expect(address.display).toBe('rediss://example.net:6380/2 (queue scans)');
    expect(() => parseQueueUrl('http://x')).toThrow(/redis:\/\/ or rediss:\/\//);
  });
});

describe('worker killed, Redis restarted', () => {
  it('(b) a worker SIGKILLed in mid-job: its chunk is recovered by the other worker, nothing lost or counted twice', async () => {
    const url = queueUrl();
    const slow = startWorker(url, redis.password, SHARED_DATA, { SLOW_MS: '400' });
    let other: ReturnType<typeof startWorker> | undefined;
    try {
      await slow.waitFor(/worker ready/);
      const run = distributedScan({ queue: url, inputs: allFiles.map((file) => ({ file })), options: { root: SHARED_DATA, minSignal: 0, chunkSize: 4, runId: 'killed', ...fast } });
      const taken = await slow.waitFor(/^job scan\.killed\.\d: attempt 1/);
      const id = /job (\S+):/.exec(taken)![1]!;
      slow.child.kill('SIGKILL');
      other = startWorker(url, redis.password, SHARED_DATA);
      const report = await run;
      expect(JSON.stringify(report)).toBe(JSON.stringify(localScan(allFiles)));
      expect(other.lines).toContain(`job ${id}: done`); // the killed worker's chunk, finished by the other
      expect(slow.lines).not.toContain(`job ${id}: done`);
    } finally {
      slow.child.kill('SIGKILL');
      await other?.stop();
    }
  });

  it('(c) Redis restarted mid-run with its persistence on: the run completes, exactly the local result', async () => {
    const server = await startRedis({ persist: true });
    const url = queueUrl(server);
    const worker = startWorker(url, server.password, SHARED_DATA, { SLOW_MS: '150' });
    try {
      await worker.waitFor(/worker ready/);
      const run = distributedScan({ queue: url, inputs: allFiles.map((file) => ({ file })), options: { root: SHARED_DATA, minSignal: 0, chunkSize: 2, runId: 'restart', ...fast } });
      await worker.waitFor(/^job scan\.restart\.0: done/);
      await server.restart();
      const report = await run;
      expect(JSON.stringify(report)).toBe(JSON.stringify(localScan(allFiles)));
    } finally {
      await worker.stop();
      await server.stop();
    }
  });

  it('(c) Redis restarted without persistence: a clear error, never a partial result', async () => {
    const server = await startRedis({ persist: false });
    const url = queueUrl(server);
    const worker = startWorker(url, server.password, SHARED_DATA, { SLOW_MS: '150' });
    try {
      await worker.waitFor(/worker ready/);
      const run = distributedScan({ queue: url, inputs: allFiles.map((file) => ({ file })), options: { root: SHARED_DATA, minSignal: 0, chunkSize: 2, runId: 'lost', ...fast } });
      await worker.waitFor(/^job scan\.lost\.0: done/);
      await server.restart();
      await expect(run).rejects.toThrow(/^job scan\.lost\.\d+ is missing from Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(queue t\d+\) \(restarted without persistence, or removed\): the run is incomplete \(\d+ of 6 chunks\); rerun it$/);
    } finally {
      await worker.stop();
      await server.stop();
    }
  });
});

describe('TLS (rediss://)', () => {
  it('a TLS-only server with a private CA: the scan runs with ATC_REDIS_CA; without it, a clear TLS error', async () => {
    const server = await startRedis({ tls: true });
    try {
      const env = { ATC_REDIS_PASSWORD: server.password, ATC_REDIS_CA: server.ca! };
      const address = parseQueueUrl(`${server.url}?name=tls`, env);
      const worker = await runWorker({ queue: address, backend: 'js' });
      try {
        const loaded = loadScanInputs(allFiles.slice(0, 3), { source: 'close', closedOnly: false, config: resolveConfig({}) }, () => {});
        const report = await distributedScan({ queue: address, inputs: loaded, options: { minSignal: 0, ...fast } });
        expect(JSON.stringify(report)).toBe(JSON.stringify(localScan(allFiles.slice(0, 3))));
      } finally {
        await worker.close();
      }
      const untrusted = await runWorker({ queue: parseQueueUrl(server.url, { ATC_REDIS_PASSWORD: server.password }), backend: 'js' }).then(() => undefined, (e: Error) => e);
      expect(untrusted?.message).toMatch(new RegExp(`^Redis at rediss://127\\.0\\.0\\.1:${server.port}/0 failed the TLS handshake \\(.*\\): for a private CA set ATC_REDIS_CA=ca\\.pem$`));
      const plain = await runWorker({ queue: parseQueueUrl(`redis://127.0.0.1:${server.port}`, { ATC_REDIS_PASSWORD: server.password }), backend: 'js' }).then(() => undefined, (e: Error) => e);
      expect(plain).toBeInstanceOf(ClusterError); // plain TCP to a TLS port: refused or no answer, within the check's bound
    } finally {
      await server.stop();
    }
  });
});

describe('Redis gone', () => {
  it('unreachable longer than redisDownMs: a clear error naming the address and the chunks done, no hang', async () => {
    const server = await startRedis();
    const url = queueUrl(server);
    const worker = startWorker(url, server.password, SHARED_DATA, { SLOW_MS: '150' });
    try {
      await worker.waitFor(/worker ready/);
      const run = distributedScan({ queue: url, inputs: allFiles.map((file) => ({ file })), options: { root: SHARED_DATA, minSignal: 0, chunkSize: 2, runId: 'gone', ...fast, redisDownMs: 2_000 } });
      await worker.waitFor(/^job scan\.gone\.0: done/);
      const stopped = server.stop();
      const started = Date.now();
      await expect(run).rejects.toThrow(/^Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(queue t\d+\) .*; unreachable for more than 2 s: the run is incomplete \(\d of 6 chunks\)$/);
      expect(Date.now() - started).toBeLessThan(15_000);
      await stopped;
    } finally {
      await worker.stop();
      await server.stop();
    }
  });
});

describe('sweep (e)', () => {
  it('the distributed sweep equals the local one', async () => {
    const files = allFiles.filter((f) => /(ETH|LTC|DASH)_BTC|30m/.test(f));
    const loaded = loadScanInputs(files, { source: 'close', closedOnly: false, config: resolveConfig({}) }, () => {});
    const grid = parseGrid(['lambda=0.01,0.05', 'robustness=Narrow,Wide', 'ema-length=20,300']);
    expect(grid).toHaveLength(8);
    const options = { symbolsPerJob: 2, configsPerJob: 3, top: 8, ...fast };
    const local = await sweep({ inputs: loaded, grid, options });
    const url = queueUrl();
    const workers = await Promise.all([0, 1].map(() => runWorker({ queue: url, backend: 'js' })));
    try {
      const spread = await sweep({ queue: url, inputs: loaded, grid, options });
      expect(JSON.stringify(spread)).toBe(JSON.stringify(local));
      // These workers have no --root: every file job fails at once, and the report says why.
      const byFiles = await sweep({ queue: url, inputs: files.map((file) => ({ file })), grid, options: { ...options, root: SHARED_DATA } });
      expect(byFiles.perSymbol).toEqual([]);
      expect(byFiles.errors).toHaveLength(files.length * 3); // 3 config chunks per series chunk
      for (const e of byFiles.errors) expect(e.message).toMatch(/^configs \d–\d: chunk \d+ failed after 1 attempt: invalid job: this worker reads no files: start it with --root DIR/);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
    expect(local.perSymbol.map((r) => r.symbol)).toEqual(['DASH_BTC-5m', 'ETH_BTC-5m', 'LTC_BTC-5m', 'UNITTEST_BTC-30m']);
    expect(local.overall).toHaveLength(8);
    // ema-length=300 is too long for none of these series; every config scored every series.
    for (const row of local.overall) expect(row.symbols).toBe(4);
  });
});
