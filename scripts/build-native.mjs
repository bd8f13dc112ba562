#!/usr/bin/env node
// Builds the Rust Node-API addon (crates/atc-node) and installs it as
// packages/backend-native/atc-node.<platform-triple>.node (napi-rs naming).
//
//   node scripts/build-native.mjs [--force] [--target-cpu=<cpu>] [--debug]
//
//   --force             rebuild even when the .node is newer than every Rust source
//   --target-cpu=<cpu>  pass `-C target-cpu=<cpu>` (e.g. native, x86-64-v3) for a local, faster
//                       but less portable binary; always rebuilds. Results stay bit-identical
//                       (Rust never contracts to FMA), only speed changes.
//   --debug             debug profile (target/debug) instead of --release
//
// Environment: CARGO (cargo executable, default `cargo`), CARGO_TARGET_DIR (as cargo).
// Plain Node ESM, no dependencies. Exits non-zero with a message when cargo is missing or the
// build fails. Writes nothing in packages/backend-native except the .node file.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => console.log(`[build-native] ${msg}`);
const fail = (msg) => {
  console.error(`[build-native] error: ${msg}`);
  process.exit(1);
};

const args = process.argv.slice(2);
const force = args.includes('--force');
const debug = args.includes('--debug');
const cpuArg = args.find((a) => a.startsWith('--target-cpu='));
const targetCpu = cpuArg ? cpuArg.slice('--target-cpu='.length) : '';
for (const a of args) {
  if (a !== '--force' && a !== '--debug' && !a.startsWith('--target-cpu=')) fail(`unknown option ${a}`);
}

/** napi-rs platform triple of this process: linux-x64-gnu, darwin-arm64, win32-x64-msvc, … */
export function platformTriple(platform = process.platform, arch = process.arch) {
  if (platform === 'linux') {
    const report = process.report?.getReport();
    const musl = !report?.header?.glibcVersionRuntime;
    if (arch === 'arm') return `linux-arm-${musl ? 'musleabihf' : 'gnueabihf'}`;
    return `linux-${arch}-${musl ? 'musl' : 'gnu'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  if (platform === 'android' && arch === 'arm') return 'android-arm-eabi';
  return `${platform}-${arch}`;
}

/** File name cargo gives the `atc_node` cdylib on this platform. */
function cdylibName(platform = process.platform) {
  if (platform === 'win32') return 'atc_node.dll';
  if (platform === 'darwin') return 'libatc_node.dylib';
  return 'libatc_node.so';
}

/** Newest modification time (ms) of the Rust inputs: crates/** (minus target dirs), Cargo.*. */
function newestSource() {
  let newest = 0;
  let newestPath = '';
  const visit = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const entry of readdirSync(p)) {
        if (entry === 'target' || entry === 'node_modules' || entry.startsWith('.')) continue;
        visit(join(p, entry));
      }
    } else if (st.mtimeMs > newest) {
      newest = st.mtimeMs;
      newestPath = p;
    }
  };
  visit(join(root, 'crates'));
  visit(join(root, 'Cargo.toml'));
  visit(join(root, 'Cargo.lock'));
  return { newest, newestPath };
}

const cargo = process.env.CARGO || 'cargo';
const triple = platformTriple();
const outDir = join(root, 'packages', 'backend-native');
const outFile = join(outDir, `atc-node.${triple}.node`);
const rel = (p) => relative(root, p) || p;

/**
 * Also places the binary in this platform's package (packages/backend-native-<triple>), the
 * package users install through optionalDependencies, when that folder exists here.
 */
function installPlatformPackage() {
  const pkgDir = join(root, 'packages', `backend-native-${triple}`);
  if (!existsSync(join(pkgDir, 'package.json'))) return;
  const target = join(pkgDir, `atc-node.${triple}.node`);
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(outFile).mtimeMs) return;
  if (existsSync(target)) unlinkSync(target);
  copyFileSync(outFile, target);
  log(`copied ${rel(outFile)} -> ${rel(target)}`);
}

// ---- up to date?
if (!force && !targetCpu && existsSync(outFile)) {
  const { newest, newestPath } = newestSource();
  const built = statSync(outFile).mtimeMs;
  if (built > newest) {
    log(`up to date: ${rel(outFile)} is newer than every file in crates/ and Cargo.toml (skipped cargo build; use --force to rebuild)`);
    installPlatformPackage();
    process.exit(0);
  }
  log(`${rel(newestPath)} changed since the last build: rebuilding`);
}

// ---- cargo present?
const probe = spawnSync(cargo, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  const why = probe.error?.code === 'ENOENT' ? 'not found' : (probe.error?.message ?? probe.stderr?.trim() ?? `exit ${probe.status}`);
  fail(
    `cargo (${cargo}) is ${why}. Install the Rust toolchain (https://rustup.rs) or set CARGO to the cargo ` +
      'executable. The native backend is optional: the js and wasm backends work without it.',
  );
}
log(`using ${probe.stdout.trim()}`);

// ---- build
const profile = debug ? 'debug' : 'release';
const cargoArgs = ['build', '-p', 'atc-node', ...(debug ? [] : ['--release'])];
const env = { ...process.env };
if (targetCpu) {
  env.RUSTFLAGS = `${env.RUSTFLAGS ? `${env.RUSTFLAGS} ` : ''}-C target-cpu=${targetCpu}`;
  log(`RUSTFLAGS="${env.RUSTFLAGS}" (binary only for CPUs supporting ${targetCpu})`);
}
log(`${cargo} ${cargoArgs.join(' ')}  (in ${root})`);
const started = Date.now();
const build = spawnSync(cargo, cargoArgs, { cwd: root, stdio: 'inherit', env });
if (build.error) fail(`could not run cargo: ${build.error.message}`);
if (build.status !== 0) fail(`cargo build failed (exit ${build.status ?? build.signal})`);

// ---- install
const targetDir = process.env.CARGO_TARGET_DIR
  ? isAbsolute(process.env.CARGO_TARGET_DIR)
    ? process.env.CARGO_TARGET_DIR
    : join(root, process.env.CARGO_TARGET_DIR)
  : join(root, 'target');
const built = join(targetDir, profile, cdylibName());
if (!existsSync(built)) fail(`cargo succeeded but ${built} does not exist`);
mkdirSync(outDir, { recursive: true });
// Unlink first: a running process may have the old file mapped; a new inode keeps it intact.
if (existsSync(outFile)) unlinkSync(outFile);
copyFileSync(built, outFile);
const kib = Math.round(statSync(outFile).size / 1024);
log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s; copied ${rel(built)} -> ${rel(outFile)} (${kib} KiB)`);
installPlatformPackage();
