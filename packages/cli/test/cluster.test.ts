// The CLI's distributed commands end to end against a real redis-server (started by the
// cluster package's test helper): `worker`, `scan --queue` (= the local scan, byte for byte),
// `sweep` (local = --queue), and the password kept out of every output.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../cluster/test/redis.js';
import { cli, cliAsync } from './helpers.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const data = fileURLToPath(new URL('../../../../shared/data/', import.meta.url)).replace(/\/$/, '');

let redis: RedisServer;
const workers: ChildProcess[] = [];
let env: Record<string, string>;

function startWorker(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [main, 'worker', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  workers.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes('worker ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${err}`)));
  });
}

beforeAll(async () => {
  redis = await startRedis();
  env = { ATC_BACKEND: 'js', ATC_REDIS_PASSWORD: redis.password };
  await Promise.all([startWorker(['--queue', redis.url, '--root', data, '--threads', '1']), startWorker(['--queue', redis.url, '--root', data, '--threads', '1'])]);
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGTERM');
  await redis?.stop();
});

describe('distributed commands', () => {
  it('scan --queue prints exactly the local scan (series sent, and files read by the workers)', async () => {
    const local = cli(['scan', data, '--format', 'json']);
    expect(local.status).toBe(0);
    const sent = await cliAsync(['scan', data, '--format', 'json', '--queue', redis.url, '--chunk-size', '3'], { env });
    expect(sent.stdout).toBe(local.stdout);
    const read = await cliAsync(['scan', data, '--format', 'json', '--queue', redis.url, '--shared', data], { env });
    expect(read.stdout).toBe(local.stdout);
    const table = await cliAsync(['scan', data, '--queue', redis.url, '--top', '3'], { env });
    expect(table.stdout).toBe(cli(['scan', data, '--top', '3']).stdout);
  });

  it('sweep: --queue gives the local report', async () => {
    const args = ['sweep', data, '--grid', 'lambda=0.01,0.05', '--grid', 'robustness=Narrow,Wide', '--format', 'json'];
    const local = cli([...args, '--threads', '1']);
    expect(local.status).toBe(0);
    const spread = await cliAsync([...args, '--queue', redis.url, '--symbols-per-job', '3', '--configs-per-job', '2'], { env });
    expect(spread.stdout).toBe(local.stdout);
    expect(JSON.parse(local.stdout).grid).toHaveLength(4);
  });

  it('a wrong password: one line, exit 1, no password; --help never shows ATC_QUEUE\'s value', async () => {
    const wrong = await cliAsync(['scan', data, '--queue', `redis://:not-the-password@127.0.0.1:${redis.port}`], { env: { ATC_BACKEND: 'js' } });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim()).toBe(`adaptive-trend: Redis at redis://127.0.0.1:${redis.port}/0 refused the credentials (wrong password or ACL user): check the URL or ATC_REDIS_PASSWORD / ATC_REDIS_USER`);
    const help = cli(['worker', '--help'], { env: { ATC_QUEUE: redis.urlWithPassword } });
    expect(help.stdout).toContain('(env: ATC_QUEUE)');
    expect(help.stdout).not.toContain(redis.password);
  });
});
