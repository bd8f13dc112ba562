// The wasm backend as a Vite user receives it: core, backend-js and backend-wasm packed, installed
// from the tarballs into a fresh project outside the workspace (so Vite treats them as
// dependencies and its dev server pre-bundles them into node_modules/.vite/deps/ — a workspace
// link is never pre-bundled), and a page with a default Vite config that only does
// `createAtc({ backend: 'wasm' })`. Opened in headless Chromium twice: from the dev server and
// from `vite build` + preview. Each time the wasm outputs must equal backend-js's bit for bit
// in the page, and the production bundle must carry no Node-only code (`node:` imports, the
// computeBatch worker entries that bundlers inline as data: URLs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build, createServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(packageDir, '..', '..');
const pnpm = join(repoRoot, '.tooling', 'node_modules', '.bin', 'pnpm');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'];
const PACKAGES = ['core', 'backend-js', 'backend-wasm'];
/** What the page reports (window.atcResult). */
interface PageResult {
  ok: boolean;
  error?: string;
  backend?: string;
  source?: string;
  outputs?: number;
  differing?: string[];
}

// The app: what a user writes, nothing Vite-specific.
const INDEX_HTML = '<!doctype html><html><body><pre id="out">loading</pre><script type="module" src="/src/main.js"></script></body></html>\n';
const MAIN_JS = `import { createAtc } from '@adaptive-trend/core';
import { loadWasmBackend } from '@adaptive-trend/backend-wasm';
import '@adaptive-trend/backend-js';

function sameBits(a, b) {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}

let seed = 12345;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
let price = 100;
const prices = Float64Array.from({ length: 3000 }, () => (price *= 1 + (random() - 0.5) * 0.02));

try {
  const wasm = await createAtc({ backend: 'wasm' });
  const js = await createAtc({ backend: 'js' });
  const a = wasm.compute(prices).toRecord();
  const b = js.compute(prices).toRecord();
  const differing = Object.keys(b).filter((name) => !a[name] || !sameBits(a[name], b[name]));
  const { source } = await loadWasmBackend();
  window.atcResult = { ok: true, backend: wasm.backend, source, outputs: Object.keys(a).length, differing };
} catch (error) {
  window.atcResult = { ok: false, error: String(error && error.message || error) };
}
document.getElementById('out').textContent = JSON.stringify(window.atcResult);
`;

let work = '';
let app = '';
let browser: Browser | undefined;

function run(cmd: string, args: string[], cwd: string): string {
  const { NODE_PATH: _workspace, ...env } = process.env;
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
}

async function openPage(url: string): Promise<{ result: PageResult; requests: string[] }> {
  const page = await browser!.newPage();
  const requests: string[] = [];
  const console: string[] = [];
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));
  page.on('console', (message) => console.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => console.push(`[pageerror] ${error.message}`));
  try {
    await page.goto(url);
    // Generous: the dev server pre-bundles on the first request (and may reload the page once).
    await page.waitForFunction(() => 'atcResult' in window, undefined, { timeout: 90_000 }).catch((error: unknown) => {
      throw new Error(`${String(error)}\nrequests:\n${requests.join('\n')}\nconsole:\n${console.join('\n')}`);
    });
    return { result: await page.evaluate(() => (window as unknown as { atcResult: PageResult }).atcResult), requests };
  } finally {
    await page.close();
  }
}

function expectWasmMatchesJs(result: PageResult): void {
  expect(result.error).toBeUndefined();
  expect(result.ok).toBe(true);
  expect(result.backend).toBe('wasm');
  expect(result.outputs).toBe(13);
  expect(result.differing).toEqual([]);
}

describe('a Vite app installing the packed packages (default config)', () => {
  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath} (npm test installs it; or set CHROMIUM_PATH)`);
    work = mkdtempSync(join(tmpdir(), 'atc-vite-consumer-'));
    const tarballs = PACKAGES.map((pkg) => {
      const before = new Set(readdirSync(work));
      run(pnpm, ['pack', '--config.ignore-scripts=true', '--pack-destination', work], join(repoRoot, 'packages', pkg));
      const created = readdirSync(work).find((f) => f.endsWith('.tgz') && !before.has(f));
      if (!created) throw new Error(`pnpm pack produced nothing for ${pkg}`);
      return join(work, created);
    });
    app = join(work, 'app');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'vite-consumer', private: true, type: 'module' }));
    writeFileSync(join(app, 'index.html'), INDEX_HTML);
    writeFileSync(join(app, 'src', 'main.js'), MAIN_JS);
    // Only the tarballs (no registry): the packages have no dependencies of their own. Vite is
    // this workspace's (the same version as the app would install); it resolves the app's deps
    // from the app's root.
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...tarballs], app);
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('dev server: the pre-bundled backend finds its module in the package and computes', async () => {
    const server = await createServer({ root: app, configFile: false, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, strictPort: false } });
    try {
      await server.listen();
      const { port } = server.httpServer!.address() as AddressInfo;
      const { result, requests } = await openPage(`http://127.0.0.1:${port}/`);
      // The case users hit: Vite served the backend from its dependency cache…
      expect(requests.some((p) => /^\/node_modules\/\.vite\/deps\/@adaptive-trend_backend-wasm\.js$/.test(p)), requests.join('\n')).toBe(true);
      expectWasmMatchesJs(result);
      // …and the loader fetched the SIMD build from the installed package instead.
      expect(new URL(result.source!).pathname).toBe('/node_modules/@adaptive-trend/backend-wasm/wasm/atc-simd.wasm');
    } finally {
      await server.close();
    }
  }, 180_000);

  it('vite build + preview: computes, and the bundle has no Node-only code', async () => {
    const outDir = join(app, 'dist');
    await build({ root: app, configFile: false, logLevel: 'warn', build: { outDir, target: 'es2022' } });
    const server = await preview({ root: app, configFile: false, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, open: false } });
    try {
      const { port } = server.httpServer.address() as AddressInfo;
      const { result } = await openPage(`http://127.0.0.1:${port}/`);
      expectWasmMatchesJs(result);
      expect(new URL(result.source!).pathname).toMatch(/^\/assets\/atc-simd-[\w-]+\.wasm$/);
    } finally {
      await server.close();
    }
    const scripts = readdirSync(join(outDir, 'assets')).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const file of scripts) {
      const code = readFileSync(join(outDir, 'assets', file), 'utf8');
      const specifiers = (code.match(/["'`]node:[\w/]+["'`]/g) ?? []).map((s) => s.slice(1, -1));
      // core's Node-only services sit behind package.json "imports" (#node-host, #worker-pool) too
      expect(specifiers, `${file}: node: specifiers`).toEqual([]);
      expect(code.match(/data:text\/javascript[^"'`]{0,40}/g) ?? [], `${file}: inlined scripts (worker entries)`).toEqual([]);
      expect(code.match(/worker_threads/g) ?? [], `${file}: worker_threads`).toEqual([]);
    }
  }, 120_000);
});
