// Real-browser test of the WebAssembly backend: the page built by `vite build` (index.html +
// src/main.ts, bundling @adaptive-trend/core, @adaptive-trend/backend-wasm and its .wasm assets)
// is served by Vite's preview server on a random localhost port with no special headers, opened
// in headless Debian Chromium through playwright-core, fed real prices, and its 13 outputs are
// compared bit for bit with the same computation in Node on the wasm and the js backends.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendFactory as jsFactory } from '@adaptive-trend/backend-js';
import { backendFactory as wasmFactory } from '@adaptive-trend/backend-wasm';
import { findSharedDir, loadCloses } from '@adaptive-trend/conformance';
import { type AtcConfigInput, type AtcEngine, REFERENCE_OUTPUT_NAMES, createAtc, registerBackend } from '@adaptive-trend/core';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageInfo, PageRun } from '../src/main';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(packageDir, '..', '..');
const distIndex = join(packageDir, 'dist', 'index.html');
const screenshotPath = join(repoRoot, 'test-artifacts', 'browser-wasm.png');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// This machine's network is closed: without these Chromium floods it with refused connections.
// (playwright gives every launch a fresh temporary --user-data-dir of its own and refuses one in `args`.)
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const DATASET = 'ETH_BTC-5m';

/** A seeded random walk, used only when the shared reference data cannot be found. */
function syntheticCloses(n: number): Float64Array {
  let seed = 0x2545f491;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = new Float64Array(n);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const drift = Math.sin(i / 400) * 0.0008;
    price *= 1 + drift + (random() - 0.5) * 0.01;
    out[i] = price;
  }
  return out;
}

function loadPrices(): { prices: Float64Array; label: string } {
  const shared = findSharedDir();
  if (shared && existsSync(join(shared, 'data', `${DATASET}.csv`))) {
    return { prices: loadCloses(shared, DATASET), label: `${DATASET}.csv (close)` };
  }
  const message =
    `\n${'!'.repeat(78)}\n!! browser test: shared/data/${DATASET}.csv NOT FOUND (no \`shared/\` with golden + data walking up from the cwd,\n` +
    `!! nor a valid ATC_SHARED_DIR) -- running on a SYNTHETIC series instead of real data.\n${'!'.repeat(78)}\n`;
  console.warn(message);
  return { prices: syntheticCloses(3000), label: 'synthetic random walk (shared data not found)' };
}

function toBase64(series: Float64Array): string {
  return Buffer.from(series.buffer, series.byteOffset, series.byteLength).toString('base64');
}

function fromBase64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  // Copy into a fresh, aligned buffer.
  return new Float64Array(new Uint8Array(bytes).buffer);
}

/** First index whose 8 bytes differ (bit-for-bit, NaN payloads and −0 included), or −1; lengths must match. */
function firstBitDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

function expectBitIdentical(what: string, browser: Record<string, string>, node: Record<string, Float64Array>): void {
  expect(Object.keys(browser).sort()).toEqual([...REFERENCE_OUTPUT_NAMES].sort());
  for (const name of REFERENCE_OUTPUT_NAMES) {
    const fromPage = fromBase64(browser[name]!);
    const expected = node[name]!;
    const at = firstBitDifference(fromPage, expected);
    const detail =
      at < 0 ? '' : ` (lengths ${fromPage.length}/${expected.length}; bar ${at}: browser ${fromPage[at]} vs node ${expected[at]})`;
    expect(at, `${what}: ${name} differs${detail}`).toBe(-1);
  }
}

const CONFIGS: { name: string; config: AtcConfigInput }[] = [
  { name: 'Narrow, λ 0.1, decay 0.1, strategy mode, cutout 50', config: { robustness: 'Narrow', lambda: 0.1, decay: 0.1, strategyMode: true, cutout: 50 } },
  // Last, so the page (and the screenshot) shows the default computation.
  { name: 'default config', config: {} },
];

// This package's own `test` script (cwd = tests/browser) runs this file. The parent `tests`
// package's vitest would pick it up too (its default include reaches into tests/browser/) and
// race this package's `vite build` over dist/ — so there it stands aside, saying why.
const ownRun = resolve(process.cwd()) === resolve(packageDir);
if (!ownRun) {
  console.warn(`browser test: not run from ${packageDir} (cwd ${process.cwd()}); it runs in @adaptive-trend/browser-tests' own \`test\` script.`);
}

describe.runIf(ownRun)('wasm backend in headless Chromium (Vite-built page)', () => {
  const { prices, label } = ownRun ? loadPrices() : { prices: new Float64Array(0), label: '' };
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let baseUrl: string;
  let info: PageInfo;
  let nodeWasm: AtcEngine;
  let nodeJs: AtcEngine;
  const pageErrors: string[] = [];
  const consoleLines: string[] = [];
  const wasmResponses: { url: string; status: number; contentType: string | undefined }[] = [];
  const documentHeaders: Record<string, string>[] = [];
  const failedRequests: string[] = [];
  const runs = new Map<string, PageRun>();

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `Chromium not found at ${chromiumPath}. The browser test needs Debian's chromium: run ` +
          '`npm test` installs it (scripts/lib/chromium.mjs), or point CHROMIUM_PATH at a Chromium binary.',
      );
    }
    if (!existsSync(distIndex)) {
      throw new Error(`${distIndex} is missing: build the page first (\`vite build\`; the package's \`test\` script does).`);
    }
    // `env: {}`: ATC_BACKEND in the environment must not redirect the reference computations.
    registerBackend(wasmFactory);
    registerBackend(jsFactory);
    [nodeWasm, nodeJs] = await Promise.all([createAtc({ backend: 'wasm', env: {} }), createAtc({ backend: 'js', env: {} })]);

    server = await preview({
      root: packageDir,
      configFile: join(packageDir, 'vite.config.ts'),
      logLevel: 'warn',
      preview: { host: '127.0.0.1', port: 0, open: false },
    });
    const address = server.httpServer.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${address.port}/`;

    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 820, height: 720 } });
    page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
    page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
    page.on('requestfailed', (request) => failedRequests.push(`${request.failure()?.errorText ?? 'failed'} ${request.url()}`));
    page.on('response', (response) => {
      if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
      if (new URL(response.url()).pathname.endsWith('.wasm')) {
        wasmResponses.push({ url: response.url(), status: response.status(), contentType: response.headers()['content-type'] });
      }
    });
    const response = await page.goto(baseUrl, { waitUntil: 'load' });
    expect(response?.ok(), `GET ${baseUrl}`).toBe(true);
    documentHeaders.push(response!.headers());
    await page.waitForFunction(() => 'atcPage' in window, undefined, { timeout: 15_000 });
    try {
      info = await page.evaluate(() => window.atcPage.ready);
    } catch (error) {
      throw new Error(`the page could not load the wasm backend: ${String(error)}\nconsole:\n${consoleLines.join('\n')}`);
    }
    for (const { name, config } of CONFIGS) {
      runs.set(name, await page.evaluate(([p, l, c]) => window.atcPage.run(p, l, c), [toBase64(prices), label, config] as const));
    }
  });

  afterAll(async () => {
    if (pageErrors.length > 0 || consoleLines.some((l) => l.startsWith('[error]'))) {
      console.log(`browser console:\n${consoleLines.join('\n')}\npage errors:\n${pageErrors.join('\n')}`);
    }
    await browser?.close();
    await server?.close();
  });

  it('loads the module Vite emitted, from a plain server (no COOP/COEP), on the wasm backend', () => {
    const headers = documentHeaders[0]!;
    expect(headers['cross-origin-opener-policy']).toBeUndefined();
    expect(headers['cross-origin-embedder-policy']).toBeUndefined();
    expect(info.crossOriginIsolated).toBe(false);
    // Chromium runs wasm SIMD, so the page picks atc-simd.wasm, and the SIMD build is what runs.
    expect(info.simdSupported).toBe(true);
    expect(info.simd).toBe(true);
    expect(info.source).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/assets\/atc-simd-[\w-]+\.wasm$/);
    // The package's default loader (`new URL('../wasm/…', import.meta.url)`) is bundled too.
    expect(info.defaultSource).toMatch(/\/assets\/atc-simd-[\w-]+\.wasm$/);
    expect(wasmResponses.length).toBeGreaterThan(0);
    for (const r of wasmResponses) {
      expect(r.status, r.url).toBe(200);
      expect(r.contentType, r.url).toMatch(/^application\/wasm/);
    }
    for (const run of runs.values()) {
      expect(run.backend).toBe('wasm');
      expect(run.defaultBackend).toBe('wasm');
    }
    expect(nodeWasm.backend).toBe('wasm');
    expect(nodeJs.backend).toBe('js');
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });

  it.each(CONFIGS)('13 outputs equal Node wasm and Node js bit for bit ($name)', ({ name, config }) => {
    const run = runs.get(name)!;
    const wasmRecord = nodeWasm.compute(prices, config).toRecord();
    const jsRecord = nodeJs.compute(prices, config).toRecord();
    expect(run.bars).toBe(wasmRecord.Average_Signal.length);
    expect(run.bars).toBe(prices.length - (config.cutout ?? 0));
    expectBitIdentical('browser wasm vs Node wasm', run.outputs, wasmRecord);
    expectBitIdentical('browser wasm vs Node js', run.outputs, jsRecord);
    expectBitIdentical('browser default-loader wasm vs Node wasm', run.defaultOutputs, wasmRecord);
    // Not a degenerate series: the signal moves.
    expect(new Set(wasmRecord.Average_Signal).size).toBeGreaterThan(10);
  });

  it('renders the summary into the DOM and leaves a screenshot', async () => {
    const last = nodeWasm.compute(prices).averageSignal.at(-1)!;
    await expect.poll(() => page.locator('#status').getAttribute('data-state')).toBe('done');
    expect(await page.locator('#summary').isVisible()).toBe(true);
    const average = page.getByTestId('average-signal');
    expect(await average.textContent()).toBe(last.toFixed(4));
    expect(await average.getAttribute('data-exact')).toBe(String(last));
    expect(await page.locator('#families tr').count()).toBe(7);
    expect(await page.locator('#status').textContent()).toContain('on the wasm backend');

    rmSync(screenshotPath, { force: true });
    mkdirSync(resolve(screenshotPath, '..'), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(existsSync(screenshotPath)).toBe(true);
    expect(statSync(screenshotPath).size).toBeGreaterThan(1000);
    expect(readFileSync(screenshotPath).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    console.log(`browser test: ${prices.length} bars of ${label}; last Average_Signal ${last}; screenshot ${screenshotPath}`);
  });
});
