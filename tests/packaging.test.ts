// Install-from-tarball test: pack every publishable package, install core + one backend into a
// clean project outside the workspace (no workspace links), then compute ATC there in plain
// Node — ESM import and CJS require — and compare with the js backend here. It catches a file
// missing from `files`, a broken `exports` map, or a missing platform package.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@adaptive-trend/backend-js';
import { findSharedDir, loadCloses } from '@adaptive-trend/conformance';
import { AtcEngine } from '@adaptive-trend/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PUBLISHED = ['core', 'backend-js', 'backend-wasm', 'backend-native', 'backend-native-linux-x64-gnu', 'conformance', 'cli'];
const BACKENDS = [
  { name: 'js', packages: ['backend-js'] },
  { name: 'wasm', packages: ['backend-wasm'] },
  { name: 'native', packages: ['backend-native', 'backend-native-linux-x64-gnu'] },
] as const;

const shared = findSharedDir();
const prices = shared ? loadCloses(shared, 'ETH_BTC-5m').slice(0, 1500) : Float64Array.from({ length: 1500 }, (_, i) => 100 + 10 * Math.sin(i / 40) + (i % 7) * 0.1);

/** pnpm: the repo's pinned copy when setup installed one, else whatever is on PATH. */
const pnpm = existsSync(join(root, '.tooling', 'node_modules', '.bin', 'pnpm')) ? join(root, '.tooling', 'node_modules', '.bin', 'pnpm') : 'pnpm';

let work = '';
const tarballs = new Map<string, string>();

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ATC_NATIVE_BINDING: '', ATC_BACKEND: '' } });
}

const APP = (backend: string, format: 'esm' | 'cjs') => {
  const load =
    format === 'esm'
      ? `import { createAtc } from '@adaptive-trend/core';\nimport '@adaptive-trend/backend-${backend}';\nconst { readFileSync, writeFileSync } = await import('node:fs');`
      : `const { createAtc } = require('@adaptive-trend/core');\nrequire('@adaptive-trend/backend-${backend}');\nconst { readFileSync, writeFileSync } = require('node:fs');`;
  return `${load}
const main = async () => {
  const prices = Float64Array.from(JSON.parse(readFileSync(process.argv[2], 'utf8')));
  const engine = await createAtc({ backend: '${backend}' });
  const record = engine.compute(prices).toRecord();
  writeFileSync(process.argv[3], JSON.stringify({ backend: engine.backend, record: Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Array.from(v)])) }));
};
main().catch((error) => { console.error(error); process.exit(1); });
`;
};

describe('packages install from tarballs and work outside the workspace', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'atc-pack-'));
    for (const pkg of PUBLISHED) {
      const dir = join(root, 'packages', pkg);
      const before = new Set(readdirSync(work));
      run(pnpm, ['pack', '--pack-destination', work], dir);
      const created = readdirSync(work).find((f) => f.endsWith('.tgz') && !before.has(f));
      if (!created) throw new Error(`pnpm pack produced nothing for ${pkg}`);
      tarballs.set(pkg, join(work, created));
    }
    writeFileSync(join(work, 'prices.json'), JSON.stringify(Array.from(prices)));
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const expected = new AtcEngine(createJsBackend()).compute(prices).toRecord();

  it('a user can run the conformance suite against an installed backend', () => {
    const app = join(work, 'app-conformance');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app-conformance', private: true, version: '0.0.0', type: 'module' }));
    const specs = ['core', 'backend-js', 'conformance'].map((p) => tarballs.get(p)!);
    run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...specs, 'vitest@4.1.12'], app);
    const output = execFileSync(join(app, 'node_modules', '.bin', 'adaptive-trend-conformance'), ['js'], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, ATC_SHARED_DIR: shared ?? '', ATC_BACKEND: '', NO_COLOR: '1' },
    });
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toMatch(/failed/);
  }, 300_000);

  for (const backend of BACKENDS) {
    it(`core + ${backend.name} from tarballs: ESM import and CJS require compute the same ATC`, () => {
      const app = join(work, `app-${backend.name}`);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `app-${backend.name}`, private: true, version: '0.0.0' }));
      const specs = ['core', ...backend.packages].map((p) => tarballs.get(p)!);
      run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...specs], app);
      // Only what the tarballs contain is there: no workspace links, no local native build.
      expect(existsSync(join(app, 'node_modules', '@adaptive-trend', 'core', 'src'))).toBe(false);
      for (const format of ['esm', 'cjs'] as const) {
        const script = join(app, format === 'esm' ? 'app.mjs' : 'app.cjs');
        writeFileSync(script, APP(backend.name, format));
        const outFile = join(app, `out-${format}.json`);
        run(process.execPath, [script, join(work, 'prices.json'), outFile], app);
        const out = JSON.parse(readFileSync(outFile, 'utf8')) as { backend: string; record: Record<string, number[]> };
        expect(out.backend).toBe(backend.name);
        for (const [key, values] of Object.entries(expected)) {
          expect(out.record[key], `${format} ${key}`).toEqual(Array.from(values));
        }
      }
    }, 180_000);
  }
});
