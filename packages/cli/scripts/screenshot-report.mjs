#!/usr/bin/env node
// `node packages/cli/scripts/screenshot-report.mjs <report.html> <out.png>`: the top of a report
// (chart and the last bar's tables) as a PNG, rendered by the machine's Chromium through
// playwright-core, offline, as test/report.test.ts does. docs/report.png is the report of the
// last 400 bars of the demo's synthetic SYN09.csv (the header plus `tail -400` of the file).
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [report, out] = process.argv.slice(2);
if (!report || !out) throw new Error('usage: screenshot-report.mjs <report.html> <out.png>');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  await page.goto(pathToFileURL(report).href);
  await page.waitForFunction(() => window.atcReport !== undefined, null, { timeout: 30_000 });
  await page.screenshot({ path: out });
} finally {
  await browser.close();
}
