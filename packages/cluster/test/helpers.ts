import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url)).replace(/\/$/, '');
const cliMain = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const workerMain = fileURLToPath(new URL('./worker-process.mjs', import.meta.url));

/** The LOCAL scan's JSON report, from the built CLI (`ATC_BACKEND=js`, `--min-signal 0` unless `extra` says otherwise), on exactly these paths. */
export function localScan(files: readonly string[], extra: readonly string[] = ['--min-signal', '0']): unknown {
  const run = spawnSync(process.execPath, [cliMain, 'scan', '--format', 'json', ...extra, ...files], { encoding: 'utf8', env: { ...process.env, ATC_BACKEND: 'js' }, maxBuffer: 64 << 20 });
  if (run.stdout.trim() === '') throw new Error(`local scan printed nothing: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** A temp copy of some shared data files (a root the tests can add poison to). */
export function dataRoot(names: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'atc-cluster-root-'));
  for (const name of names) cpSync(join(SHARED_DATA, name), join(dir, name));
  return dir;
}

export interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first output line matching `pattern` (rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A worker process (test/worker-process.mjs) on `url`, password through ATC_REDIS_PASSWORD. */
export function startWorker(url: string, password: string, root: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [workerMain, url, root], { env: { ...process.env, ATC_REDIS_PASSWORD: password, LOCK_MS: '2000', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffered = '';
  const onData = (data: Buffer) => {
    buffered += data.toString();
    let at: number;
    while ((at = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.pattern.test(line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(line));
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    child,
    lines,
    waitFor(pattern, ms = 20_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${ms} ms; output:\n${lines.join('\n')}`)), ms);
        waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => (clearTimeout(kill), resolve()));
        child.kill('SIGTERM');
      });
    },
  };
}
