// Debian's `redis-server` for the cluster tests (packages/cluster): BullMQ needs a real Redis,
// and the tests start their own on 127.0.0.1 (free port, password, temp dir). Only `npm test`
// needs it; the demo never installs a server.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { aptInstall, logger } from './process.mjs';

/** Where Debian puts the server; `REDIS_SERVER` overrides it (another install, another OS). */
export const REDIS_SERVER_PATH = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const { log } = logger('redis');

/**
 * Path of `redis-server`, installing Debian's `redis-server` package when it is missing (and
 * `openssl`, which the TLS test uses to make its certificates); throws when it cannot.
 */
export function ensureRedisServer() {
  const missing = [...(existsSync(REDIS_SERVER_PATH) ? [] : ['redis-server']), ...(existsSync('/usr/bin/openssl') ? [] : ['openssl'])];
  if (missing.length === 0) return REDIS_SERVER_PATH;
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`${missing.join(' and ')} missing and apt-get is not available here: install Redis ≥ 6.2 (set REDIS_SERVER) and openssl for the cluster tests`);
  }
  log(`missing for the cluster tests: ${missing.join(', ')}`);
  aptInstall(missing, 'redis');
  if (!existsSync(REDIS_SERVER_PATH)) throw new Error(`apt-get install redis-server finished but ${REDIS_SERVER_PATH} is still missing`);
  const version = spawnSync(REDIS_SERVER_PATH, ['--version'], { encoding: 'utf8' });
  log(`installed ${REDIS_SERVER_PATH}${version.stdout ? ` (${version.stdout.trim()})` : ''}`);
  return REDIS_SERVER_PATH;
}
