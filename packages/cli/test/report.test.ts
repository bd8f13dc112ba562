import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import '@adaptive-trend/backend-js';
import { FAMILIES, REFERENCE_OUTPUT_NAMES, createAtc } from '@adaptive-trend/core';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, column, sharedCandles, tempDir, writeCut } from './helpers.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// As tests/browser: the machine's network is closed, so keep Chromium from trying.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const screenshot = fileURLToPath(new URL('../../../test-artifacts/cli-report.png', import.meta.url));

const fromJson = (values: (number | null)[]) => values.map((v) => (v === null ? NaN : v));
/** JSON has no −0 (JSON.stringify prints it as 0): compare values, with −0 read as 0. */
const asJson = (values: ArrayLike<number>) => Array.from(values, (v) => (v === 0 ? 0 : v));

describe('adaptive-trend report: one HTML file, rendered offline in headless Chromium', () => {
  const dir = tempDir();
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`Chromium not found at ${chromiumPath}: \`npm test\` installs it (scripts/lib/chromium.mjs), or set CHROMIUM_PATH.`);
    }
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['reference', ['--cutout', '40']],
    ['pine', ['--semantics', 'pine', '--cutout', '40', '--robustness', 'Wide']],
  ] as const)('%s semantics: draws candles, 6 MAs, Average_Signal and the entries; the embedded numbers are the engine\'s', async (semantics, flags) => {
    const cut = sharedCandles('ETH_BTC-5m.csv', 700, 1000);
    const file = writeCut(dir, `ETH_${semantics}.csv`, cut);
    const out = join(dir, `ETH_${semantics}.html`);
    const run = cli(['report', file, '-o', out, ...flags]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('TradingView Lightweight Charts™'); // the library's license notice, inlined
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // nothing to fetch

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : (problems.push(`network: ${route.request().url()}`), route.abort())));
    await page.goto(pathToFileURL(out).href);
    await page.waitForFunction(() => (window as unknown as { atcReport?: unknown }).atcReport !== undefined, null, { timeout: 30_000 });
    const drawn = await page.evaluate(() => ({
      report: (window as unknown as { atcReport: { series: number; markers: number } }).atcReport,
      data: JSON.parse(document.getElementById('atc-data')!.textContent!),
      // painted pixels per canvas: a blank chart has none that differ from its background
      painted: [...document.querySelectorAll('#chart canvas')].map((c) => {
        const canvas = c as HTMLCanvasElement;
        const ctx = canvas.getContext('2d');
        if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 0 && (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2])) n++;
        return n;
      }),
    }));
    mkdirSync(join(screenshot, '..'), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
    expect(drawn.report.series).toBe(1 + FAMILIES.length + 1);
    expect(drawn.painted.filter((n) => n > 2000).length).toBeGreaterThanOrEqual(2); // the price pane and the signal pane

    const config = { ...(semantics === 'pine' ? { semantics: 'pine' as const, robustness: 'Wide' as const } : {}), cutout: 40 };
    const result = (await createAtc({ backend: 'js' })).compute(column(cut, 'close'), config, { details: true });
    const record = result.toRecord();
    for (const name of REFERENCE_OUTPUT_NAMES) expect(fromJson(drawn.data.outputs[name])).toEqual(asJson(record[name]));
    expect(drawn.data.entries).toEqual([...result.entries()]);
    expect(drawn.report.markers).toBe([...result.entries()].filter((e) => e !== 0).length);
    expect(drawn.report.markers).toBeGreaterThan(0);
    FAMILIES.forEach((family, i) => {
      expect(fromJson(drawn.data.families[i].ma)).toEqual(asJson(result.details!.movingAverages[family][0]!));
      expect(drawn.data.families[i].lengths).toEqual(result.details!.lengths[family]);
    });
    expect(drawn.data.times.length).toBe(700);
    expect(drawn.data.first).toBe(semantics === 'pine' ? 0 : 40);
  });

  it('the exponential-multiplier table warns as the Pine script does (above 1.1 and 1.25)', () => {
    const cut = sharedCandles('LTC_BTC-5m.csv', 700);
    const file = writeCut(dir, 'LTC.csv', cut);
    const multiplier = (lambda: number) => {
      const out = join(dir, `LTC-${lambda}.html`);
      expect(cli(['report', file, '-o', out, '--lambda', String(lambda), '--cutout', '100']).status).toBe(0);
      return /<table id="exp-multiplier" class="([^"]+)">.*?<td>([\d.]+)<\/td><td>([^<]*)<\/td>/s.exec(readFileSync(out, 'utf8'))!.slice(1);
    };
    const expected = (lambda: number) => Math.exp((lambda / 1000) * (700 - 1 - 100)).toFixed(3);
    expect(multiplier(0.02)).toEqual(['ok', expected(0.02), '']);
    expect(multiplier(0.2)).toEqual(['high', expected(0.2), '❗ Exp Mult. is too high, reduce λ (Lambda) or increase CutOut Period']);
    expect(multiplier(0.5)).toEqual(['too-high', expected(0.5), '☠️ Exp Mult. is way too high, reduce λ (Lambda) or increase CutOut Period']);
  });

  it('needs -o; a bad file is one line', () => {
    const missing = cli(['report', '/missing.csv']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^adaptive-trend: required option -o, --out <file> not specified/);
    const bad = cli(['report', '/missing.csv', '-o', join(dir, 'x.html')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('adaptive-trend: cannot read /missing.csv: no such file');
  });
});
