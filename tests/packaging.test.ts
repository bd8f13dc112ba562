// Install-from-tarball test: pack every publishable package, install core + one backend into a
// clean project outside the workspace (no workspace links), then compute ATC there in plain
// Node — ESM import and CJS require — and compare with the js backend here. It catches a file
// missing from `files`, a broken `exports` map, or a missing platform package. It also checks
// what a user receives: a LICENSE in every tarball, every source map comment resolvable inside
// the tarball (maps ship with their `src/`, so stack traces and go-to-definition land in the
// TypeScript), a stripped native binary and one `engines` range, stated in each README.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '@adaptive-trend/backend-js';
import { findSharedDir, loadCloses } from '@adaptive-trend/conformance';
import { AtcEngine } from '@adaptive-trend/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PUBLISHED = ['core', 'backend-js', 'backend-wasm', 'backend-native', 'backend-native/npm/linux-x64-gnu', 'conformance', 'cluster', 'cli'];
/** `require()` of ES modules without a flag: 20.19+ on 20, 22.12+ on 22 (every package is ESM). */
const ENGINES = '^20.19.0 || >=22.12.0';
const BACKENDS = [
  { name: 'js', packages: ['backend-js'] },
  { name: 'wasm', packages: ['backend-wasm'] },
  { name: 'native', packages: ['backend-native', 'backend-native/npm/linux-x64-gnu'] },
] as const;

const shared = findSharedDir();
const prices = shared ? loadCloses(shared, 'ETH_BTC-5m').slice(0, 1500) : Float64Array.from({ length: 1500 }, (_, i) => 100 + 10 * Math.sin(i / 40) + (i % 7) * 0.1);

/** pnpm: the repo's pinned copy when setup installed one, else whatever is on PATH. */
const pnpm = existsSync(join(root, '.tooling', 'node_modules', '.bin', 'pnpm')) ? join(root, '.tooling', 'node_modules', '.bin', 'pnpm') : 'pnpm';

let work = '';
const tarballs = new Map<string, string>();

/**
 * The environment of the user's processes: no backend override, and no NODE_PATH — pnpm's bin
 * shims export one into the workspace's node_modules/.pnpm, through which a package missing
 * from the app (a platform package) would silently resolve to the workspace's copy.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_PATH: _workspace, ...env } = process.env;
  return { ...env, ATC_NATIVE_BINDING: '', ATC_BACKEND: '', ...extra };
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: userEnv() });
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
      mkdirSync(join(work, 'unpacked', pkg), { recursive: true });
      run('tar', ['-xzf', join(work, created), '-C', join(work, 'unpacked', pkg)], work);
    }
    writeFileSync(join(work, 'prices.json'), JSON.stringify(Array.from(prices)));
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Every file of a package's tarball, as paths relative to its `package/` root. */
  const filesOf = (pkg: string): string[] => {
    const base = join(work, 'unpacked', pkg, 'package');
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [relative(base, join(dir, e.name))]));
    return walk(base);
  };
  const unpacked = (pkg: string, file: string) => join(work, 'unpacked', pkg, 'package', file);

  it('every tarball carries the MIT LICENSE its package.json names', () => {
    for (const pkg of PUBLISHED) {
      expect(filesOf(pkg), pkg).toContain('LICENSE');
      expect(readFileSync(unpacked(pkg, 'LICENSE'), 'utf8'), pkg).toMatch(/^MIT License/);
      expect(JSON.parse(readFileSync(unpacked(pkg, 'package.json'), 'utf8')).license, pkg).toBe('MIT');
    }
  });

  it('every sourceMappingURL in a tarball points at a shipped map whose sources are shipped', () => {
    let maps = 0;
    for (const pkg of PUBLISHED) {
      const files = new Set(filesOf(pkg));
      for (const file of files) {
        if (!/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(file)) continue;
        for (const [, url] of readFileSync(unpacked(pkg, file), 'utf8').matchAll(/[#@] sourceMappingURL=(\S+)/g)) {
          if (url!.startsWith('data:')) continue;
          const map = join(dirname(file), url!);
          expect(files.has(map), `${pkg}/${file} → ${map}`).toBe(true);
          const { sources, sourceRoot } = JSON.parse(readFileSync(unpacked(pkg, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
          for (const source of sources) {
            const path = join(dirname(map), sourceRoot ?? '', source);
            expect(files.has(path), `${pkg}/${map} → ${path}`).toBe(true);
          }
          maps++;
        }
      }
    }
    expect(maps).toBeGreaterThan(0); // the check ran on something
  });

  it('the native binary in the platform package is stripped (no ELF .symtab)', () => {
    const pkg = 'backend-native/npm/linux-x64-gnu';
    const binary = filesOf(pkg).find((f) => f.endsWith('.node'))!;
    expect(elfSectionNames(readFileSync(unpacked(pkg, binary)))).not.toContain('.symtab');
    // the unstripped workspace build has one: the check can fail
    expect(elfSectionNames(readFileSync(join(root, 'packages', 'backend-native', binary)))).toContain('.symtab');
  });

  it(`every package says engines.node "${ENGINES}" and its README states it`, () => {
    for (const pkg of PUBLISHED) {
      expect(JSON.parse(readFileSync(unpacked(pkg, 'package.json'), 'utf8')).engines?.node, pkg).toBe(ENGINES);
      expect(readFileSync(unpacked(pkg, 'README.md'), 'utf8'), pkg).toContain(ENGINES);
    }
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(ENGINES);
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
      env: userEnv({ ATC_SHARED_DIR: shared ?? '', NO_COLOR: '1' }),
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
      expect(lstatSync(join(app, 'node_modules', '@adaptive-trend', 'core')).isSymbolicLink()).toBe(false);
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

  it('installed without its platform package: errors say what to install, none points into the repo', () => {
    const app = join(work, 'app-native'); // from the native test above: core + native + its platform package
    const platform = join(app, 'node_modules', '@adaptive-trend', 'backend-native-linux-x64-gnu');
    const parked = join(work, 'parked-platform-package');
    run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', '--no-save', tarballs.get('backend-js')!], app);
    renameSync(platform, parked);
    try {
      writeFileSync(
        join(app, 'messages.mjs'),
        `import { createAtc } from '@adaptive-trend/core';
import '@adaptive-trend/backend-native';
import '@adaptive-trend/backend-js';
const warnings = [];
const engine = await createAtc({ backend: 'auto', env: {}, onWarning: (w) => warnings.push(w) });
const error = await createAtc({ backend: 'native', env: {} }).then(() => '', (e) => e.message);
console.log(JSON.stringify({ backend: engine.backend, warnings, error }));
`,
      );
      const out = JSON.parse(run(process.execPath, [join(app, 'messages.mjs')], app)) as { backend: string; warnings: string[]; error: string };
      expect(out.backend, JSON.stringify(out)).toBe('js');
      expect(out.warnings).toHaveLength(1);
      const [warning] = out.warnings;
      expect(warning).toContain('install @adaptive-trend/backend-native-linux-x64-gnu');
      expect(warning).not.toMatch(/looked in:\s*$|looked in:\)/);
      expect(out.error).toContain('install @adaptive-trend/backend-native-linux-x64-gnu');
      expect(out.error).toMatch(/looked in:\n.*local build.*\n.*platform package @adaptive-trend\/backend-native-linux-x64-gnu/);
      for (const text of [warning!, out.error]) expect(text).not.toMatch(/pnpm --filter|node scripts\//);
    } finally {
      renameSync(parked, platform);
    }
  }, 120_000);

  it('installed backend-wasm whose modules were moved: the error says how to point at them, not a repo command', () => {
    const app = join(work, 'app-wasm'); // from the wasm test above
    const wasmDir = join(app, 'node_modules', '@adaptive-trend', 'backend-wasm', 'wasm');
    const modules = ['atc.wasm', 'atc-simd.wasm']; // the glue (atc.js) stays: it is imported
    for (const m of modules) renameSync(join(wasmDir, m), join(work, `parked-${m}`));
    try {
      writeFileSync(
        join(app, 'messages.mjs'),
        `import { createAtc } from '@adaptive-trend/core';
import '@adaptive-trend/backend-wasm';
console.log(await createAtc({ backend: 'wasm', env: {} }).then(() => '', (e) => e.message));
`,
      );
      const error = run(process.execPath, [join(app, 'messages.mjs')], app);
      expect(error).toContain('backendOptions: { wasm: { module } }');
      expect(error).not.toMatch(/pnpm --filter|node scripts\//);
    } finally {
      for (const m of modules) renameSync(join(work, `parked-${m}`), join(wasmDir, m));
    }
  }, 60_000);
});

/** Section names of a 64-bit little-endian ELF file (enough for linux x64/arm64 addons). */
function elfSectionNames(elf: Buffer): string[] {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error('not a 64-bit little-endian ELF');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const names = shoff + elf.readUInt16LE(0x3e) * shentsize; // the section-name string table's header
  const strtab = Number(elf.readBigUInt64LE(names + 0x18));
  return Array.from({ length: shnum }, (_, i) => {
    const start = strtab + elf.readUInt32LE(shoff + i * shentsize);
    return elf.toString('latin1', start, elf.indexOf(0, start));
  });
}
