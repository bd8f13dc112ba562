import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import { type AtcResult, type CreateAtcOptions, FAMILIES, REFERENCE_FAMILY_NAMES, REFERENCE_OUTPUT_NAMES, firstInputBar, scaledLambda } from '@adaptive-trend/core';
import { type Candles, priceSource } from '../candles.js';
import { engineFor } from '../engine.js';
import { dropFormingCandle, inFileTerms, readCandles } from '../input.js';
import { type InputOptions, configFromOptions } from '../options.js';
import { writeOutput } from '../output.js';

export interface ReportCommandOptions extends InputOptions {
  out: string;
  closedOnly?: boolean;
}

/** TradingView's standalone build (global `LightweightCharts`), inlined so the page opens offline. */
function chartLibrary(): string {
  const manifest = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
  return readFileSync(join(dirname(manifest), 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
}

/** NaN (Pine's na) as null: JSON has no NaN. */
const plain = (values: ArrayLike<number>) => Array.from(values, (v) => (Number.isNaN(v) ? null : v));

/**
 * The Pine script's "Exponential Multiplier" table: the growth factor `e(La)` on the last bar,
 * `exp(λ/1000 · (n − 1 − cutout))`, with its warnings above 1.1 (too high) and 1.25 (way too high).
 */
export function exponentialMultiplier(config: AtcResult['config'], bars: number): { value: number; level: 'ok' | 'high' | 'too-high'; warning: string } {
  const value = bars - 1 >= config.cutout ? Math.exp(scaledLambda(config) * (bars - 1 - config.cutout)) : 1;
  const advice = 'reduce λ (Lambda) or increase CutOut Period';
  if (value > 1.25) return { value, level: 'too-high', warning: `☠️ Exp Mult. is way too high, ${advice}` };
  if (value > 1.1) return { value, level: 'high', warning: `❗ Exp Mult. is too high, ${advice}` };
  return { value, level: 'ok', warning: '' };
}

/** Everything the page draws, embedded as JSON (the test reads it back and compares with the engine). */
export function reportData(candles: Candles, prices: Float64Array, result: AtcResult) {
  const { details } = result;
  if (!details) throw new Error('report needs the per-MA details');
  const record = result.toRecord();
  const last = result.length - 1;
  return {
    file: candles.file,
    backend: result.backend,
    config: { ...result.config, lengths: undefined },
    // Chart time in seconds; without a time column, one bar per minute from 0.
    times: candles.times ? Array.from(candles.times, (ms) => Math.floor(ms / 1000)) : Array.from(prices, (_, i) => i * 60),
    ohlc: candles.columns.open && candles.columns.high && candles.columns.low && candles.columns.close
      ? { open: plain(candles.columns.open), high: plain(candles.columns.high), low: plain(candles.columns.low), close: plain(candles.columns.close) }
      : undefined,
    prices: plain(prices),
    first: firstInputBar(result.config),
    outputs: Object.fromEntries(REFERENCE_OUTPUT_NAMES.map((name) => [name, plain(record[name])])),
    entries: Array.from(result.entries()),
    expMultiplier: exponentialMultiplier(result.config, prices.length),
    families: FAMILIES.map((family) => ({
      name: REFERENCE_FAMILY_NAMES[family],
      lengths: details.lengths[family],
      // the base length's MA (lengths[0]) and its crossover signal, for the price pane
      ma: plain(details.movingAverages[family][0]!),
      maSignal: Array.from(details.maSignals[family][0]!),
      lastMaSignals: details.maSignals[family].map((s) => s[last]!),
      lastMaEquities: details.maEquities[family].map((e) => e[last]!),
      signal: result.signals[family][last]!,
      equity: result.equities[family][last]!,
    })),
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fixed = (v: number, digits: number) => (Number.isNaN(v) ? 'na' : v.toFixed(digits));

function tables(data: ReturnType<typeof reportData>): string {
  const familyRows = data.families
    .map((f) => `<tr><td>${f.name}</td><td>${f.lengths[0]}</td><td>${fixed(f.signal, 2)}</td><td>${fixed(f.equity, 4)}</td></tr>`)
    .join('');
  const maRows = data.families
    .map((f) => `<tr><td>${f.name}</td>${f.lengths.map((len, k) => `<td title="length ${len}">${f.lastMaSignals[k]! > 0 ? '▲' : f.lastMaSignals[k]! < 0 ? '▼' : '·'} ${fixed(f.lastMaEquities[k]!, 3)}</td>`).join('')}</tr>`)
    .join('');
  const lengthsHeader = data.families[0]!.lengths.map((_, k) => `<th>L${k + 1}</th>`).join('');
  const m = data.expMultiplier;
  const multiplier = `<table id="exp-multiplier" class="${m.level}"><caption>Exponential multiplier (last bar)</caption><tr><td>${m.value.toFixed(3)}</td><td>${escapeHtml(m.warning)}</td></tr></table>`;
  return `<table id="families"><caption>Last bar: Layer-1 signal and Layer-2 equity per family</caption><tr><th>family</th><th>base length</th><th>signal</th><th>equity</th></tr>${familyRows}</table>
<table id="mas"><caption>Last bar: each MA's signal (▲ long ▼ short) and Layer-1 equity</caption><tr><th>family</th>${lengthsHeader}</tr>${maRows}</table>
${multiplier}`;
}

/** The page's own script: draws the embedded data with lightweight-charts (v5 API). */
const PAGE_SCRIPT = `
const d = JSON.parse(document.getElementById('atc-data').textContent);
const { createChart, CandlestickSeries, LineSeries, createSeriesMarkers } = LightweightCharts;
const up = '#26a69a', down = '#ef5350';
const chart = createChart(document.getElementById('chart'), { autoSize: true, layout: { attributionLogo: true } });
const t = d.times;
let price;
if (d.ohlc) {
  price = chart.addSeries(CandlestickSeries, { upColor: up, downColor: down, wickUpColor: up, wickDownColor: down, borderVisible: false });
  price.setData(t.map((time, i) => ({ time, open: d.ohlc.open[i], high: d.ohlc.high[i], low: d.ohlc.low[i], close: d.ohlc.close[i] })));
} else {
  price = chart.addSeries(LineSeries, { color: '#555', lineWidth: 1, title: 'price' });
  price.setData(t.map((time, i) => ({ time, value: d.prices[i] })));
}
const at = (k) => t[k + d.first];
for (const f of d.families) {
  const ma = chart.addSeries(LineSeries, { lineWidth: 1, priceLineVisible: false, lastValueVisible: false, title: f.name + ' ' + f.lengths[0] });
  ma.setData(f.ma.map((v, k) => (v === null ? { time: at(k) } : { time: at(k), value: v, color: f.maSignal[k] > 0 ? up : f.maSignal[k] < 0 ? down : '#999' })));
}
const avg = chart.addSeries(LineSeries, { color: '#2962ff', lineWidth: 2, title: 'Average_Signal' }, 1);
avg.setData(d.outputs.Average_Signal.map((v, k) => (v === null ? { time: at(k) } : { time: at(k), value: v })));
avg.createPriceLine({ price: d.config.longThreshold, color: up, lineStyle: 2, title: 'long' });
avg.createPriceLine({ price: d.config.shortThreshold, color: down, lineStyle: 2, title: 'short' });
createSeriesMarkers(price, d.entries.flatMap((e, k) => (e === 0 ? [] : [{
  time: at(k), position: e > 0 ? 'belowBar' : 'aboveBar', shape: e > 0 ? 'arrowUp' : 'arrowDown', color: e > 0 ? up : down, text: e > 0 ? 'LONG' : 'SHORT',
}])));
chart.panes()[1]?.setHeight(160);
chart.timeScale().fitContent();
window.atcReport = { series: chart.panes().reduce((n, p) => n + p.getSeries().length, 0), markers: d.entries.filter((e) => e !== 0).length };
`;

/** The whole page: one file, no network (the library and the data are inline). */
export function reportHtml(data: ReturnType<typeof reportData>, library: string): string {
  // `<` escaped so no "</script>" inside the data or the library can end its element early.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title = `ATC — ${escapeHtml(basename(data.file, extname(data.file)))}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; }
#chart { height: 560px; }
table { border-collapse: collapse; margin: 16px 16px 0 0; display: inline-table; vertical-align: top; }
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: right; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
.high td { color: #e65100; } .too-high td { color: #c62828; font-weight: 600; }
footer { margin-top: 16px; color: #777; font-size: 12px; }
</style></head>
<body>
<h1>${title}</h1>
<p>${escapeHtml(data.file)} · backend ${escapeHtml(data.backend)} · semantics ${escapeHtml(data.config.semantics)} · robustness ${escapeHtml(data.config.robustness)} · Average_Signal last ${fixed(data.outputs.Average_Signal!.at(-1) ?? NaN, 4)}</p>
<div id="chart"></div>
${tables(data)}
<footer>Charts by <a href="https://www.tradingview.com/">TradingView</a> Lightweight Charts™ (Apache License 2.0), inlined below with its license notice.</footer>
<script type="application/json" id="atc-data">${json}</script>
<script>${library.replace(/<\/script/gi, '<\\/script')}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

/** `adaptive-trend report <file> -o report.html`: one self-contained HTML chart of the indicator. */
export async function reportCommand(file: string, options: ReportCommandOptions, defaults: CreateAtcOptions): Promise<number> {
  let candles = readCandles(file);
  if (options.closedOnly) candles = dropFormingCandle(candles);
  const prices = priceSource(candles, options.source);
  const engine = await engineFor(options, defaults);
  let result: AtcResult;
  try {
    result = engine.compute(prices, configFromOptions(options), { details: true });
  } catch (error) {
    throw inFileTerms(error, candles);
  }
  writeOutput(reportHtml(reportData(candles, prices, result), chartLibrary()), options.out);
  return 0;
}
