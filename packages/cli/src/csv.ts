import { parseCandles, priceSource } from './candles.js';

/**
 * Close prices from CSV text: the `close` column (any case) when there is a header, else the
 * last column. Parsed by {@link parseCandles} (quotes, BOM, `;`, blank lines); an unparsable
 * cell is an error naming its line.
 */
export function parseCloses(text: string, source = 'csv'): Float64Array {
  return priceSource(parseCandles(text, source), 'close');
}
