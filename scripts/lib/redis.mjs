// Debian's `redis-server` for the cluster tests (packages/cluster): BullMQ needs a real Redis,
// and the tests start their own on 127.0.0.1 (free port, password, temp dir). Only `npm test`
// needs it; the demo never installs a server.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { aptInstall, logger } from './process.mjs';

/** Where Debian puts the server; `REDIS_SERVER` overrides it (another install, another OS). */
export const REDIS_SERVER_PATH = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const { log } = logger('redis');

/** Path of `redis-server`, installing Debian's `redis-server` package when it is missing; throws when it cannot. */
export function ensureRedisServer() {
  if (existsSync(REDIS_SERVER_PATH)) return REDIS_SERVER_PATH;
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`${REDIS_SERVER_PATH} is missing and apt-get is not available here: install Redis ≥ 6.2 and set REDIS_SERVER for the cluster tests`);
  }
  log(`${REDIS_SERVER_PATH} is missing (the cluster tests need it)`);
  aptInstall(['redis-server'], 'redis');
  if (!existsSync(REDIS_SERVER_PATH)) throw new Error(`apt-get install redis-server finished but ${REDIS_SERVER_PATH} is still missing`);
  const version = spawnSync(REDIS_SERVER_PATH, ['--version'], { encoding: 'utf8' });
  log(`installed ${REDIS_SERVER_PATH}${version.stdout ? ` (${version.stdout.trim()})` : ''}`);
  return REDIS_SERVER_PATH;
}
