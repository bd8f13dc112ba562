#!/usr/bin/env node
// `node bench/src/cli-scan.mjs [--files=1000] [--bars=1500] [--backend=native] [--quick]`:
// the built `adaptive-trend scan` end to end (a child process, as a user runs it) over N CSV
// files cut from the shared market data at run time (written to a temp dir, deleted after),
// with the command's own split of read+parse vs compute (`--timings`). Median of 5 runs.
// `pnpm bench` runs it too (its `cli` section, through measureCliScan).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '..', '..', 'packages', 'cli', 'dist', 'main.js');
const shared = process.env.ATC_SHARED_DIR ? join(process.env.ATC_SHARED_DIR, 'data') : join(here, '..', '..', '..', 'shared', 'data');

/**
 * Runs the scan `runs` times; each sample's wall time and the command's read+parse / compute
 * split (ms). `undefined` when the shared data is not there.
 */
export function measureCliScan({ files = 1000, bars = 1500, backend = 'native', runs = 5 } = {}) {
  if (!existsSync(shared)) return undefined;
  // Windows of the shared 5-minute files (header: timestamp,open,high,low,close,volume).
  const sources = readdirSync(shared)
    .filter((f) => f.endsWith('-5m.csv'))
    .map((f) => readFileSync(join(shared, f), 'utf8').trim().split('\n'))
    .filter((lines) => lines.length > bars + 1);
  if (sources.length === 0) throw new Error(`no shared 5m file with more than ${bars} bars in ${shared}`);
  const dir = mkdtempSync(join(tmpdir(), 'atc-scan-bench-'));
  try {
    for (let k = 0; k < files; k++) {
      const lines = sources[k % sources.length];
      const from = 1 + ((k * 7919) % (lines.length - 1 - bars));
      writeFileSync(join(dir, `SYM${String(k).padStart(4, '0')}.csv`), `${lines[0]}\n${lines.slice(from, from + bars).join('\n')}\n`);
    }
    const samples = [];
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      const run = spawnSync(process.execPath, [main, 'scan', dir, '--format', 'json', '--timings', '--backend', backend], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ATC_BACKEND: '' } });
      const wall = performance.now() - started;
      if (run.status !== 0) throw new Error(`scan failed (${run.status}): ${run.stderr.trim()}`);
      const m = /read\+parse ([\d.]+) ms, compute ([\d.]+) ms \((\w+)/.exec(run.stderr);
      if (!m) throw new Error(`no timings in: ${run.stderr}`);
      samples.push({ wall, read: Number(m[1]), compute: Number(m[2]), backend: m[3] });
    }
    return samples;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median of one key of the samples. */
export const medianOf = (samples, key) => samples.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(samples.length / 2)];

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const quick = process.argv.includes('--quick');
  const files = Number(arg('files', quick ? 100 : 1000));
  const bars = Number(arg('bars', 1500));
  const runs = quick ? 3 : 5;
  const samples = measureCliScan({ files, bars, backend: arg('backend', 'native'), runs });
  if (!samples) throw new Error(`shared data not found at ${shared} (set ATC_SHARED_DIR)`);
  console.log(
    `cli scan  ${files} files × ${bars} bars  backend ${samples[0].backend}  end to end median ${medianOf(samples, 'wall').toFixed(0)} ms ` +
      `(read+parse ${medianOf(samples, 'read').toFixed(0)} ms, compute ${medianOf(samples, 'compute').toFixed(0)} ms, rest = node start + module load + output) over ${runs} runs`,
  );
}
