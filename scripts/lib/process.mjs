// The repository scripts' shared basics: where the repo is, tagged logging, failing with one
// line, running a command. Plain Node ESM, no dependencies (runs before `pnpm install`).
import { spawnSync } from 'node:child_process';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `log`, `fail` bound to a `[tag]` prefix: `const { log, fail } = logger('build-wasm')`. */
export function logger(tag) {
  return {
    log: (message) => console.log(`[${tag}] ${message}`),
    /** Prints `[tag] error: message` and exits 1 (scripts' errors are one line, no stack). */
    fail: (message) => {
      console.error(`[${tag}] error: ${message}`);
      process.exit(1);
    },
  };
}

/** The environment every child gets: the repo-local pnpm first on PATH, no telemetry. */
export function toolEnv(extra = {}) {
  return {
    ...process.env,
    PATH: [join(root, '.tooling', 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    ...extra,
  };
}

/**
 * Runs a command (stdio inherited, cwd = repo root unless given) and throws an Error naming the
 * command when it cannot start or exits non-zero.
 */
export function run(cmd, args, { env, ...options } = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: toolEnv(env), ...options });
  if (result.error) throw new Error(`${cmd} could not be started: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`command failed (exit ${result.status ?? result.signal}): ${cmd} ${args.join(' ')}`);
}

/** Runs a command and returns its trimmed stdout, or `undefined` when it fails to start or exits non-zero. */
export function capture(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: toolEnv(), ...options });
  return result.error || result.status !== 0 ? undefined : result.stdout.trim();
}

/** `[cmd, args]` to run as root: unchanged for root, else through non-interactive sudo. */
export function asRoot(cmd, args) {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return [cmd, args];
  return ['sudo', ['-n', '--preserve-env=DEBIAN_FRONTEND', cmd, ...args]];
}

/** Installs Debian packages with apt-get (updating the lists once first); throws on failure. */
export function aptInstall(packages, tag = 'setup') {
  const { log } = logger(tag);
  log(`installing Debian packages: ${packages.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  run(...asRoot('apt-get', ['update', '-qq']), { env });
  run(...asRoot('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages]), { env });
}

/**
 * The one exit path of a script that starts things it must clean up (a server, a child
 * group, a temporary folder): returns `stop(code)`, which runs `cleanup` then exits, and routes
 * SIGINT, SIGTERM and a `timeoutMs` deadline (an unref'd timer) through it.
 */
export function exitPath(tag, timeoutMs, cleanup) {
  const stop = (code) => {
    cleanup();
    process.exit(code);
  };
  process.on('SIGINT', () => stop(130));
  process.on('SIGTERM', () => stop(143));
  setTimeout(() => {
    console.error(`[${tag}] error: not finished after ${timeoutMs / 60_000} min`);
    stop(1);
  }, timeoutMs).unref();
  return stop;
}
