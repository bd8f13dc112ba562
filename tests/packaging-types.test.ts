// Type-checks the packed packages as a consumer would: tarballs installed into a clean project,
// then `tsc --noEmit` with no skipLibCheck (so every shipped .d.ts is checked) for each module
// resolution users have — nodenext (ESM and CJS files), bundler, node10/commonjs — with the DOM
// libs and without them (a Node-only project: lib es2022, types node). Once with only core +
// backend-js, once with every published package. No declaration may need the DOM lib:
// backend-wasm declares the few WebAssembly shapes it exposes itself (WasmModule, WasmMemory),
// and its generated wasm/atc.d.ts gets module-scope stand-ins (scripts/build-wasm.mjs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const TYPES_NODE = '20.19.43'; // the workspace's @types/node
const VITEST = '4.1.12'; // the conformance package's peer

/** Published packages and the import each consumer file makes (main entries + public subpaths). */
const SETS = {
  'core + backend-js': { packages: ['core', 'backend-js'], subpaths: [] as string[] },
  'every package': {
    packages: ['core', 'backend-js', 'backend-wasm', 'backend-native', 'backend-native/npm/linux-x64-gnu', 'conformance', 'cluster', 'cli'],
    subpaths: ['cluster/scan-report', 'cluster/sweep-format'],
  },
} as const;

/** Resolution modes: compiler options and the consumer files each one checks. */
const MODES = {
  nodenext: { options: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['esm.mts', 'cjs.cts'], subpaths: true },
  bundler: { options: { module: 'esnext', moduleResolution: 'bundler' }, files: ['bundler.ts'], subpaths: true },
  // No conformance here: fast-check 4's declarations (which it re-exports) import pure-rand
  // subpaths that only an exports-aware resolution finds, and its peer vitest needs one too.
  'node10/commonjs': { options: { module: 'commonjs', moduleResolution: 'node10' }, files: ['node10.ts'], subpaths: false },
} as const;

const LIBS = {
  'DOM libs': { lib: ['es2022', 'dom'] },
  'no DOM (lib es2022, types node)': { lib: ['es2022'], types: ['node'] },
} as const;

const pnpm = join(root, '.tooling', 'node_modules', '.bin', 'pnpm');
let work = '';
const tarballs = new Map<string, string>();

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The consumer source: a namespace import of each entry, used so its declarations are checked. */
function consumer(specifiers: string[], style: 'import' | 'require'): string {
  const ids = specifiers.map((_, i) => `m${i}`);
  const lines = specifiers.map((s, i) => (style === 'import' ? `import * as ${ids[i]} from '${s}';` : `import ${ids[i]} = require('${s}');`));
  return `${lines.join('\n')}\nexport const modules: unknown[] = [${ids.join(', ')}];\n`;
}

describe('packed packages type-check in consumer projects', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'atc-types-'));
    const all = SETS['every package'].packages;
    for (const pkg of all) {
      const before = new Set(readdirSync(work));
      // ignore-scripts: the platform package's prepack (staging the binary) is the other
      // packaging test's business; types do not need the binary.
      run(pnpm, ['pack', '--config.ignore-scripts=true', '--pack-destination', work], join(root, 'packages', pkg));
      const created = readdirSync(work).find((f) => f.endsWith('.tgz') && !before.has(f));
      if (!created) throw new Error(`pnpm pack produced nothing for ${pkg}`);
      tarballs.set(pkg, join(work, created));
    }
    for (const [name, set] of Object.entries(SETS)) {
      const app = join(work, name.replace(/\W+/g, '-'));
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'types-consumer', private: true, version: '0.0.0' }));
      const extra = set.packages.includes('conformance') ? [`vitest@${VITEST}`] : [];
      // --omit=optional: the cli's optional exchange client (ccxt) is not part of its types.
      run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', '--omit=optional', ...set.packages.map((p) => tarballs.get(p)!), `@types/node@${TYPES_NODE}`, ...extra], app);
      // Platform packages (the .node binary) have no entry of their own.
      const entries = set.packages.filter((p) => !p.startsWith('backend-native-') && !p.includes('/npm/')).map((p) => `@adaptive-trend/${p}`);
      const subpaths = set.subpaths.map((p) => `@adaptive-trend/${p}`);
      writeFileSync(join(app, 'esm.mts'), consumer([...entries, ...subpaths], 'import'));
      writeFileSync(join(app, 'cjs.cts'), consumer([...entries, ...subpaths], 'require'));
      writeFileSync(join(app, 'bundler.ts'), consumer(entries, 'import'));
      writeFileSync(join(app, 'bundler-subpaths.ts'), consumer(subpaths, 'import'));
      writeFileSync(join(app, 'node10.ts'), consumer(entries.filter((e) => e !== '@adaptive-trend/conformance'), 'import'));
    }
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const [setName, set] of Object.entries(SETS)) {
    for (const [modeName, mode] of Object.entries(MODES)) {
      for (const [libName, lib] of Object.entries(LIBS)) {
        it(`${setName}: ${modeName}, ${libName}`, () => {
          const app = join(work, setName.replace(/\W+/g, '-'));
          const files = [...mode.files, ...(mode.subpaths && set.subpaths.length > 0 && mode.files.includes('bundler.ts') ? ['bundler-subpaths.ts'] : [])];
          const config = join(app, `tsconfig.${modeName.replace(/\W+/g, '-')}.${lib.lib.length}.json`);
          writeFileSync(
            config,
            JSON.stringify({
              compilerOptions: { target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, esModuleInterop: true, ...mode.options, ...lib },
              files,
            }),
          );
          let output = '';
          try {
            output = run(process.execPath, [tsc, '-p', config], app);
          } catch (error) {
            output = String((error as { stdout?: string }).stdout ?? error);
          }
          expect(output.trim(), output).toBe('');
        }, 120_000);
      }
    }
  }
});
