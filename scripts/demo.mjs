#!/usr/bin/env node
// `npm run demo [-- <prices.csv>]`: set up this machine (idempotent), then run the CLI on the
// CSV given after `--`; without one, show the three things it does on SYNTHETIC data: the last
// bar of the embedded sample, a scan of a directory of generated symbols, and the HTML report
// of the strongest of them (written to the temp dir; its path is printed, no browser needed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, setup } from './setup.mjs';

/** How many generated symbols the scan shows, and their length (the sample's 1,500 bars). */
const SYMBOLS = 36;
const BARS = 1500;
const HOUR = 3_600_000;

setup();
const cli = join(root, 'packages', 'cli', 'dist', 'main.js');
const run = (args, options = {}) => spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', encoding: 'utf8', ...options });

if (process.argv.length > 2) {
  process.exitCode = run(process.argv.slice(2)).status ?? 1;
} else {
  process.exitCode = await showEverything();
}

/** Sample, scan, report; the exit code of the first step that fails (0 when none does). */
async function showEverything() {
  const { sampleSeries } = await import(pathToFileURL(join(root, 'packages', 'cli', 'dist', 'index.js')).href);
  const say = (title) => console.log(`\n── ${title} ──`);
  say('adaptive-trend  (last bar of the embedded synthetic sample)');
  const sample = run([]);
  if (sample.status !== 0) return sample.status ?? 1;

  // Symbols SYN01…: the sample's seeded random walk with other seeds (synthetic, not market
  // data), hourly bars ending at a fixed date so every run writes the same files.
  const out = join(tmpdir(), 'adaptive-trend-demo');
  const candles = join(out, 'candles');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(candles, { recursive: true });
  const start = Date.UTC(2026, 0, 1) - BARS * HOUR;
  for (let k = 1; k <= SYMBOLS; k++) {
    const closes = sampleSeries(BARS, 20261125 + k);
    const lines = Array.from(closes, (close, i) => `${new Date(start + i * HOUR).toISOString()},${close}`);
    writeFileSync(join(candles, `SYN${String(k).padStart(2, '0')}.csv`), `timestamp,close\n${lines.join('\n')}\n`);
  }
  say(`adaptive-trend scan ${candles} --top 5  (${SYMBOLS} synthetic symbols × ${BARS} bars)`);
  const table = run(['scan', candles, '--top', '5']);
  if (table.status !== 0) return table.status ?? 1;

  const json = run(['scan', candles, '--format', 'json', '--min-signal', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (json.status !== 0) return json.status ?? 1;
  const { long, short } = JSON.parse(json.stdout);
  // The strongest signal; among equals the oldest trend (its chart shows the most of it).
  const strongest = [...long, ...short].sort((a, b) => Math.abs(b.signal) - Math.abs(a.signal) || b.barsSinceFlip - a.barsSinceFlip)[0];
  const report = join(out, `${strongest.symbol}.html`);
  say(`adaptive-trend report ${strongest.symbol}.csv -o ${report}  (the strongest, longest-running signal)`);
  const written = run(['report', join(candles, `${strongest.symbol}.csv`), '-o', report]);
  if (written.status !== 0) return written.status ?? 1;
  console.log(`report: ${report}\n        (one self-contained HTML file; open it in any browser, offline)`);
  return 0;
}
