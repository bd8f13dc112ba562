// A real redis-server for the tests: 127.0.0.1, a free port, a password, its own temp dir,
// started and stopped in bounded time (and killed if the test process exits first).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: plain-JS setup script (installs Debian's redis-server when missing, like Chromium)
import { ensureRedisServer } from '../../../scripts/lib/redis.mjs';

export interface RedisServer {
  port: number;
  password: string;
  dir: string;
  /** `redis://127.0.0.1:PORT` (the password goes through ATC_REDIS_PASSWORD, as on a real deployment). */
  url: string;
  /** `redis://:PASSWORD@127.0.0.1:PORT`. */
  urlWithPassword: string;
  stop(): Promise<void>;
  /** Stops it (SIGTERM: with appendonly on, it keeps its data) and starts it again on the same port and dir. */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A CA and a certificate for 127.0.0.1 signed by it (openssl), for a TLS-only server. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (args: string[]) => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=atc-test-ca', '-keyout', 'ca.key', '-out', 'ca.pem']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'ext.cnf', '-out', 'server.pem']);
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

function launch(bin: string, port: number, password: string, dir: string, persist: boolean, tls?: { ca: string; cert: string; key: string }): Promise<ChildProcess> {
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [...listen, '--bind', '127.0.0.1', '--requirepass', password, '--dir', dir, '--daemonize', 'no', '--save', '', '--appendonly', persist ? 'yes' : 'no', '--loglevel', 'warning'];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within 10 s: ${output}`));
    }, 10_000);
    const poll = setInterval(async () => {
      // Ready when it accepts a TCP connection (its log is at warning level).
      const { Socket } = await import('node:net');
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        clearTimeout(timer);
        clearInterval(poll);
        resolve(child);
      });
      socket.once('error', () => socket.destroy());
      socket.connect(port, '127.0.0.1');
    }, 50);
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`redis-server exited (${code}) before it was ready: ${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts a server; `tls`: TLS only (rediss://), its CA in `ca`. */
export async function startRedis(options: { persist?: boolean; tls?: boolean } = {}): Promise<RedisServer & { ca?: string }> {
  const bin = ensureRedisServer() as string;
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const dir = mkdtempSync(join(tmpdir(), 'atc-redis-'));
  const persist = options.persist === true;
  const tls = options.tls ? makeCertificates(dir) : undefined;
  let child = await launch(bin, port, password, dir, persist, tls);
  const scheme = tls ? 'rediss' : 'redis';
  return {
    port,
    password,
    dir,
    ...(tls ? { ca: tls.ca } : {}),
    url: `${scheme}://127.0.0.1:${port}`,
    urlWithPassword: `${scheme}://:${password}@127.0.0.1:${port}`,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stopChild(child);
      child = await launch(bin, port, password, dir, persist, tls);
    },
  };
}
