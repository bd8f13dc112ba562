#!/usr/bin/env node
// One-shot, idempotent setup for a fresh machine: pnpm, the workspace's dependencies, the
// toolchains the Rust builds need, and every package's build (turbo decides what is stale from
// each task's declared inputs, so a second run rebuilds nothing). Plain Node, no dependencies:
// it runs before `pnpm install` has happened.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { logger, root, run } from './lib/process.mjs';
import { ensureWasmToolchain } from './lib/wasm-toolchain.mjs';

export { root, run } from './lib/process.mjs';

const PNPM_VERSION = '10.34.8';
const { log } = logger('setup');

/** Path of a pnpm binary of the pinned major version, installing it into .tooling/ if needed. */
export function pnpmBinary() {
  const local = join(root, '.tooling', 'node_modules', '.bin', 'pnpm');
  if (existsSync(local)) return local;
  log(`installing pnpm@${PNPM_VERSION} into .tooling/`);
  run('npm', ['install', '--prefix', join(root, '.tooling'), '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${PNPM_VERSION}`]);
  return local;
}

export function pnpm(args, options) {
  run(pnpmBinary(), args, options);
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

/** Installs workspace dependencies unless node_modules is already newer than the lockfile. */
function installDependencies() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const inputs = ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml'].map((f) => mtime(join(root, f)));
  if (existsSync(marker) && mtime(marker) >= Math.max(...inputs)) return;
  pnpm(['install', '--frozen-lockfile', '--reporter=append-only']);
}

/** Dependencies and toolchains, then (unless `build: false`) every package's build through turbo. */
export function setup({ build = true } = {}) {
  installDependencies();
  if (build) ensureWasmToolchain(); // apt-get + cargo install only when missing (wasm build's tools)
  if (build) pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', '--log-order=grouped']);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  setup();
}
