// The package linters users' tooling agrees with, run on the packed tarballs (what npm would
// publish, not the workspace folders): publint (package.json fields against the files shipped)
// and @arethetypeswrong/cli (types and JS resolving alike in each module resolution). Both
// come from this package's devDependencies, pinned to versions that run on Node 20.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => join(root, 'tests', 'node_modules', '.bin', name);
const pnpm = join(root, '.tooling', 'node_modules', '.bin', 'pnpm');

/** Every published package with JS (folder under packages/) and the entry points attw skips, with the reason. */
const PACKAGES: { dir: string; exclude: string[] }[] = [
  { dir: 'core', exclude: [] },
  { dir: 'backend-js', exclude: [] },
  // The .wasm subpaths are asset files (bytes for fetch or a bundler's `?url` import), not
  // modules: there is no JavaScript or declaration for attw to resolve there.
  { dir: 'backend-wasm', exclude: ['./wasm/atc.wasm', './wasm/atc-simd.wasm'] },
  { dir: 'backend-native', exclude: [] },
  { dir: 'conformance', exclude: [] },
  { dir: 'cluster', exclude: [] },
  { dir: 'cli', exclude: [] },
];

/**
 * The platform packages (a `.node` binary and package.json): publint only — attw has no JS and
 * no types to check. Only those whose binary is on this machine: without it `main` points at
 * nothing, which publint rightly reports; CI builds the others (RELEASING.md).
 */
function platformPackages(): string[] {
  const npmDir = join(root, 'packages', 'backend-native', 'npm');
  const dirs = readdirSync(npmDir, { withFileTypes: true }).filter((d) => d.isDirectory());
  return dirs.filter((d) => readdirSync(join(npmDir, d.name)).some((f) => f.endsWith('.node'))).map((d) => join('backend-native', 'npm', d.name));
}

let work = '';
const tarballs = new Map<string, string>();

function run(cmd: string, args: string[], cwd: string): { status: number; output: string } {
  try {
    const output = execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    return { status: 0, output };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('package linters on the packed tarballs', () => {
  const dirs = [...PACKAGES.map((p) => p.dir), ...platformPackages()];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'atc-lint-'));
    for (const dir of dirs) {
      const before = new Set(readdirSync(work));
      // ignore-scripts: a platform package's prepack stages the binary — the linters read only
      // package.json and the file list, and the packaging test checks the binary itself.
      const packed = run(pnpm, ['pack', '--config.ignore-scripts=true', '--pack-destination', work], join(root, 'packages', dir));
      const created = readdirSync(work).find((f) => f.endsWith('.tgz') && !before.has(f));
      if (packed.status !== 0 || !created) throw new Error(`pnpm pack failed for packages/${dir}:\n${packed.output}`);
      tarballs.set(dir, join(work, created));
    }
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  // --level warning: warnings and errors fail (suggestions, e.g. `git+https:` repository URLs, do not).
  it.each(dirs)('publint: packages/%s', (dir) => {
    const { status, output } = run(bin('publint'), ['run', tarballs.get(dir)!, '--level', 'warning', '--strict'], work);
    expect(output, output).not.toMatch(/^(Warnings|Errors):/m);
    expect(status, output).toBe(0);
  }, 60_000);

  // --profile esm-only: every package is ESM only (`"type": "module"`, `import` conditions), so
  // node10 and CommonJS-from-node16 resolutions are not expected to find CJS (they get ESM,
  // which Node ≥ 20.19 requires fine; the packaging test's CommonJS app proves that).
  it.each(PACKAGES.map((p) => [p.dir, p.exclude] as const))('attw (esm-only): packages/%s', (dir, excluded) => {
    const exclude = excluded.length === 0 ? [] : ['--exclude-entrypoints', ...excluded];
    const { status, output } = run(bin('attw'), [tarballs.get(dir)!, '--profile', 'esm-only', '--format', 'ascii', ...exclude], work);
    expect(status, output).toBe(0);
  }, 120_000);
});
