#!/usr/bin/env node
// Builds crates/atc-wasm for wasm32-unknown-unknown twice — plain and with SIMD (simd128) —
// and copies the results to packages/backend-wasm/wasm/{atc.wasm,atc-simd.wasm}.
//
// Plain Node ESM, no dependencies. Toolchains, in this order:
//   1. rustup with the wasm32-unknown-unknown target installed (`rustup target list --installed`);
//   2. Debian's rustc-web route: /usr/bin/rustc + /usr/bin/cargo with RUSTC_BOOTSTRAP=1,
//      -Zbuild-std=std,panic_abort, crates-io replaced by /usr/src/rustc-<version>/library/vendor
//      and /usr/bin/wasm-ld as the linker (all passed as --config flags, nothing written);
//   3. neither: `apt-get update && apt-get install -y rustc-web cargo-web rust-web-src lld`
//      (sudo when not root), then route 2.
// The build is skipped when both .wasm files are newer than every source file of
// crates/atc-kernels and crates/atc-wasm (and this script, and the root Cargo.toml).
//
// Flags / environment:
//   --force  (or ATC_WASM_FORCE=1)   rebuild even when up to date
//   --no-install (or ATC_WASM_NO_INSTALL=1)  never run apt-get
//   ATC_WASM_OPT=1 / --wasm-opt       run binaryen's wasm-opt -O3 when it is on PATH (opt-in;
//                                     the output is validated, and kept only if it validates)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const crateDir = join(root, 'crates', 'atc-wasm');
const outDir = join(root, 'packages', 'backend-wasm', 'wasm');
const TARGET = 'wasm32-unknown-unknown';
const args = new Set(process.argv.slice(2));
const force = args.has('--force') || process.env.ATC_WASM_FORCE === '1';
const noInstall = args.has('--no-install') || process.env.ATC_WASM_NO_INSTALL === '1';
const useWasmOpt = args.has('--wasm-opt') || process.env.ATC_WASM_OPT === '1';

/**
 * The two shipped variants. Measured (packages/backend-wasm README, `bench:variants`): the
 * simd128 build runs the fused pipeline about 30 % faster and single kernels equally fast, so
 * it is the SIMD variant. Should it ever be slower, set `rustflags` of the simd entry to [] so
 * atc-simd.wasm carries the plain code.
 */
const VARIANTS = [
  { name: 'plain', file: 'atc.wasm', rustflags: [] },
  { name: 'simd', file: 'atc-simd.wasm', rustflags: ['-C', 'target-feature=+simd128'] },
];

const log = (message) => console.log(`[build-wasm] ${message}`);
const fail = (message) => {
  console.error(`[build-wasm] error: ${message}`);
  process.exit(1);
};

function capture(cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout;
}

function run(cmd, cmdArgs, options = {}) {
  log(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...options });
  if (result.error) return `${cmd}: ${result.error.message}`;
  if (result.status !== 0) return `${cmd} exited with ${result.status ?? result.signal}`;
  return undefined;
}

// --- up-to-date check ------------------------------------------------------------------------

function newestSource() {
  let newest = { mtime: 0, path: '' };
  const consider = (path) => {
    const mtime = statSync(path).mtimeMs;
    if (mtime > newest.mtime) newest = { mtime, path };
  };
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'target' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) consider(path);
    }
  };
  walk(join(root, 'crates', 'atc-kernels'));
  walk(crateDir);
  consider(fileURLToPath(import.meta.url));
  if (existsSync(join(root, 'Cargo.toml'))) consider(join(root, 'Cargo.toml'));
  return newest;
}

function upToDate() {
  const outputs = VARIANTS.map((v) => join(outDir, v.file));
  if (!outputs.every((p) => existsSync(p))) return false;
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const newest = newestSource();
  if (newest.mtime < oldestOutput) return true;
  log(`rebuilding: ${relative(root, newest.path)} is newer than the .wasm files`);
  return false;
}

// --- toolchain detection ---------------------------------------------------------------------

/** rustup's cargo, when the wasm32 target is installed for the active toolchain. */
function detectRustup() {
  const installed = capture('rustup', ['target', 'list', '--installed'], { cwd: crateDir });
  if (installed === undefined) return undefined;
  if (!installed.split(/\s+/).includes(TARGET)) {
    log(`rustup found, but its active toolchain has no ${TARGET} target (rustup target add ${TARGET} would fix that where downloads work)`);
    return undefined;
  }
  const version = capture('rustc', ['--version'], { cwd: crateDir })?.trim() ?? 'rustc (rustup)';
  return {
    name: `rustup (${version})`,
    cargo: 'cargo',
    env: {},
    extraArgs: [],
  };
}

function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The vendored std dependencies of Debian's rust-web-src, preferring rustc's own version. */
function findVendorDir(rustcVersion) {
  const candidates = [];
  if (rustcVersion) candidates.push(`/usr/src/rustc-${rustcVersion}`);
  if (existsSync('/usr/src')) {
    const dirs = readdirSync('/usr/src')
      .map((d) => /^rustc-(\d+\.\d+(?:\.\d+)?)$/.exec(d)?.[1])
      .filter(Boolean)
      .sort(compareVersions)
      .reverse();
    for (const v of dirs) candidates.push(`/usr/src/rustc-${v}`);
  }
  for (const dir of candidates) {
    const vendor = join(dir, 'library', 'vendor');
    if (existsSync(vendor) && existsSync(join(dir, 'library', 'Cargo.lock'))) return { dir, vendor };
  }
  return undefined;
}

/** Debian's rustc-web + cargo-web + rust-web-src + lld. */
function detectDebian() {
  const rustc = '/usr/bin/rustc';
  const cargo = '/usr/bin/cargo';
  const linker = '/usr/bin/wasm-ld';
  const missing = [rustc, cargo, linker].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    log(`Debian toolchain incomplete (missing ${missing.join(', ')})`);
    return undefined;
  }
  const versionLine = capture(rustc, ['--version'])?.trim();
  const version = /^rustc (\d+\.\d+\.\d+)/.exec(versionLine ?? '')?.[1];
  const targets = capture(rustc, ['--print', 'target-list']);
  if (!targets?.split(/\s+/).includes(TARGET)) {
    log(`${rustc} (${versionLine ?? 'unknown version'}) does not know ${TARGET} (install rustc-web)`);
    return undefined;
  }
  const src = findVendorDir(version);
  if (!src) {
    log('no /usr/src/rustc-<version>/library/vendor found (install rust-web-src)');
    return undefined;
  }
  if (version && !src.dir.endsWith(version)) log(`warning: using ${src.dir} with rustc ${version}`);
  const toml = (s) => JSON.stringify(s);
  return {
    name: `Debian ${versionLine} + -Zbuild-std (std sources ${src.dir})`,
    cargo,
    env: { RUSTC: rustc, RUSTC_BOOTSTRAP: '1' },
    extraArgs: [
      '-Zbuild-std=std,panic_abort',
      '--config', `source.crates-io.replace-with=${toml('vendored-std')}`,
      '--config', `source.vendored-std.directory=${toml(src.vendor)}`,
      '--config', `target.${TARGET}.linker=${toml(linker)}`,
    ],
  };
}

function installDebianToolchain() {
  if (noInstall) return 'apt-get install disabled (--no-install / ATC_WASM_NO_INSTALL=1)';
  if (!existsSync('/usr/bin/apt-get')) return 'apt-get is not available on this machine';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot && capture('sudo', ['-n', 'true']) === undefined) {
    log('not root: apt-get will run through sudo (it may ask for a password)');
  }
  log('installing Debian\'s wasm-capable Rust toolchain (about 350 MB, once): rustc-web cargo-web rust-web-src lld');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // `sudo env …` rather than `sudo -E`: many sudoers policies refuse to keep the environment.
  const aptCmd = (aptArgs) =>
    isRoot ? ['apt-get', aptArgs] : ['sudo', ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...aptArgs]];
  const [c1, a1] = aptCmd(['update']);
  const e1 = run(c1, a1, { env });
  if (e1) return e1;
  const [c2, a2] = aptCmd(['install', '-y', 'rustc-web', 'cargo-web', 'rust-web-src', 'lld']);
  return run(c2, a2, { env });
}

function detectToolchain() {
  const found = detectRustup() ?? detectDebian();
  if (found) return found;
  log(`no Rust toolchain that targets ${TARGET} was found`);
  const installError = installDebianToolchain();
  if (installError) {
    fail(
      `cannot build the wasm backend: ${installError}.\n` +
        `  Either install rustup's target (rustup target add ${TARGET})\n` +
        '  or, on Debian: apt-get update && apt-get install -y rustc-web cargo-web rust-web-src lld',
    );
  }
  return detectDebian() ?? fail('the Debian toolchain is still not usable after apt-get install (see the messages above)');
}

// --- build ----------------------------------------------------------------------------------

function validateWasm(path) {
  const bytes = readFileSync(path);
  if (!WebAssembly.validate(bytes)) return 'not a valid WebAssembly module';
  const module = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(module);
  if (imports.length > 0) return `unexpected imports: ${imports.map((i) => `${i.module}.${i.name}`).join(', ')}`;
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const name of ['memory', 'alloc_bytes', 'free_bytes', 'compute_atc', 'moving_average', 'abi_version']) {
    if (!exports.has(name)) return `missing export ${name}`;
  }
  return undefined;
}

function wasmOpt(path, variant) {
  if (!useWasmOpt) return;
  if (capture('wasm-opt', ['--version']) === undefined) {
    log('wasm-opt requested but not on PATH; skipping it');
    return;
  }
  const features = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', '--enable-multivalue', '--enable-reference-types'];
  if (variant.rustflags.includes('target-feature=+simd128')) features.push('--enable-simd');
  const optimized = `${path}.opt`;
  const error = run('wasm-opt', ['-O3', ...features, path, '-o', optimized]);
  if (error || validateWasm(optimized)) {
    log(`wasm-opt failed (${error ?? validateWasm(optimized)}); keeping the unoptimized module`);
    return;
  }
  copyFileSync(optimized, path);
}

function buildVariant(toolchain, variant) {
  const targetDir = join(crateDir, 'target', `wasm-${variant.name}`);
  const env = { ...process.env, ...toolchain.env };
  delete env.CARGO_ENCODED_RUSTFLAGS;
  delete env.CARGO_TARGET_DIR;
  env.RUSTFLAGS = variant.rustflags.join(' ');
  const started = Date.now();
  const error = run(
    toolchain.cargo,
    ['build', '--release', '--target', TARGET, '--target-dir', targetDir, ...toolchain.extraArgs],
    { cwd: crateDir, env },
  );
  if (error) fail(`building the ${variant.name} variant failed: ${error}`);
  const built = join(targetDir, TARGET, 'release', 'atc_wasm.wasm');
  if (!existsSync(built)) fail(`cargo succeeded but ${built} is missing`);
  wasmOpt(built, variant);
  const problem = validateWasm(built);
  if (problem) fail(`${relative(root, built)}: ${problem}`);
  mkdirSync(outDir, { recursive: true });
  const dest = join(outDir, variant.file);
  copyFileSync(built, dest);
  log(`${variant.name}: ${relative(root, dest)} (${(statSync(dest).size / 1024).toFixed(1)} KiB, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function main() {
  if (!force && upToDate()) {
    log(`skipped: ${VARIANTS.map((v) => `wasm/${v.file}`).join(' and ')} are newer than every source file (use --force to rebuild)`);
    return;
  }
  const toolchain = detectToolchain();
  log(`toolchain: ${toolchain.name}`);
  for (const variant of VARIANTS) buildVariant(toolchain, variant);
  log('done');
}

main();
