// The per-platform packages (npm/<triple>/, napi-rs's layout) are what the loader looks for and
// what npm installs: one per `napi.targets` entry, named, versioned and constrained
// (`os`/`cpu`/`libc`) the way napi-rs's `parseTriple` says, listed as optional dependencies;
// and each built `-gnu` binary imports no glibc symbol newer than the declared baseline.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTriple } from '@napi-rs/cli';
import { describe, expect, it } from 'vitest';
import { glibcTooOld } from '../src/binding.js';
import { GLIBC_BASELINE, type Host, platformTriples } from '../src/platform.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  engines: { node: string };
  napi: { binaryName: string; targets: string[] };
  optionalDependencies: Record<string, string>;
};
const npmDir = join(packageDir, 'npm');
const manifestOf = (triple: string) =>
  JSON.parse(readFileSync(join(npmDir, triple, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    main: string;
    files: string[];
    os: string[];
    cpu: string[];
    libc?: string[];
    engines: { node: string };
    scripts?: Record<string, string>;
  };
const targets = main.napi.targets.map((target) => parseTriple(target));

/** Orders `2.3.4` < `2.14` < `2.17` (numerically, part by part). */
function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The newest `GLIBC_x.y` any dynamic symbol of `file` is versioned with (objdump -T). */
function newestGlibc(file: string): string {
  const versions = [...execFileSync('objdump', ['-T', file], { encoding: 'utf8' }).matchAll(/\(GLIBC_([\d.]+)\)/g)].map((m) => m[1]!);
  return versions.sort(compareVersions).at(-1) ?? 'none';
}

describe('per-platform packages (npm/<triple>)', () => {
  it('there is exactly one folder per napi.targets entry', () => {
    expect(readdirSync(npmDir).sort()).toEqual(targets.map((t) => t.platformArchABI).sort());
  });

  it.each(targets.map((t) => [t.platformArchABI, t] as const))('%s: name, version, binary, os/cpu/libc as napi-rs says; listed; found by the loader', (triple, target) => {
    const manifest = manifestOf(triple);
    expect(manifest.name).toBe(`${main.name}-${triple}`);
    expect(manifest.version).toBe(main.version); // exact optionalDependencies need the same version
    expect(manifest.main).toBe(`${main.napi.binaryName}.${triple}.node`);
    expect(manifest.files).toEqual([manifest.main]);
    expect(manifest.os).toEqual([target.platform]);
    expect(manifest.cpu).toEqual([target.arch]);
    expect(manifest.libc).toEqual(target.abi === 'gnu' ? ['glibc'] : target.abi === 'musl' ? ['musl'] : undefined);
    expect(manifest.engines.node).toBe(main.engines.node);
    expect(manifest.scripts?.prepack).toMatch(/scripts\/stage-native\.mjs$/);
    expect(main.optionalDependencies[manifest.name]).toBe('workspace:*');
    const host: Host = { platform: target.platform, arch: target.arch, musl: target.abi === 'musl' };
    expect(platformTriples(host)).toContain(triple);
    const readme = readFileSync(join(npmDir, triple, 'README.md'), 'utf8');
    expect(readme).toContain(main.engines.node);
    if (target.abi === 'gnu') expect(readme).toContain(`glibc ≥ ${GLIBC_BASELINE}`);
  });

  it('optionalDependencies list exactly the platform packages', () => {
    expect(Object.keys(main.optionalDependencies).sort()).toEqual(targets.map((t) => `${main.name}-${t.platformArchABI}`).sort());
  });

  // Built binaries only: this machine's own, and linux-arm64-gnu after `npm run test:arm64`.
  const gnuBinaries = targets
    .filter((t) => t.abi === 'gnu' && t.platform === 'linux')
    .flatMap((t) => [join(packageDir, `${main.napi.binaryName}.${t.platformArchABI}.node`), join(npmDir, t.platformArchABI, `${main.napi.binaryName}.${t.platformArchABI}.node`)])
    .filter((file) => existsSync(file));
  // At most, not exactly: aarch64's glibc begins at 2.17 (every symbol is GLIBC_2.17), the x64
  // binary happens to need only 2.14 today; linked against Debian 12's glibc both wanted 2.34.
  it.runIf(process.platform === 'linux' && gnuBinaries.length > 0).each(gnuBinaries)(`%s needs no glibc newer than ${GLIBC_BASELINE}`, (file) => {
    const newest = newestGlibc(file);
    expect(newest).not.toBe('none'); // objdump read versioned glibc symbols: the check can fail
    expect(compareVersions(newest, GLIBC_BASELINE), `newest GLIBC_${newest}`).toBeLessThanOrEqual(0);
  });

  it('a too-old glibc is named as the reason, with what to use instead', () => {
    const dlopen = new Error("/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.18' not found (required by /app/node_modules/x/atc-node.linux-x64-gnu.node)");
    expect(glibcTooOld(dlopen, '2.12')).toBe(`needs glibc ≥ 2.18, this system has glibc 2.12 (use backend 'wasm', which runs everywhere)`);
    // dlopen names the first missing version it meets: the declared floor is the one to state.
    expect(glibcTooOld(new Error("version `GLIBC_2.3' not found"), '2.2')).toContain(`needs glibc ≥ ${GLIBC_BASELINE}, this system has glibc 2.2`);
    expect(glibcTooOld(new Error('invalid ELF header'))).toBeUndefined();
  });
});
