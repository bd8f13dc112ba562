import { readFileSync } from 'node:fs';
import { type AtcResult, type CreateAtcOptions, FAMILIES, REFERENCE_FAMILY_NAMES, createAtc } from '@adaptive-trend/core';
import { registerInstalledBackends } from './backends.js';
import { parseCloses } from './csv.js';
import { CliError, describeReadError } from './errors.js';
import { sampleSeries } from './sample.js';

const TREND = { '1': 'LONG (up-trend)', '-1': 'SHORT (down-trend)', '0': 'NEUTRAL' } as const;

/** The report printed for the last bar of a result. */
export function formatLastBar(result: AtcResult, source: string, bars: number, millis: number): string {
  const last = result.length - 1;
  const trend = result.trend()[last]!;
  const lines = [
    `adaptive-trend: ${source}, ${bars} bars in, ${result.length} out`,
    `backend: ${result.backend} (${millis.toFixed(2)} ms)`,
    '',
    'family   Layer-1 signal   Layer-2 equity',
    ...FAMILIES.map((f) => `${REFERENCE_FAMILY_NAMES[f].padEnd(8)} ${result.signals[f][last]!.toFixed(2).padStart(14)}   ${result.equities[f][last]!.toFixed(6).padStart(14)}`),
    '',
    `Average_Signal: ${result.averageSignal[last]!.toFixed(6)}`,
    `trend:          ${TREND[String(trend) as keyof typeof TREND]}`,
  ];
  return lines.join('\n');
}

/** The text of `path` (`-` = standard input); a read failure is a {@link CliError} naming the file. */
function readInput(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw describeReadError(path === '-' ? 'standard input' : path, error);
  }
}

/** `adaptive-trend [prices.csv]`: computes ATC and prints the last bar. Returns the exit code. */
export async function runCli(args: readonly string[], options: CreateAtcOptions = {}): Promise<number> {
  const USAGE = 'usage: adaptive-trend [prices.csv]   (close column; without a file: a synthetic sample)';
  const positional = args.filter((a) => a !== '--');
  const path = positional[0];
  if (path === '-h' || path === '--help') {
    console.log(USAGE);
    return 0;
  }
  if (positional.length > 1) throw new CliError(`expected at most one file, got ${positional.length} arguments (${USAGE})`, 2);
  if (path?.startsWith('-') && path !== '-') throw new CliError(`unknown option ${path} (${USAGE})`, 2);
  const prices = path ? parseCloses(readInput(path), path) : sampleSeries();
  await registerInstalledBackends();
  const engine = await createAtc(options);
  const source = path ?? 'embedded synthetic sample (seeded random walk, see sample.ts)';
  const started = performance.now();
  const result = engine.compute(prices);
  const millis = performance.now() - started;
  console.log(formatLastBar(result, source, prices.length, millis));
  return 0;
}
