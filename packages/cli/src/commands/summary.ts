import { type AtcResult, type CreateAtcOptions, FAMILIES, REFERENCE_FAMILY_NAMES } from '@adaptive-trend/core';
import { priceSource } from '../candles.js';
import { engineFor } from '../engine.js';
import { inFileTerms, readCandles } from '../input.js';
import { type InputOptions, configFromOptions } from '../options.js';
import { sampleSeries } from '../sample.js';

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

/** `adaptive-trend [file]`: the last bar of one series (without a file: the synthetic sample). */
export async function summaryCommand(file: string | undefined, options: InputOptions, defaults: CreateAtcOptions): Promise<number> {
  const candles = file ? readCandles(file) : undefined;
  const prices = candles ? priceSource(candles, options.source) : sampleSeries();
  const config = configFromOptions(options);
  const engine = await engineFor(options, defaults);
  const source = file ?? 'embedded synthetic sample (seeded random walk, see sample.ts)';
  const started = performance.now();
  let result: AtcResult;
  try {
    result = engine.compute(prices, config);
  } catch (error) {
    throw candles ? inFileTerms(error, candles) : error;
  }
  const millis = performance.now() - started;
  console.log(formatLastBar(result, source, prices.length, millis));
  return 0;
}
