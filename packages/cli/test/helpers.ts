import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Runs the BUILT command as a user would; `ATC_BACKEND=js` unless `env` says otherwise. */
export function cli(args: readonly string[], options: { input?: string; env?: Record<string, string | undefined> } = {}) {
  const env = { ...process.env, ATC_BACKEND: 'js', ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', input: options.input, env, maxBuffer: 256 * 1024 * 1024 });
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'atc-cli-'));

const SHARED = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/** Candles cut at run time from a shared market file (never copied into the repo). */
export interface Cut {
  header: string[];
  rows: string[][];
}

/** The first `bars` rows of `/work/shared/data/<name>` (timestamp, open, high, low, close, volume). */
export function sharedCandles(name: string, bars: number, from = 0): Cut {
  const lines = readFileSync(join(SHARED, name), 'utf8').trim().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1 + from, 1 + from + bars).map((l) => l.split(',')) };
}

export function column(cut: Cut, name: string): Float64Array {
  const at = cut.header.indexOf(name);
  return Float64Array.from(cut.rows, (r) => Number(r[at]));
}

export function writeCut(dir: string, file: string, cut: Cut): string {
  const path = join(dir, file);
  writeFileSync(path, [cut.header.join(','), ...cut.rows.map((r) => r.join(','))].join('\n') + '\n');
  return path;
}

/** A seeded synthetic close series (random walk with drift), for files no market file covers. */
export function syntheticCloses(bars: number, seed: number, drift: number): Float64Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const out = new Float64Array(bars);
  let price = 100;
  for (let i = 0; i < bars; i++) {
    price *= Math.exp(drift + 0.01 * (uniform() - 0.5));
    out[i] = Math.round(price * 1e4) / 1e4;
  }
  return out;
}

/** A `timestamp,close` CSV of `closes`, bars `stepMs` apart and ending at `endMs`. */
export function writeSeries(path: string, closes: Float64Array, endMs: number, stepMs: number): string {
  const start = endMs - (closes.length - 1) * stepMs;
  writeFileSync(path, ['timestamp,close', ...Array.from(closes, (c, i) => `${new Date(start + i * stepMs).toISOString()},${c}`)].join('\n') + '\n');
  return path;
}

/** A running built command (for tests that serve it from this process: spawnSync would block the server). */
export interface LiveCli {
  child: ChildProcess;
  /** Resolves with the next complete stdout line (rejects when the command ends first or after `ms`). */
  nextLine(ms?: number): Promise<string>;
  /** Resolves when the command has ended. */
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** Starts the BUILT command without waiting for it (`ATC_BACKEND=js` unless `env` says otherwise). */
export function startCli(args: readonly string[], options: { input?: string; env?: Record<string, string | undefined>; nodeArgs?: string[] } = {}): LiveCli {
  const env = { ...process.env, ATC_BACKEND: 'js', ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), main, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
    wake?.();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (status) => {
      wake?.();
      resolve({ status, stdout, stderr });
    });
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  let ended = false;
  void done.then(() => (ended = true));
  const nextLine = async (ms = 20_000): Promise<string> => {
    const deadline = Date.now() + ms;
    while (lines.length === 0) {
      if (ended) throw new Error(`command ended before another line; stderr: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`no line within ${ms} ms; stderr: ${stderr}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return lines.shift()!;
  };
  return { child, nextLine, done };
}

/** Runs the BUILT command to its end without blocking this process's event loop. */
export function cliAsync(args: readonly string[], options: Parameters<typeof startCli>[1] = {}) {
  return startCli(args, options).done;
}
