#!/usr/bin/env node
// One-shot, idempotent setup for a fresh machine: pnpm, dependencies, native toolchain
// artifacts and the TypeScript builds. Only the npm registry and Debian apt are reachable
// here, so everything comes from those two. Plain Node, no dependencies: it runs before
// `pnpm install` has happened.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureChromium } from './ensure-chromium.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '10.34.8';

/** Runs a command in the repo root, inheriting stdio; throws on failure. */
export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // turbo looks pnpm up on PATH; the locally installed one must be found there too.
      PATH: `${join(root, '.tooling', 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
      TURBO_TELEMETRY_DISABLED: '1',
      DO_NOT_TRACK: '1',
      ...options.env,
    },
    ...options,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`command failed (${result.status}): ${cmd} ${args.join(' ')}`);
  }
}

/** Path of a pnpm binary of the pinned major version, installing it locally if needed. */
export function pnpmBinary() {
  const local = join(root, '.tooling', 'node_modules', '.bin', 'pnpm');
  if (existsSync(local)) return local;
  const global = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (!global.error && global.status === 0 && global.stdout.trim().split('.')[0] === PNPM_VERSION.split('.')[0]) {
    return 'pnpm';
  }
  console.log(`[setup] installing pnpm@${PNPM_VERSION} into .tooling/`);
  run('npm', ['install', '--prefix', join(root, '.tooling'), '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${PNPM_VERSION}`]);
  return local;
}

export function pnpm(args, options) {
  run(pnpmBinary(), args, options);
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

/** Installs workspace dependencies unless node_modules is already newer than the lockfile. */
function installDependencies() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const inputs = ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml'].map((f) => mtime(join(root, f)));
  if (existsSync(marker) && mtime(marker) >= Math.max(...inputs)) return;
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) && process.env.CI_UPDATE_LOCKFILE !== '1';
  pnpm(['install', frozen ? '--frozen-lockfile' : '--no-frozen-lockfile', '--reporter=append-only']);
}


export function setup({ build = true } = {}) {
  installDependencies();
  ensureChromium(); // the browser test drives Debian's Chromium; a fresh machine lacks it
  // The Rust builds (native addon, wasm with its toolchain install) run as the backend
  // packages' own `build` scripts under turbo, so their inputs decide when they rebuild.
  if (build) pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', '--log-order=grouped']);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  setup();
}
