// The page under test: imports core + the wasm backend exactly as an application would, lets
// Vite bundle both and the .wasm assets, and exposes `window.atcPage` so the Node side
// (tests/browser/test/browser.test.ts, via playwright-core) can feed it prices and read back
// the 13 outputs as raw Float64 bytes.
import { type AtcConfigInput, type AtcEngine, type AtcResult, FAMILIES, REFERENCE_FAMILY_NAMES, createAtc, registerBackend } from '@adaptive-trend/core';
import { backendFactory, loadWasmBackend, simdSupported } from '@adaptive-trend/backend-wasm';
// The package's `exports` map exposes both builds; `?url` makes Vite emit them as hashed assets.
import simdWasmUrl from '@adaptive-trend/backend-wasm/wasm/atc-simd.wasm?url';
import plainWasmUrl from '@adaptive-trend/backend-wasm/wasm/atc.wasm?url';

/** What one run hands back to the test. Series travel as base64 of their Float64 bytes (NaN-safe, bit-exact). */
export interface PageRun {
  backend: string;
  defaultBackend: string;
  bars: number;
  outputs: Record<string, string>;
  defaultOutputs: Record<string, string>;
  lastAverageSignal: number;
  computeMs: number;
}

/** How the page loaded the module. */
export interface PageInfo {
  wasmUrl: string;
  source: string;
  simd: boolean;
  simdSupported: boolean;
  defaultSource: string;
  defaultSimd: boolean;
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
}

export interface AtcPage {
  ready: Promise<PageInfo>;
  run(pricesBase64: string, label: string, config?: AtcConfigInput): Promise<PageRun>;
}

declare global {
  interface Window {
    atcPage: AtcPage;
  }
}

// Importing the package registered the backend already; registering again is idempotent and
// makes the dependency explicit.
registerBackend(backendFactory);

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;
const status = $<HTMLDivElement>('#status');

function setStatus(state: 'loading' | 'ready' | 'done' | 'error', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

function toBase64(series: Float64Array): string {
  const bytes = new Uint8Array(series.buffer, series.byteOffset, series.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Float64Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float64Array(bytes.buffer);
}

function encodeRecord(result: AtcResult): Record<string, string> {
  return Object.fromEntries(Object.entries(result.toRecord()).map(([name, series]) => [name, toBase64(series)]));
}

let engine: AtcEngine;
let defaultEngine: AtcEngine;

async function init(): Promise<PageInfo> {
  const wasmUrl = new URL(simdSupported() ? simdWasmUrl : plainWasmUrl, location.href);
  // 1. The module Vite emitted for the `?url` import, passed as `backendOptions.wasm.module` (fetch + compileStreaming).
  engine = await createAtc({ backend: 'wasm', backendOptions: { wasm: { module: wasmUrl } } });
  // 2. No option: the package's own `new URL('../wasm/…', import.meta.url)`, rewritten by Vite.
  defaultEngine = await createAtc({ backend: 'wasm' });
  // The engine hides its backend instance; load the same modules once more to report where they came from.
  const [explicit, byDefault] = await Promise.all([loadWasmBackend({ module: wasmUrl }), loadWasmBackend()]);
  const info: PageInfo = {
    wasmUrl: wasmUrl.href,
    source: explicit.source,
    simd: explicit.simd,
    simdSupported: simdSupported(),
    defaultSource: byDefault.source,
    defaultSimd: byDefault.simd,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
  };
  setStatus('ready', `wasm backend loaded (${engine.backend}, SIMD ${info.simd ? 'on' : 'off'}); waiting for prices…`);
  renderFacts([
    ['module', info.source],
    ['SIMD build', String(info.simd)],
    ['default loader', info.defaultSource],
    ['crossOriginIsolated', String(info.crossOriginIsolated)],
  ]);
  return info;
}

function renderFacts(facts: [string, string][], target = '#facts'): void {
  const dl = $<HTMLDListElement>(target);
  dl.replaceChildren();
  for (const [term, value] of facts) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dl.append(dt, dd);
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** A line of `series` into the band [top, top + height] of the chart, scaled to [lo, hi]. */
function line(series: ArrayLike<number>, top: number, height: number, lo: number, hi: number, color: string, step = false): SVGPolylineElement {
  const width = 760;
  const points: string[] = [];
  const x = (i: number) => ((i / Math.max(1, series.length - 1)) * width).toFixed(1);
  const y = (v: number) => (top + height - ((v - lo) / (hi - lo || 1)) * height).toFixed(1);
  for (let i = 0; i < series.length; i++) {
    const v = series[i]!;
    if (!Number.isFinite(v)) continue;
    if (step && i > 0 && Number.isFinite(series[i - 1]!)) points.push(`${x(i)},${y(series[i - 1]!)}`);
    points.push(`${x(i)},${y(v)}`);
  }
  const el = document.createElementNS(SVG, 'polyline');
  el.setAttribute('points', points.join(' '));
  el.setAttribute('fill', 'none');
  el.setAttribute('stroke', color);
  el.setAttribute('stroke-width', '1.2');
  return el;
}

function render(label: string, prices: Float64Array, result: AtcResult, ms: number): void {
  const last = result.averageSignal.at(-1)!;
  const average = $<HTMLSpanElement>('#average');
  average.textContent = last.toFixed(4);
  average.dataset.exact = String(last);
  const sign = result.trend().at(-1)!;
  $<HTMLSpanElement>('#trend').textContent = sign > 0 ? '▲ long' : sign < 0 ? '▼ short' : '● flat';
  renderFacts(
    [
      ['data', label],
      ['bars', String(result.length)],
      ['backend', `${engine.backend} (default-loader engine: ${defaultEngine.backend})`],
      ['compute', `${ms.toFixed(1)} ms`],
    ],
    '#run',
  );

  // The last 300 bars: close (grey, top band) and Average_Signal in [−1, 1] (blue, bottom band).
  const span = 300;
  const bars = Math.min(span, result.length);
  const close = prices.subarray(prices.length - bars);
  const signal = result.averageSignal.subarray(result.length - bars);
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of close) {
    lo = Math.min(lo, p);
    hi = Math.max(hi, p);
  }
  const svg = $<SVGSVGElement>('#chart');
  const zero = document.createElementNS(SVG, 'line');
  Object.entries({ x1: '0', x2: '760', y1: '170', y2: '170', stroke: '#d0d5dd', 'stroke-dasharray': '4 3' }).forEach(([k, v]) => zero.setAttribute(k, v));
  svg.replaceChildren(zero, line(close, 8, 100, lo, hi, '#667085'), line(signal, 124, 92, -1, 1, '#1570ef', true));
  $<HTMLDivElement>('#chart-caption').textContent = `last ${bars} bars: close (grey) and Average_Signal in [−1, 1] (blue)`;

  const table = $<HTMLTableElement>('#families');
  table.replaceChildren();
  const head = table.insertRow();
  for (const title of ['family', 'Layer-1 signal (last)', 'Layer-2 equity (last)']) head.append(Object.assign(document.createElement('th'), { textContent: title }));
  for (const family of FAMILIES) {
    const row = table.insertRow();
    row.insertCell().textContent = REFERENCE_FAMILY_NAMES[family];
    row.insertCell().textContent = result.signals[family].at(-1)!.toFixed(2);
    row.insertCell().textContent = result.equities[family].at(-1)!.toFixed(4);
  }
  $<HTMLElement>('#summary').hidden = false;
  setStatus('done', `computed ${result.length} bars of ${label} on the ${engine.backend} backend in ${ms.toFixed(1)} ms`);
}

const ready = init();
ready.catch((error: unknown) => {
  setStatus('error', `failed to load the wasm backend:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});

window.atcPage = {
  ready,
  async run(pricesBase64, label, config = {}) {
    await ready;
    const prices = fromBase64(pricesBase64);
    const started = performance.now();
    const result = engine.compute(prices, config);
    const computeMs = performance.now() - started;
    const byDefault = defaultEngine.compute(prices, config);
    render(label, prices, result, computeMs);
    return {
      backend: engine.backend,
      defaultBackend: defaultEngine.backend,
      bars: result.length,
      outputs: encodeRecord(result),
      defaultOutputs: encodeRecord(byDefault),
      lastAverageSignal: result.averageSignal.at(-1)!,
      computeMs,
    };
  },
};
