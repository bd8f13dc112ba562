/**
 * `@adaptive-trend/cli`: the `adaptive-trend` command and its building blocks.
 * @packageDocumentation
 */
export { parseCloses } from './csv.js';
export { type Candles, PRICE_SOURCES, type PriceSource, parseCandles, parseTimestamp, priceSource } from './candles.js';
export { dropFormingCandle, timeframeMillis } from './input.js';
export { registerInstalledBackends } from './backends.js';
export { CliError, formatFatal } from './errors.js';
export { sampleSeries } from './sample.js';
export { formatLastBar, runCli } from './run.js';
