// The toolchain that builds crates/atc-wasm: a cargo that targets wasm32-unknown-unknown, and
// wasm-bindgen-cli at exactly the version of the crate's `wasm-bindgen` dependency (the glue
// generator must match the macro's schema). `ensureWasmToolchain()` installs what is missing
// (idempotent; a few milliseconds when everything is there) and says how to call cargo.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { aptInstall, capture, logger, root, run } from './process.mjs';

const { log } = logger('wasm-toolchain');
export const WASM_TARGET = 'wasm32-unknown-unknown';
const crateDir = join(root, 'crates', 'atc-wasm');
// Per machine, not per clone (like cargo's own caches): a fresh clone of the repository on the
// same machine (CI's) reuses the CLI instead of compiling it again for minutes. One root per
// version, so two checkouts pinning different versions never overwrite each other.
const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
const DEBIAN_PACKAGES = ['rustc-web', 'cargo-web', 'rust-web-src', 'lld'];

/** The `wasm-bindgen` version pinned (`=x.y.z`) in crates/atc-wasm/Cargo.toml. */
export function wasmBindgenVersion() {
  const toml = readFileSync(join(crateDir, 'Cargo.toml'), 'utf8');
  const version = /^wasm-bindgen\s*=\s*\{[^}]*version\s*=\s*"=([\d.]+)"/m.exec(toml)?.[1];
  if (!version) throw new Error('crates/atc-wasm/Cargo.toml must pin wasm-bindgen as version = "=x.y.z"');
  return version;
}

const cargoRoot = join(cacheHome, 'adaptive-trend', `wasm-bindgen-${wasmBindgenVersion()}`);
/** Path of the wasm-bindgen binary. */
export const wasmBindgenBin = join(cargoRoot, 'bin', 'wasm-bindgen');

/** rustup's cargo, when its active toolchain has the wasm32 target (a developer's laptop). */
function rustupCargo() {
  const installed = capture('rustup', ['target', 'list', '--installed'], { cwd: crateDir });
  if (!installed?.split(/\s+/).includes(WASM_TARGET)) return undefined;
  return { name: `rustup (${capture('rustc', ['--version'], { cwd: crateDir }) ?? 'rustc'})`, cargo: 'cargo', env: {}, args: [] };
}

/**
 * Debian's rustc-web (a rustc that knows wasm32, without a prebuilt std): std is compiled from
 * rust-web-src with -Zbuild-std (RUSTC_BOOTSTRAP unlocks it on a stable rustc), linked by lld.
 * std's own dependencies resolve from crates.io, pinned by its Cargo.lock.
 */
function debianCargo() {
  const [rustc, cargo, linker] = ['/usr/bin/rustc', '/usr/bin/cargo', '/usr/bin/wasm-ld'];
  if (![rustc, cargo, linker].every((p) => existsSync(p))) return undefined;
  if (!capture(rustc, ['--print', 'target-list'])?.split(/\s+/).includes(WASM_TARGET)) return undefined;
  const hasStdSources = existsSync('/usr/src') && readdirSync('/usr/src').some((d) => /^rustc-[\d.]+$/.test(d) && existsSync(join('/usr/src', d, 'library', 'Cargo.lock')));
  if (!hasStdSources) return undefined;
  return {
    name: `Debian ${capture(rustc, ['--version']) ?? 'rustc'} + -Zbuild-std`,
    cargo,
    env: { RUSTC: rustc, RUSTC_BOOTSTRAP: '1' },
    args: ['-Zbuild-std=std,panic_abort', '--config', `target.${WASM_TARGET}.linker=${JSON.stringify(linker)}`],
  };
}

function ensureWasmBindgen() {
  const version = wasmBindgenVersion();
  if (capture(wasmBindgenBin, ['--version']) === `wasm-bindgen ${version}`) return;
  log(`installing wasm-bindgen-cli ${version} into ${cargoRoot} (once per machine, about 3 minutes)`);
  // Only the `wasm-bindgen` binary, without the test runner's TLS stack: ~20 % less to compile.
  const args = ['install', 'wasm-bindgen-cli', '--version', version, '--no-default-features', '--bin', 'wasm-bindgen', '--root', cargoRoot];
  const install = (locked) => run('cargo', locked ? [...args, '--locked'] : args);
  try {
    install(true);
  } catch (error) {
    // A registry mirror may lack one of the CLI's locked dependency versions: resolve afresh.
    log(`--locked install failed (${error.message}); retrying without --locked`);
    install(false);
  }
}

/**
 * Makes sure both tools are present (installing Debian's wasm toolchain with apt-get and the
 * CLI with cargo install when missing) and returns how to run cargo for wasm32:
 * `{ name, cargo, env, args }`.
 */
export function ensureWasmToolchain() {
  let toolchain = rustupCargo() ?? debianCargo();
  if (!toolchain) {
    log(`no cargo that targets ${WASM_TARGET}: installing Debian's (${DEBIAN_PACKAGES.join(' ')}, about 350 MB, once)`);
    aptInstall(DEBIAN_PACKAGES, 'wasm-toolchain');
    toolchain = debianCargo();
    if (!toolchain) throw new Error(`Debian's wasm toolchain is still incomplete after apt-get install ${DEBIAN_PACKAGES.join(' ')}`);
  }
  ensureWasmBindgen();
  return toolchain;
}
