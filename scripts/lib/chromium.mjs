// Debian's Chromium for the browser test (tests/browser): `npx playwright install` cannot
// download browsers on this network, so the `chromium` package is the supported route. Only
// `npm test` needs it; the demo never installs a browser.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { aptInstall, logger } from './process.mjs';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const { log } = logger('chromium');

/** Path of Chromium, installing Debian's `chromium` package when it is missing; throws when it cannot. */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`${CHROMIUM_PATH} is missing and apt-get is not available here: install Chromium and set CHROMIUM_PATH for the browser test`);
  }
  log(`${CHROMIUM_PATH} is missing (the browser test needs it)`);
  aptInstall(['chromium'], 'chromium');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get install chromium finished but ${CHROMIUM_PATH} is still missing`);
  const version = spawnSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' });
  log(`installed ${CHROMIUM_PATH}${version.stdout ? ` (${version.stdout.trim()})` : ''}`);
  return CHROMIUM_PATH;
}
