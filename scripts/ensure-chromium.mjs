#!/usr/bin/env node
// Makes sure Debian's Chromium is installed for the browser test (tests/browser): returns its
// path, installing the `chromium` package with apt-get when it is missing (through sudo when not
// root). Plain Node ESM, no dependencies. `npx playwright install` cannot download browsers on
// this network; Debian's package is the supported route.
//
//   import { ensureChromium } from './ensure-chromium.mjs';  const path = ensureChromium();
//   node scripts/ensure-chromium.mjs                          # prints the path
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PATH = '/usr/bin/chromium';

function log(message) {
  console.log(`[ensure-chromium] ${message}`);
}

/** Runs a command with inherited stdio; throws with the command line when it fails. */
function run(cmd, args, env) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw new Error(`${cmd} could not be started: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`command failed (exit ${result.status ?? result.signal}): ${[cmd, ...args].join(' ')}`);
}

/** `[cmd, args]` as root: unchanged when we are root, else prefixed with sudo (non-interactive). */
function asRoot(cmd, args) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) return [cmd, args];
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  if (sudo.error) throw new Error(`not root and sudo is not available: install Chromium yourself (apt-get install -y chromium) or run as root`);
  return ['sudo', ['-n', '--preserve-env=DEBIAN_FRONTEND', cmd, ...args]];
}

/**
 * Path of Chromium, installing Debian's `chromium` package when /usr/bin/chromium is missing.
 * Throws when it cannot be installed.
 */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) {
    log(`found ${CHROMIUM_PATH}`);
    return CHROMIUM_PATH;
  }
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`${CHROMIUM_PATH} is missing and apt-get is not available here: install Chromium and set CHROMIUM_PATH for the browser test`);
  }
  log(`${CHROMIUM_PATH} is missing: installing Debian's chromium package with apt-get`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  run(...asRoot('apt-get', ['update']), env);
  run(...asRoot('apt-get', ['install', '-y', 'chromium']), env);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get install chromium finished but ${CHROMIUM_PATH} is still missing`);
  const version = spawnSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' });
  log(`installed ${CHROMIUM_PATH}${version.stdout ? ` (${version.stdout.trim()})` : ''}`);
  return CHROMIUM_PATH;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureChromium());
  } catch (error) {
    console.error(`[ensure-chromium] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
