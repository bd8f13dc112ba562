// One Redis address, parsed once: what BullMQ and ioredis need, and what may be shown. The
// password never leaves this module in a message: errors and logs use `display` (no userinfo).
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { ClusterError } from './errors.js';

/** A parsed `--queue` URL. */
export interface QueueAddress {
  /** ioredis options (host, port, db, username, password, tls). Never print these. */
  readonly redis: RedisOptions;
  /** BullMQ queue name (`?name=`; default `adaptive-trend`). */
  readonly name: string;
  /** The address without credentials, for messages: `redis://127.0.0.1:6379/0`. */
  readonly display: string;
}

export const DEFAULT_QUEUE_NAME = 'adaptive-trend';

/**
 * Parses `redis://[user][:password]@host:port[/db][?name=queue]` or `rediss://…` (TLS, the
 * server's certificate checked against the system's CAs, or against the PEM file named by
 * `ATC_REDIS_CA` for a private CA). Without a password in the URL,
 * `ATC_REDIS_PASSWORD` (and `ATC_REDIS_USER`) from `env` are used, so the secret need not appear
 * on a command line (where `ps` shows it).
 *
 * @example
 * ```ts
 * const address = parseQueueUrl('rediss://worker@redis.internal:6380/0?name=scans', process.env);
 * address.display; // 'rediss://redis.internal:6380/0 (queue scans)'
 * ```
 */
export function parseQueueUrl(url: string, env: Readonly<Record<string, string | undefined>> = process.env): QueueAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ClusterError('--queue must be a URL: redis://[:password@]host:port[/db] or rediss://… for TLS');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ClusterError(`--queue must start with redis:// or rediss:// (TLS), got ${parsed.protocol}//…`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new ClusterError('--queue needs a host: redis://host:port');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15 || !/^\d*$/.test(dbText)) throw new ClusterError('--queue: the path must be a database number 0–15 (redis://host:port/0)');
  const name = parsed.searchParams.get('name') ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new ClusterError('--queue: ?name= must be 1–64 letters, digits, _ . -');
  const password = parsed.password !== '' ? decodeURIComponent(parsed.password) : env.ATC_REDIS_PASSWORD || undefined;
  const username = parsed.username !== '' ? decodeURIComponent(parsed.username) : env.ATC_REDIS_USER || undefined;
  const redis: RedisOptions = { host, port, db, ...(username ? { username } : {}), ...(password ? { password } : {}) };
  if (parsed.protocol === 'rediss:') redis.tls = { servername: host, ...(env.ATC_REDIS_CA ? { ca: readCa(env.ATC_REDIS_CA) } : {}) };
  return { redis, name, display: `${parsed.protocol}//${parsed.hostname}:${port}/${db}${name === DEFAULT_QUEUE_NAME ? '' : ` (queue ${name})`}` };
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ClusterError(`ATC_REDIS_CA ${path}: cannot read (${(error as { code?: string }).code ?? (error as Error).message})`);
  }
}

/** `message` with every occurrence of the address's password replaced (belt and braces for errors from below). */
export function redact(message: string, address: QueueAddress): string {
  const secret = address.redis.password;
  return secret ? message.split(secret).join('***') : message;
}

/**
 * Connects once, authenticates and PINGs within `timeoutMs`, so a wrong password or an
 * unreachable host is one clear error at start instead of a client reconnecting forever.
 * @throws {@link ClusterError} naming the address (without credentials) and what to check.
 */
export async function checkRedis(address: QueueAddress, timeoutMs = 5_000): Promise<void> {
  const client = new Redis({ ...address.redis, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let reported: unknown;
  client.on('error', (error) => (reported ??= error)); // the first error is the cause (AUTH refused); later ones say the connection closed
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
    });
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (error) {
    throw describeRedisError(address, reported ?? error, timeoutMs);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** A Redis client error as one line the user can act on (never the password). */
export function describeRedisError(address: QueueAddress, error: unknown, timeoutMs?: number): ClusterError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  let reason: string;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) reason = 'refused the credentials (wrong password or ACL user): check the URL or ATC_REDIS_PASSWORD / ATC_REDIS_USER';
  else if (/NOAUTH/i.test(message)) reason = 'requires a password: give redis://:PASSWORD@host:port or set ATC_REDIS_PASSWORD';
  else if (/NOPERM/i.test(message)) reason = `refused a command to this ACL user (${firstLine(message)}): BullMQ needs read/write on its keys and scripts`;
  else if (code === 'ECONNREFUSED') reason = 'refused the connection (is redis-server running on that port?)';
  else if (code === 'ETIMEDOUT') reason = `did not answer within ${((timeoutMs ?? 0) / 1000).toFixed(0)} s (host, port, firewall, or TLS on one side only?)`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = 'has a host name that does not resolve';
  else if (/certificate|self[- ]signed|TLS|SSL/i.test(message) || /^(ERR_TLS|ERR_SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code ?? '')) {
    reason = `failed the TLS handshake (${firstLine(message)}): for a private CA set ATC_REDIS_CA=ca.pem`;
  }
  else reason = `failed: ${firstLine(message)}`;
  return new ClusterError(redact(`Redis at ${address.display} ${reason}`, address));
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
